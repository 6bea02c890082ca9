package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The check reads frames however the network cuts the bytes: a good frame in front of a bad one is handed on whole,
 * the bad one never; a character may straddle two fragments, a message may not end inside one.
 */
class FrameCheckTest {

    private static byte[] frame(int first, byte[] payload) {
        return ClientFrames.masked(first, payload);
    }

    private static byte[] join(byte[]... parts) {
        return ClientFrames.join(parts);
    }

    private static final byte[] PING_TEXT = frame(0x81, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));

    @Test
    void goodFramesPassWhateverTheCutsAndTheFirstBadOneIsHeldBack() {
        byte[] stream = join(PING_TEXT, PING_TEXT, frame(0x83, new byte[0]));
        FrameCheck check = new FrameCheck(1 << 20);

        int passed = 0;
        for (int i = 0; i < stream.length; i += 5) {
            byte[] chunk = Arrays.copyOfRange(stream, i, Math.min(stream.length, i + 5));
            int fine = check.feed(chunk);
            passed += fine;
            if (fine < chunk.length) {
                break;
            }
        }

        assertThat(passed).as("exactly the two good frames").isEqualTo(2 * PING_TEXT.length);
        assertThat(check.refusal().closeCode()).isEqualTo(1002);
        assertThat(check.refusal().getMessage()).isEqualTo("reserved opcode 3");
        assertThat(check.feed(PING_TEXT)).as("nothing after a refusal").isZero();
    }

    @Test
    void aCharacterMayStraddleFragmentsButAMessageMayNotEndInsideOne() {
        byte[] e = "é".getBytes(StandardCharsets.UTF_8);
        FrameCheck straddling = new FrameCheck(1 << 20);
        byte[] good = join(frame(0x01, new byte[] {'"', e[0]}), frame(0x80, new byte[] {e[1], '"'}));

        assertThat(straddling.feed(good)).isEqualTo(good.length);
        assertThat(straddling.refusal()).isNull();

        FrameCheck cut = new FrameCheck(1 << 20);
        byte[] bad = frame(0x81, new byte[] {'"', e[0]});
        assertThat(cut.feed(bad)).isZero();
        assertThat(cut.refusal().closeCode()).isEqualTo(1007);
    }

    @Test
    void overlongFormsSurrogatesAndCodePointsBeyondUnicodeAreNotUtf8() {
        for (byte[] invalid : new byte[][] {
            {(byte) 0xc0, (byte) 0xaf}, // overlong '/'
            {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, // overlong '/'
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // U+D800
            {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // U+110000
            {(byte) 0xff}
        }) {
            FrameCheck check = new FrameCheck(1 << 20);
            assertThat(check.feed(frame(0x81, invalid))).isZero();
            assertThat(check.refusal().closeCode()).isEqualTo(1007);
        }
        FrameCheck valid = new FrameCheck(1 << 20);
        byte[] text = frame(0x81, "命题 🙂 ok".getBytes(StandardCharsets.UTF_8));
        assertThat(valid.feed(text)).isEqualTo(text.length);
    }

    @Test
    void anUnmaskedFrameOrAForbiddenCloseCodeIsAProtocolError() {
        FrameCheck unmasked = new FrameCheck(1 << 20);
        assertThat(unmasked.feed(new byte[] {(byte) 0x81, 0x01, 'x'})).isZero();
        assertThat(unmasked.refusal().closeCode()).isEqualTo(1002);

        FrameCheck closeCode = new FrameCheck(1 << 20);
        assertThat(closeCode.feed(frame(0x88, new byte[] {0x03, (byte) 0xed}))).isZero();
        assertThat(closeCode.refusal().getMessage()).isEqualTo("close code 1005 not allowed");

        FrameCheck normalClose = new FrameCheck(1 << 20);
        byte[] close = frame(0x88, new byte[] {0x03, (byte) 0xe8, 'b', 'y', 'e'});
        assertThat(normalClose.feed(close)).isEqualTo(close.length);
    }
}
