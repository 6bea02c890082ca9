package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two sockets of one plugin window are open (a failed handshake schedules two reconnects, and both succeed: the
 * plugin's docs §2.5), and the learner minimizes: the modal closes the socket it holds, which is the one that was
 * speaking for the window ({@link SharedWindow}). (browser) the outcomes written to it just before the close are
 * dropped, while the window's other socket keeps its handlers and goes on feeding the window. The server's own rule
 * (contract §2.4, plugin docs §2.8) is that such outcomes go again — "counted twice, never missed" — but the window's
 * other socket takes over only after what the closed one was handed, so they are never sent again: the window's
 * "✅ 全部处理完成: N个节点" comes up short, and a dropped {@code task_failed} would read as a success.
 */
class SpeakingSocketMinimizedTest {

    private static final int NODES = 4;

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void outcomesDroppedByTheClosedSpeakingSocketAreSentAgainOnTheWindowsOtherSocket() {
        // every write counts as within the margin of the close, however slow this machine is: the case under test
        server = new TestServer(WsSettings.DEFAULT.withPluginSettleMargin(Duration.ofMinutes(10)));
        SessionId id = server.analyze(NODES);
        Semaphore permits = new Semaphore(0);
        for (int i = 1; i <= NODES; i++) {
            server.agent.always("n" + i, new ScriptedAgent.WaitForPermit(permits));
        }
        server.start(id);

        // the window's first socket replays the history so far: it speaks for the window from now on
        TestSocket speaking = TestSocket.connectAsPlugin(server.socket(id));
        speaking.await(m -> TestSocket.isPrimaryEvent(m));
        // its second socket (the other reconnect of the failed handshake) stays silent while the first is open
        TestSocket silent = TestSocket.connectAsPlugin(server.socket(id));
        silent.await("connected");

        permits.release(1);
        JsonObject dropped = speaking.await(m -> m.getString("type").equals("task_completed")
                || m.getString("type").equals("task_failed"));
        String droppedNode = dropped.getJsonObject("data").getString("node_id");
        // 📤 最小化 a moment later: the browser drops that outcome, which reached the socket behind the click
        speaking.closeFromClient();
        EventRecorder.awaitCondition(
                () -> server.channel.connectionCount() == 1, "the server to see the speaking socket closed");

        permits.release(NODES);
        silent.await("session_completed");
        List<String> countedOnTheOtherSocket = silent.messages().stream()
                .filter(m -> m.getString("type").equals("task_completed")
                        || m.getString("type").equals("task_failed"))
                .map(m -> m.getJsonObject("data").getString("node_id"))
                .toList();

        assertThat(countedOnTheOtherSocket)
                .as(
                        "the window's notice counts these: the outcome of %s the browser dropped must come again",
                        droppedNode)
                .contains(droppedNode)
                .hasSize(NODES);
    }
}
