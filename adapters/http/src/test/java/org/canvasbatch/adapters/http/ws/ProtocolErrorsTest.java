package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.adapters.http.ws.RawSocket.Frame;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames no well-behaved client sends, written by hand on a raw socket: each is answered as RFC 6455 says (a close
 * frame with 1002 protocol error, 1007 invalid payload, 1009 too big), never with HTTP written into the WebSocket
 * stream and never with a silent drop. (JSON that is hostile but well-framed is {@link ClientMessagesTest}'s.)
 */
class ProtocolErrorsTest {

    private final TestServer server = new TestServer(WsSettings.DEFAULT);

    @AfterEach
    void stop() {
        server.close();
    }

    private RawSocket connected() {
        SessionId id = server.analyze(2);
        RawSocket socket = RawSocket.connect(server.port(), "/ws/intelligent-parallel/" + id.value(), 64 * 1024);
        Frame frame;
        do {
            frame = socket.read();
            assertThat(frame).as("the snapshot arrives").isNotNull();
        } while (!(frame.opcode() == 1 && frame.text().contains("\"type\":\"snapshot\"")));
        return socket;
    }

    /** Everything the server sends until it ends the connection, as frames; fails on bytes that are not frames. */
    private static List<Frame> framesUntilEnd(RawSocket socket) {
        byte[] bytes = socket.readToEnd();
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                .as("no HTTP response inside the WebSocket stream")
                .doesNotContain("HTTP/1.1");
        List<Frame> frames = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            assertThat(bytes.length - at).as("a whole frame header").isGreaterThanOrEqualTo(2);
            int opcode = bytes[at] & 0x0f;
            assertThat(bytes[at] & 0x70).as("no reserved bit").isZero();
            long length = bytes[at + 1] & 0x7f;
            at += 2;
            if (length == 126) {
                length = ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
                at += 2;
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (bytes[at + i] & 0xff);
                }
                at += 8;
            }
            assertThat(bytes.length - at).as("a whole frame payload").isGreaterThanOrEqualTo((int) length);
            byte[] payload = java.util.Arrays.copyOfRange(bytes, at, at + (int) length);
            frames.add(new Frame(opcode, payload));
            at += (int) length;
        }
        return frames;
    }

    private static Frame closeFrame(List<Frame> frames) {
        assertThat(frames).as("a close frame before the end").anyMatch(Frame::isClose);
        return frames.stream().filter(Frame::isClose).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf})
    void aReservedOpcodeIsClosedWith1002(int opcode) {
        RawSocket socket = connected();

        socket.sendFrame(opcode, "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(closeFrame(framesUntilEnd(socket)).closeCode()).isEqualTo(1002);
    }

    @Test
    void aFrameWithAReservedBitIsClosedWith1002() {
        RawSocket socket = connected();

        socket.sendFrame(0x40 | 1, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(closeFrame(framesUntilEnd(socket)).closeCode()).isEqualTo(1002);
    }

    @Test
    void aFragmentedOrOversizedControlFrameIsClosedWith1002() {
        RawSocket fragmented = connected();
        fragmented.sendFrame(9, false, new byte[] {1, 2}, 2);
        assertThat(closeFrame(framesUntilEnd(fragmented)).closeCode()).isEqualTo(1002);

        RawSocket oversized = connected();
        oversized.sendFrame(9, new byte[126]);
        assertThat(closeFrame(framesUntilEnd(oversized)).closeCode()).isEqualTo(1002);
    }

    @Test
    void aContinuationWithNothingToContinueIsClosedWith1002() {
        RawSocket socket = connected();

        socket.sendFrame(0, "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(closeFrame(framesUntilEnd(socket)).closeCode()).isEqualTo(1002);
    }

    @Test
    void invalidUtf8InATextMessageIsClosedWith1007() {
        RawSocket single = connected();
        single.sendFrame(1, new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', '}'});
        assertThat(closeFrame(framesUntilEnd(single)).closeCode()).isEqualTo(1007);

        RawSocket surrogate = connected();
        // CESU-style encoded surrogate U+D800: not UTF-8
        surrogate.sendFrame(1, new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'});
        assertThat(closeFrame(framesUntilEnd(surrogate)).closeCode()).isEqualTo(1007);
    }

    @Test
    void aTextMessageThatEndsInsideACharacterIsClosedWith1007EvenAcrossFragments() {
        RawSocket truncated = connected();
        truncated.sendFrame(1, new byte[] {'"', 'a', (byte) 0xc3});
        assertThat(closeFrame(framesUntilEnd(truncated)).closeCode()).isEqualTo(1007);

        RawSocket fragmented = connected();
        fragmented.sendFrame(1, false, new byte[] {'"', (byte) 0xe4}, 2);
        fragmented.sendFrame(0, false, new byte[] {(byte) 0xbd}, 1);
        fragmented.sendFrame(0, true, new byte[] {'"'}, 1);
        assertThat(closeFrame(framesUntilEnd(fragmented)).closeCode()).isEqualTo(1007);
    }

    @Test
    void aFrameBeyondTheTransportLimitIsClosedWith1009() {
        RawSocket socket = connected();

        socket.sendFrame(1, true, new byte[0], 4L * 1024 * 1024);

        assertThat(closeFrame(framesUntilEnd(socket)).closeCode()).isEqualTo(1009);
    }

    @Test
    void aCloseFrameWithAnInvalidReasonIsAnsweredWith1007() {
        RawSocket socket = connected();

        socket.sendFrame(8, new byte[] {0x03, (byte) 0xe8, (byte) 0xff});

        assertThat(closeFrame(framesUntilEnd(socket)).closeCode()).isEqualTo(1007);
    }
}
