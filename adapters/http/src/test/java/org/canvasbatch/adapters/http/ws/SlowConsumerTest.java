package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.canvasbatch.adapters.http.ws.RawSocket.Frame;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent.WaitForPermit;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CONTRACT §3.5: a client that stops reading is closed with 4429 and slows nobody down. */
class SlowConsumerTest {

    // a small queue and small socket buffers make the slow reader felt within a few messages; the long grace lets the
    // test read the close frame before the server would cut the socket off
    private final TestServer server = new TestServer(
            WsSettings.DEFAULT.withQueueCapacity(32).withCloseGrace(Duration.ofSeconds(30)),
            options -> options.socketSendBufferSize(4096));

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aClientThatNeverReadsIsClosedWith4429WhileTheBatchAndAnotherClientCarryOn() {
        SessionId id = server.analyze(120);
        Semaphore permits = new Semaphore(0);
        for (int i = 1; i <= 120; i++) {
            server.agent.always("n" + i, new WaitForPermit(permits));
        }
        RawSocket stalled = RawSocket.connect(server.port(), "/ws/intelligent-parallel/" + id.value(), 1024);
        TestSocket reader = TestSocket.connect(server.socket(id));
        reader.await("snapshot");
        EventRecorder core = server.record(id);

        server.start(id);
        // the batch goes at the pace of the client that reads, five nodes at a time; the stalled one falls behind
        for (int done = 5; done <= 120; done += 5) {
            permits.release(5);
            int expected = done;
            reader.awaitState(() -> completed(reader) >= expected ? true : null, expected + " task_completed");
        }

        core.await(SessionFinished.class);
        reader.await("session_completed");
        assertThat(completed(reader)).isEqualTo(120);
        EventRecorder.awaitCondition(() -> server.channel.slowConsumerCloses() == 1, "the stalled client was dropped");
        assertThat(server.channel.metrics().slowConsumerCloses()).isEqualTo(1);

        Frame close = stalled.readUntilClose();
        assertThat(close).as("a close frame after what the socket had taken").isNotNull();
        assertThat(close.closeCode()).isEqualTo(4429);
        assertThat(close.text()).isEqualTo("slow consumer");
        stalled.close();
        EventRecorder.awaitCondition(() -> server.channel.connectionCount() == 0, "every socket is gone");
    }

    private static long completed(TestSocket socket) {
        return socket.messages().stream()
                .filter(m -> m.getString("type").equals("task_completed"))
                .count();
    }
}
