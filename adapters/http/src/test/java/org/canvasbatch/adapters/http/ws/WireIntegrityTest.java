package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.canvasbatch.adapters.http.ws.RawSocket.Frame;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The drain writes ready event frames straight to the socket while Helidon writes its own frames (pongs, close replies,
 * protocol-error closes) under its lock from other threads: the byte stream a client reads must still be whole RFC 6455
 * frames, however hard the client pings and however large (past 32 KiB batches and the 16-bit length) the messages are.
 */
class WireIntegrityTest {

    private static final int NODES = 45;
    /** A note preview at its 2 000-character limit, 3 UTF-8 bytes a character: several fill a 32 KiB batch. */
    private static final String CHINESE_NOTE = "离散数学命题逻辑".repeat(250);
    /** An error message of about 96 KiB of UTF-8: its frame needs the 64-bit length header. */
    private static final String HUGE_ERROR = "图的遍历失败".repeat(5_500);

    private final TestServer server = new TestServer(WsSettings.DEFAULT);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyFrameOfABusyStreamParsesWhileTheClientPingsHard() {
        SessionId id = busySession();
        // one node answers only once a pong has come: on a fast machine the whole stream could otherwise be written
        // before the server reads the first ping, and there would be no stream left to answer it during
        CountDownLatch firstPong = new CountDownLatch(1);
        server.agent.then("n1", new ScriptedAgent.AnswerAfter(firstPong, CHINESE_NOTE));
        try (RawSocket raw = RawSocket.connect(server.port(), "/ws/intelligent-parallel/" + id.value(), 64 * 1024)) {
            List<JsonObject> messages = new ArrayList<>();
            // the batch starts once the socket has its snapshot: every outcome is then live, none folded into it
            while (messages.stream().noneMatch(m -> m.getString("type").equals("snapshot"))) {
                Frame greeting = raw.read();
                assertThat(greeting).as("the greeting").isNotNull();
                assertWellFormed(greeting);
                messages.add(parse(greeting));
            }
            server.start(id);
            Set<Integer> pongs = new HashSet<>();
            int pingsSent = 0;
            Frame close = null;
            // a ping after every frame received: pongs are written between the drain's batches all stream long
            for (Frame frame = raw.read(); frame != null; frame = raw.read()) {
                assertWellFormed(frame);
                if (frame.isClose()) {
                    close = frame;
                    break;
                }
                switch (frame.opcode()) {
                    case 1 -> messages.add(parse(frame));
                    case 9 -> raw.sendFrame(10, frame.payload());
                    case 10 -> {
                        pongs.add(ByteBuffer.wrap(frame.payload()).getInt());
                        firstPong.countDown();
                    }
                    default -> throw new AssertionError("opcode " + frame.opcode());
                }
                raw.sendFrame(9, ByteBuffer.allocate(4).putInt(++pingsSent).array());
            }

            assertThat(close)
                    .as("the stream ends with the server's close frame")
                    .isNotNull();
            assertThat(close.closeCode()).isEqualTo(Connection.NORMAL);
            assertThat(pongs).as("pings were answered while events streamed").isNotEmpty();
            int sent = pingsSent;
            assertThat(pongs).allSatisfy(n -> assertThat(n).isBetween(1, sent));
            assertStreamWhole(messages);
        } finally {
            firstPong.countDown();
        }
    }

    @Test
    void aProtocolErrorCloseMidStreamComesAfterWholeFrames() {
        SessionId id = busySession();
        // one node answers only after the close: the session cannot end with 1000 before the bad frame is read
        CountDownLatch lastAnswer = new CountDownLatch(1);
        server.agent.then("n1", new ScriptedAgent.WaitFor(lastAnswer));
        try (RawSocket raw = RawSocket.connect(server.port(), "/ws/intelligent-parallel/" + id.value(), 64 * 1024)) {
            server.start(id);
            List<JsonObject> messages = new ArrayList<>();
            // read until events stream, then send a frame with a reserved opcode while the drain is writing
            while (messages.size() < 10) {
                Frame frame = raw.read();
                assertThat(frame).isNotNull();
                assertWellFormed(frame);
                if (frame.opcode() == 1) {
                    messages.add(parse(frame));
                }
            }
            raw.sendFrame(3, new byte[] {1});
            Frame close = readWholeFrames(raw, messages, new HashSet<>());
            assertThat(close)
                    .as("the server's close frame, whole, after whole frames")
                    .isNotNull();
            assertThat(close.closeCode()).isEqualTo(1002);
        } finally {
            lastAnswer.countDown();
        }
    }

    private SessionId busySession() {
        SessionId id = server.analyze(NODES);
        for (int i = 1; i <= NODES; i++) {
            server.agent.always("n" + i, new ScriptedAgent.Answer(CHINESE_NOTE));
        }
        server.agent.always("n7", ScriptedAgent.permanent(HUGE_ERROR));
        return id;
    }

    /** Reads until the server's close frame (returned; null if the connection ended without one). */
    private static Frame readWholeFrames(RawSocket raw, List<JsonObject> messages, Set<Integer> pongs) {
        for (Frame frame = raw.read(); frame != null; frame = raw.read()) {
            assertWellFormed(frame);
            switch (frame.opcode()) {
                case 1 -> messages.add(parse(frame));
                case 8 -> {
                    return frame;
                }
                case 9 -> {} // the server's own heartbeat
                case 10 -> pongs.add(ByteBuffer.wrap(frame.payload()).getInt());
                default -> throw new AssertionError("opcode " + frame.opcode());
            }
        }
        return null;
    }

    private static void assertWellFormed(Frame frame) {
        assertThat(frame.flags()).as("FIN set, RSV bits clear").isEqualTo(0x80);
        assertThat(frame.masked()).as("a server never masks").isFalse();
        assertThat(frame.opcode()).isIn(1, 8, 9, 10);
    }

    private static JsonObject parse(Frame frame) {
        String text =
                StandardCharsets.UTF_8.decode(ByteBuffer.wrap(frame.payload())).toString();
        assertThat(text.getBytes(StandardCharsets.UTF_8)).as("valid UTF-8").isEqualTo(frame.payload());
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static void assertStreamWhole(List<JsonObject> messages) {
        List<JsonObject> live = messages.subList(
                messages.indexOf(messages.stream()
                                .filter(m -> m.getString("type").equals("snapshot"))
                                .findFirst()
                                .orElseThrow())
                        + 1,
                messages.size());
        List<Long> seqs = TestSocket.primarySeqs(live);
        assertThat(seqs).isNotEmpty();
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("every event once, in order").isEqualTo(seqs.get(i - 1) + 1);
        }
        assertThat(live)
                .filteredOn(m -> m.getString("type").equals("task_completed"))
                .hasSize(NODES - 1)
                .allSatisfy(m ->
                        assertThat(m.getJsonObject("data").getString("output")).isEqualTo(CHINESE_NOTE));
        assertThat(live)
                .filteredOn(m -> m.getString("type").equals("task_failed"))
                .singleElement()
                .satisfies(m ->
                        assertThat(m.getJsonObject("data").getString("error")).hasSizeGreaterThan(65_536 / 3));
        assertThat(live.getLast().getString("type")).isEqualTo("session_completed");
    }
}
