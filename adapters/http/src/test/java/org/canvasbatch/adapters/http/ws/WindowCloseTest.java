package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.testsupport.socket.TestSocket.primarySeqs;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every socket of a plugin window the server closes gets its close frame (CONTRACT §3: the window's other sockets are
 * closed 1000 once the one that had the end is closed). A socket closed while it was still catching up on the history
 * once ended without one: its replay stopped, and its drain ended without writing the close, so the client saw the
 * connection drop (1006) when the close grace cut it off — how a thousand resumes of one window failed in the reconnect
 * storm (docs/benchmarks.md).
 */
class WindowCloseTest {

    /** Cuts a socket off this long after its close was asked for: long enough for a close frame, short for a test. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private final AtomicBoolean holdNextFirstEventRead = new AtomicBoolean();
    private final CountDownLatch firstEventReadHeld = new CountDownLatch(1);
    private final CountDownLatch releaseFirstEventRead = new CountDownLatch(1);

    private TestServer server;

    /**
     * A server that holds one socket where every resume starts, for as long as the test wants: the look at the session's
     * first event that tells whether the journal can replay its history.
     */
    private TestServer serverReplayingInChunksOf(int events) {
        server = new TestServer(
                WsSettings.DEFAULT.withCloseGrace(CLOSE_GRACE).withReplayPageSize(events),
                options -> {},
                log -> new ForwardingEventLog(log) {
                    @Override
                    public List<SessionEvent> readAfter(SessionId sessionId, long afterSeq, int limit) {
                        if (afterSeq == 0 && limit == 1 && holdNextFirstEventRead.compareAndSet(true, false)) {
                            firstEventReadHeld.countDown();
                            try {
                                releaseFirstEventRead.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        return super.readAfter(sessionId, afterSeq, limit);
                    }
                });
        return server;
    }

    @AfterEach
    void stop() {
        releaseFirstEventRead.countDown();
        if (server != null) {
            server.close();
        }
    }

    /**
     * @param chunk events replayed at a time: with 4, the socket is closed as its replay from the journal begins (the
     *              history is longer than a chunk); with 256, before it joins the live stream to replay the little left
     */
    @ParameterizedTest(name = "replayed in chunks of {0} events")
    @ValueSource(ints = {4, 256})
    void aSocketOfTheWindowStillCatchingUpWhenTheEndWentOutOnAnotherGetsTheClose1000(int chunk) throws Exception {
        TestServer server = serverReplayingInChunksOf(chunk);
        SessionId id = server.analyze(5);
        server.runToEnd(id);
        long lastSeq = server.core.useCases().status().status(id).lastSeq();
        assertThat(lastSeq).as("a history of more than one small chunk").isGreaterThan(4);

        // (plugin) a failed handshake makes the window reconnect twice: two sockets of one window, the first held
        // before its replay
        holdNextFirstEventRead.set(true);
        TestSocket catchingUp = TestSocket.connectAsPlugin(server.socket(id));
        assertThat(firstEventReadHeld.await(TestSocket.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .as("the first socket is on its way to its replay")
                .isTrue();
        TestSocket speaking = TestSocket.connectAsPlugin(server.socket(id));
        assertThat(speaking.awaitClose()).isEqualTo(1000);
        // the second socket's close handshake is done, so the first is closed; only then does its replay go on
        EventRecorder.awaitCondition(
                () -> server.channel.connectionCount() == 0, "the window's sockets closed on the server");
        releaseFirstEventRead.countDown();

        assertThat(catchingUp.awaitEnd(TestSocket.PATIENCE))
                .as("the close frame of the socket closed during its replay (1006: the connection dropped without one)")
                .isEqualTo(1000);
        assertThat(catchingUp.closeReason()).isEqualTo("session completed");
        assertThat(primarySeqs(speaking.messages()))
                .as("the window's history, on the socket that had the end")
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, lastSeq).boxed().toList());
        assertThat(speaking.messages().getLast().getString("type")).isEqualTo("session_completed");
        assertThat(catchingUp.messages())
                .as("nothing the window would count twice")
                .noneMatch(m -> m.containsKey("derived") || m.getString("type").equals("session_completed"));
    }

    @Test
    void theWindowsOtherSocketIsClosedOnlyOnceTheClientOfTheSocketThatHadTheEndAnswersItsClose() throws Exception {
        // a client that leaves our close unanswered is cut off only after the test is done with it
        server = new TestServer(WsSettings.DEFAULT.withCloseGrace(Duration.ofSeconds(30)));
        SessionId id = server.analyze(3);
        Semaphore permits = new Semaphore(0);
        for (int i = 1; i <= 3; i++) {
            server.agent.always("n" + i, new ScriptedAgent.WaitForPermit(permits));
        }
        server.start(id);
        // (plugin) two sockets of one window: the first takes the history and speaks for it, the second stays silent
        TestSocket speaking = TestSocket.connectAsPlugin(server.socket(id));
        speaking.await(TestSocket::isPrimaryEvent);
        TestSocket silent = TestSocket.connectAsPlugin(server.socket(id));
        silent.await("connected");
        // (browser) the renderer is still busy with session_completed when the close frame behind it arrives
        speaking.holdCloseAnswer();

        permits.release(3);
        speaking.await("session_completed");
        assertThat(speaking.awaitClose()).isEqualTo(1000);
        // the server is done with the speaking socket (the old code closed the other one right then, in that step)
        EventRecorder.awaitCondition(
                () -> server.channel.connectionCount() == 1, "the server to let the speaking socket go");
        // a close sent in that step would be written to the silent socket before the answer to a ping sent after it:
        // the answer, or a close, is what there is to wait for
        silent.send("{\"type\":\"ping\",\"request_id\":\"after-the-end\"}");
        silent.awaitState(
                () -> silent.isClosed()
                                || silent.messages().stream().anyMatch(m -> "pong".equals(m.getString("type", "")))
                        ? Boolean.TRUE
                        : null,
                "the answer to a ping sent after the end, or a close before it");
        assertThat(silent.isClosed())
                .as("closed before the window handled the end, the other socket's close would make it reconnect and"
                        + " be sent the end again: two notices, two summaries")
                .isFalse();

        speaking.answerClose();
        assertThat(silent.awaitClose()).isEqualTo(1000);
        assertThat(silent.closeReason()).isEqualTo("session completed");
        assertThat(silent.messages()).noneMatch(m -> m.getString("type").equals("session_completed"));
    }
}
