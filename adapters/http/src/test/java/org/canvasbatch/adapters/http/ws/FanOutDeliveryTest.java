package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: a busy session fanned out to many sockets that all read promptly reaches every one of them whole — every
 * primary seq once and in order, and every {@code progress_update}: coalescing is for sockets that fall behind only.
 */
class FanOutDeliveryTest {

    private static final int SOCKETS = 64;
    private static final int NODES = 240;

    private final TestServer server = new TestServer(WsSettings.DEFAULT);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everySocketThatReadsPromptlyGetsEveryMessageOfABusySession() {
        SessionId id = server.analyze(NODES);
        List<TestSocket> sockets = new ArrayList<>();
        for (int i = 0; i < SOCKETS; i++) {
            sockets.add(TestSocket.connect(server.socket(id)));
        }
        long startSeq = 0;
        for (TestSocket socket : sockets) {
            startSeq = socket.await("snapshot").getJsonNumber("seq").longValue();
        }
        EventRecorder core = server.record(id);

        // the scripted agent answers at once: outcomes of one group follow each other within microseconds
        server.start(id);
        long lastSeq = core.await(SessionFinished.class).seq();

        List<String> reference = null;
        for (TestSocket socket : sockets) {
            socket.awaitClose();
            List<JsonObject> live = afterSnapshot(socket.messages());
            assertThat(TestSocket.primarySeqs(live))
                    .as("every event once, in order, no gap")
                    .containsExactlyElementsOf(LongStream.rangeClosed(startSeq + 1, lastSeq)
                            .boxed()
                            .toList());
            long outcomes = live.stream()
                    .filter(m -> m.getString("type").equals("task_completed")
                            || m.getString("type").equals("task_failed"))
                    .count();
            long progress = live.stream()
                    .filter(m -> m.getString("type").equals("progress_update"))
                    .count();
            assertThat(outcomes).isEqualTo(NODES);
            assertThat(progress).as("one progress_update per outcome").isEqualTo(outcomes);
            List<String> received = TestSocket.summary(live);
            if (reference == null) {
                reference = received;
            }
            assertThat(received).as("every socket got the very same stream").isEqualTo(reference);
        }
        assertThat(server.channel.progressCoalesced()).isZero();
        assertThat(server.channel.slowConsumerCloses()).isZero();
    }

    private static List<JsonObject> afterSnapshot(List<JsonObject> messages) {
        int snapshot = 0;
        while (!messages.get(snapshot).getString("type").equals("snapshot")) {
            snapshot++;
        }
        return messages.subList(snapshot + 1, messages.size());
    }
}
