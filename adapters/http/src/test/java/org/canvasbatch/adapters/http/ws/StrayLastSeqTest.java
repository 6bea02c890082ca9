package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Semaphore;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A socket with the plugin's {@code Origin} from the learner's machine names a {@code last_seq} beyond the session's
 * history (a stray or hostile client: anything on the machine can send that origin). The server rightly answers it with
 * a snapshot, since it cannot resume from there, but it still took that {@code last_seq} as where the plugin window
 * (session, address, origin) got: the learner's own window, which never names one, was then sent from there on — a
 * snapshot, no task messages for what was done before — and read "✅ 全部处理完成: 2个节点" for 4.
 */
class StrayLastSeqTest {

    private static final int NODES = 4;

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aLastSeqBeyondTheHistoryIsNotWhereThePluginWindowGot() {
        server = new TestServer(WsSettings.DEFAULT);
        SessionId id = server.analyze(NODES);
        Semaphore permits = new Semaphore(0);
        for (int i = 1; i <= NODES; i++) {
            server.agent.always("n" + i, new ScriptedAgent.WaitForPermit(permits));
        }
        TestSocket observer = TestSocket.connect(server.socket(id));
        observer.await("connected");
        server.start(id);
        permits.release(2);
        observer.awaitState(() -> taskMessages(observer) >= 2 ? Boolean.TRUE : null, "two outcomes");

        TestSocket stray = TestSocket.connectAsPlugin(server.socket(id, "?last_seq=1000000"));
        stray.await("connected");
        stray.closeFromClient();
        EventRecorder.awaitCondition(() -> server.channel.connectionCount() == 1, "the stray socket closed");

        TestSocket window = TestSocket.connectAsPlugin(server.socket(id));
        window.await("connected");
        permits.release(NODES);
        window.await("session_completed");

        assertThat(taskMessages(window))
                .as("the learner's window counts every node: %s", TestSocket.summary(window.messages()))
                .isEqualTo(NODES);
    }

    private static long taskMessages(TestSocket socket) {
        return socket.messages().stream()
                .filter(m -> m.getString("type").equals("task_completed")
                        || m.getString("type").equals("task_failed"))
                .count();
    }
}
