package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.canvasbatch.adapters.http.ws.RawSocket.Frame;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 6455 §5.5.1: once an endpoint has sent its close frame it sends no more data frames, and a client that receives
 * one may fail the connection. A client's close is answered by Helidon on its reading thread while the socket's drain
 * may be writing ready frames: whatever the drain was doing, nothing may reach the wire after that answer. Each case
 * closes from the client at a different point of a stream (as the socket opens, while its greeting is written, in a
 * replay, in a burst of live events with command answers) many times over, and reads every byte the server sends until
 * it ends the connection.
 */
class CloseOrderingTest {

    private static final int REPETITIONS = 60;
    /** The greeting races a close most often: run it more. */
    private static final int GREETING_REPETITIONS = 300;
    /** A snapshot of about 220 KB: long enough to make that a close often lands while it is being made. */
    private static final int GREETED_NODES = 400;
    /** A note at the preview's limit in 3-byte UTF-8: a few fill a 32 KiB write. */
    private static final String NOTE = "离散数学命题逻辑".repeat(250);

    private final TestServer server = new TestServer(WsSettings.DEFAULT);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void noFrameFollowsTheCloseAnswerWhenTheClientClosesDuringItsGreeting() {
        SessionId id = server.analyze(GREETED_NODES);
        for (int n = 1; n <= GREETED_NODES; n++) {
            server.agent.always("n" + n, new ScriptedAgent.Answer("note " + n));
        }
        server.runToEnd(id);
        for (int i = 0; i < GREETING_REPETITIONS; i++) {
            try (RawSocket raw = connect(id, "")) {
                // connected, a progress_update per group, the snapshot, session_completed: a close after each
                readTextFrames(raw, i % 5);
                raw.sendFrame(8, closePayload());
                assertNothingAfterTheClose(raw, readToEnd(raw), "close during the greeting, run " + i);
            }
        }
    }

    @Test
    void noFrameFollowsTheCloseAnswerWhenTheClientClosesDuringAReplay() {
        SessionId id = finishedSession(60);
        for (int i = 0; i < REPETITIONS; i++) {
            try (RawSocket raw = connect(id, "?last_seq=0")) {
                readTextFrames(raw, i % 25);
                raw.sendFrame(8, closePayload());
                assertNothingAfterTheClose(raw, readToEnd(raw), "close during a replay, run " + i);
            }
        }
    }

    @Test
    void noFrameFollowsTheCloseAnswerWhenTheClientClosesInABurstOfLiveEvents() {
        Semaphore answers = new Semaphore(0);
        int nodes = REPETITIONS * 12;
        SessionId id = server.analyze(nodes);
        for (int n = 1; n <= nodes; n++) {
            server.agent.always("n" + n, new ScriptedAgent.WaitForPermit(answers));
        }
        server.start(id);
        for (int i = 0; i < REPETITIONS; i++) {
            try (RawSocket raw = connect(id, "")) {
                readUntilSnapshot(raw);
                // a burst of outcomes, and commands whose answers the drain writes among their events
                answers.release(12);
                readTextFrames(raw, i % 6);
                for (int p = 0; p < 3; p++) {
                    raw.sendText("{\"type\":\"ping\",\"request_id\":\"p" + p + "\"}");
                }
                raw.sendFrame(8, closePayload());
                assertNothingAfterTheClose(raw, readToEnd(raw), "close during live events, run " + i);
            }
        }
    }

    @Test
    void noFrameFollowsTheServersOwnCloseAfterTheLastEventWhileTheClientPingsHard() {
        SessionId id = server.analyze(45);
        for (int n = 1; n <= 45; n++) {
            server.agent.always("n" + n, new ScriptedAgent.Answer(NOTE));
        }
        try (RawSocket raw = connect(id, "")) {
            server.start(id);
            List<Frame> frames = new ArrayList<>();
            int pings = 0;
            for (Frame frame = raw.read(); frame != null; frame = raw.read()) {
                frames.add(frame);
                if (frame.isClose()) {
                    break;
                }
                raw.sendFrame(9, ByteBuffer.allocate(4).putInt(++pings).array());
                raw.sendText("{\"type\":\"ping\"}");
            }
            assertThat(frames.getLast().isClose())
                    .as("the session's end closes the socket")
                    .isTrue();
            assertThat(frames.getLast().closeCode()).isEqualTo(Connection.NORMAL);
            raw.sendFrame(8, closePayload());
            frames.addAll(readToEnd(raw));
            assertNothingAfterTheClose(raw, frames, "the server's own close");
        }
    }

    private SessionId finishedSession(int nodes) {
        SessionId id = server.analyze(nodes);
        for (int n = 1; n <= nodes; n++) {
            server.agent.always("n" + n, new ScriptedAgent.Answer(NOTE));
        }
        server.runToEnd(id);
        return id;
    }

    private RawSocket connect(SessionId id, String query) {
        return RawSocket.connect(server.port(), "/ws/intelligent-parallel/" + id.value() + query, 64 * 1024);
    }

    private static byte[] closePayload() {
        byte[] reason = "bye".getBytes(StandardCharsets.UTF_8);
        ByteBuffer payload = ByteBuffer.allocate(2 + reason.length);
        payload.putShort((short) Connection.NORMAL).put(reason);
        return payload.array();
    }

    private static void readTextFrames(RawSocket raw, int count) {
        for (int read = 0; read < count; ) {
            Frame frame = raw.read();
            assertThat(frame).as("the stream goes on").isNotNull();
            if (frame.opcode() == 1) {
                read++;
            }
        }
    }

    private static void readUntilSnapshot(RawSocket raw) {
        for (Frame frame = raw.read(); ; frame = raw.read()) {
            assertThat(frame).as("the greeting ends with a snapshot").isNotNull();
            if (frame.opcode() == 1 && frame.text().contains("\"type\":\"snapshot\"")) {
                return;
            }
        }
    }

    /** Every frame the server sends from now until it ends the connection. */
    private static List<Frame> readToEnd(RawSocket raw) {
        List<Frame> frames = new ArrayList<>();
        for (Frame frame = raw.read(); frame != null; frame = raw.read()) {
            frames.add(frame);
        }
        return frames;
    }

    private static void assertNothingAfterTheClose(RawSocket raw, List<Frame> frames, String when) {
        int close = -1;
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).isClose()) {
                close = i;
                break;
            }
        }
        assertThat(close).as(when + ": the server answers the close").isNotNegative();
        assertThat(frames.subList(close + 1, frames.size()).stream()
                        .map(f -> "opcode " + f.opcode() + ": "
                                + f.text().substring(0, Math.min(60, f.text().length())))
                        .toList())
                .as(when + ": frames after the server's close")
                .isEmpty();
    }
}
