package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.canvasbatch.adapters.http.ws.RawSocket.Frame;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.ScriptedAgent.WaitFor;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Heartbeat, idle and shutdown (CONTRACT §3.1), with the intervals shortened. */
class LivenessTest {

    private TestServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void clientsThatAnswerPingsStayAndOneThatDoesNotIsDroppedWithoutACloseCallback() {
        // 300 ms: the healthy client must answer within two intervals, and a loaded machine can stall it for 200 ms
        server = new TestServer(WsSettings.DEFAULT.withPingInterval(Duration.ofMillis(300)));
        SessionId id = server.analyze(3);
        TestSocket healthy = TestSocket.connect(server.socket(id));
        RawSocket silent = RawSocket.connect(server.port(), "/ws/intelligent-parallel/" + id.value(), 64 * 1024);

        List<Frame> silentFrames = new ArrayList<>();
        for (Frame frame = silent.read(); frame != null; frame = silent.read()) {
            silentFrames.add(frame);
        }

        assertThat(silentFrames)
                .as("the server's pings")
                .filteredOn(f -> f.opcode() == 9)
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(silentFrames).as("no close handshake for a dead socket").noneMatch(Frame::isClose);
        EventRecorder.awaitCondition(() -> server.channel.connectionCount() == 1, "the silent socket was removed");
        assertThat(server.channel.metrics().deadConnections()).isEqualTo(1);
        assertThat(healthy.awaitPings(5)).isGreaterThanOrEqualTo(5);
        assertThat(healthy.isClosed()).isFalse();
        silent.close();
    }

    /**
     * A resume that takes several ping intervals to read (a slow link, or a storm sharing the replay budget) is a live
     * client: the pings go out between the replayed messages, and a client that answers them is not dropped as dead.
     */
    @Test
    void aSlowReaderOfALongReplayThatAnswersEveryPingIsNotDroppedAsDead() {
        server = new TestServer(
                WsSettings.DEFAULT.withPingInterval(Duration.ofMillis(100)),
                options -> options.socketSendBufferSize(4096));
        SessionId id = server.analyze(150);
        for (int i = 1; i <= 150; i++) {
            server.agent.always("n" + i, new ScriptedAgent.Answer("离散数学命题逻辑".repeat(250)));
        }
        server.runToEnd(id);

        try (RawSocket resumed =
                RawSocket.connect(server.port(), "/ws/intelligent-parallel/" + id.value() + "?last_seq=0", 4096)) {
            long start = System.nanoTime();
            int texts = 0;
            Frame frame = resumed.read();
            for (; frame != null && !frame.isClose(); frame = resumed.read()) {
                if (frame.opcode() == 9) {
                    resumed.sendFrame(10, frame.payload());
                } else if (frame.opcode() == 1) {
                    texts++;
                    // a slow link: about 1 ms a message, so the replay lasts many ping intervals
                    LockSupport.parkNanos(1_000_000);
                }
            }
            assertThat(frame)
                    .as("the replay ends with the close handshake, not a cut-off")
                    .isNotNull();
            assertThat(frame.closeCode()).isEqualTo(Connection.NORMAL);
            assertThat(texts).isGreaterThan(450);
            assertThat(server.channel.metrics().deadConnections()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("the replay outlasted the dead-socket limit")
                    .isGreaterThan(Duration.ofMillis(400));
        }
    }

    @Test
    void aClientPingFrameIsAnsweredWithAPong() {
        server = new TestServer(WsSettings.DEFAULT);
        SessionId id = server.analyze(2);
        TestSocket socket = TestSocket.connect(server.socket(id));
        socket.await("snapshot");

        socket.ping();

        assertThat(socket.awaitPongs(1)).isEqualTo(1);
    }

    @Test
    void aSocketWithNoEventsAndNoMessagesIsClosed4408ButNeverWhileATaskRuns() {
        server = new TestServer(WsSettings.DEFAULT.withIdleTimeout(Duration.ofMillis(300)));
        SessionId busy = server.analyze(1);
        CountDownLatch gate = new CountDownLatch(1);
        server.agent.always("n1", new WaitFor(gate));
        EventRecorder busyEvents = server.record(busy);
        server.start(busy);
        busyEvents.await(TaskStarted.class);
        TestSocket watchingBusy = TestSocket.connect(server.socket(busy));
        watchingBusy.await("snapshot");
        SessionId quiet = server.analyze(2);
        TestSocket watchingQuiet = TestSocket.connect(server.socket(quiet));

        assertThat(watchingQuiet.awaitClose()).isEqualTo(4408);
        assertThat(watchingQuiet.closeReason()).isEqualTo("idle timeout");
        gate.countDown();
        watchingBusy.await("session_completed");
        assertThat(watchingBusy.awaitClose())
                .as("closed by completion, not by idleness")
                .isEqualTo(1000);
    }

    @Test
    void shutdownClosesEverySocketWith1001AndRefusesNewOnesTheSameWay() {
        server = new TestServer(WsSettings.DEFAULT);
        SessionId id = server.analyze(2);
        TestSocket first = TestSocket.connect(server.socket(id));
        TestSocket second = TestSocket.connect(server.socket("/api/v1/ws/intelligent-parallel/" + id.value()));
        first.await("snapshot");
        second.await("snapshot");

        server.channel.shutdown();

        assertThat(first.awaitClose()).isEqualTo(1001);
        assertThat(first.closeReason()).isEqualTo("server shutting down");
        assertThat(second.awaitClose()).isEqualTo(1001);
        TestSocket late = TestSocket.connect(server.socket(id));
        assertThat(late.awaitClose()).isEqualTo(1001);
        assertThat(late.messages()).isEmpty();
    }
}
