package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.stream.IntStream;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two sockets of one plugin window are open (a failed handshake schedules two reconnects, and both succeed: the
 * plugin's docs §2.5), and the learner minimizes: the modal closes the socket it holds, and here that is the one
 * speaking for the window ({@link SharedWindow}). (browser) an outcome written to it just before the close is dropped,
 * while the window's other socket keeps its handlers and goes on feeding the window. That socket passed the dropped
 * outcome long ago and cannot send it again ("3个节点" for 4 before): the server closes it, and the window reconnects
 * (plugin: a close without {@code session_completed}) from where it surely got.
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
    void anOutcomeDroppedByTheClosedSpeakingSocketReachesTheWindowAgainAfterItsOtherSocketIsClosed() {
        // every write counts as within the margin of the close, however slow this machine is: the case under test
        Window window = twoSocketsOfOneWindow(Duration.ofMinutes(10));
        window.permits.release(1);
        String droppedNode = TestSocket.nodeOf(window.speaking.await(TestSocket::isOutcome));

        // 📤 最小化 a moment later: the browser drops that outcome, which reached the socket behind the click
        window.speaking.closeFromClient();

        assertThat(window.silent.awaitClose())
                .as("the window's other socket is closed, so that the plugin reconnects")
                .isEqualTo(4409);
        // (plugin) its onclose, with the session neither completed nor cancelled, reconnects without last_seq
        TestSocket reconnected = TestSocket.connectAsPlugin(server.socket(window.id));
        window.permits.release(NODES);
        reconnected.await("session_completed");

        List<String> counted = new ArrayList<>(window.silent.outcomeNodes());
        counted.addAll(reconnected.outcomeNodes());
        assertThat(counted)
                .as(
                        "the window's notice counts these: the outcome of %s the browser dropped must come again",
                        droppedNode)
                .contains(droppedNode)
                .containsAll(allNodes());
        assertThat(reconnected.messages().stream()
                        .filter(m -> m.getString("type").equals("session_completed"))
                        .count())
                .as("one notice, one summary")
                .isEqualTo(1);
    }

    @Test
    void whenTheClosedSpeakingSocketsWritesHadAllSettledTheOtherSocketGoesOnWithoutAReconnect() {
        // a write settles the moment it is made: the window surely had everything the closed socket was handed
        Window window = twoSocketsOfOneWindow(Duration.ZERO);
        window.permits.release(1);
        String handled = TestSocket.nodeOf(window.speaking.await(TestSocket::isOutcome));
        // the server notes a write's end when its thread runs again after it: on a busy machine that can be after the
        // client's close arrives, and the write then counts as not settled (a node counted twice, never one missed:
        // the window reconnects). The minute is what "had all settled" means here
        server.moveChannelClockAhead(Duration.ofMinutes(1));
        window.speaking.closeFromClient();
        EventRecorder.awaitCondition(
                () -> server.channel.connectionCount() == 1, "the server to see the speaking socket closed");

        window.permits.release(NODES);
        window.silent.await("session_completed");

        List<String> counted = new ArrayList<>(List.of(handled));
        counted.addAll(window.silent.outcomeNodes());
        assertThat(counted)
                .as("every node counted once, the rest on the socket that stayed open")
                .containsExactlyInAnyOrderElementsOf(allNodes());
        assertThat(window.silent.awaitClose())
                .as("closed by the session's end, not to resume")
                .isEqualTo(1000);
    }

    private record Window(SessionId id, Semaphore permits, TestSocket speaking, TestSocket silent) {}

    private Window twoSocketsOfOneWindow(Duration settleMargin) {
        server = new TestServer(WsSettings.DEFAULT.withPluginSettleMargin(settleMargin));
        SessionId id = server.analyze(NODES);
        Semaphore permits = new Semaphore(0);
        for (int i = 1; i <= NODES; i++) {
            server.agent.always("n" + i, new ScriptedAgent.WaitForPermit(permits));
        }
        server.start(id);
        // the window's first socket replays the history so far: it speaks for the window from now on
        TestSocket speaking = TestSocket.connectAsPlugin(server.socket(id));
        speaking.await(TestSocket::isPrimaryEvent);
        // its second socket (the other reconnect of the failed handshake) stays silent while the first is open
        TestSocket silent = TestSocket.connectAsPlugin(server.socket(id));
        silent.await("connected");
        return new Window(id, permits, speaking, silent);
    }

    private static List<String> allNodes() {
        return IntStream.rangeClosed(1, NODES).mapToObj(i -> "n" + i).toList();
    }
}
