package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RFC 6455 §5.2: the ready frames every socket writes as they are decode as one final, unmasked text frame. */
class TextFrameTest {

    @Test
    void eachPayloadLengthGetsTheHeaderTheRfcPrescribesAndTheUtf8PayloadUnmasked() {
        for (int length : new int[] {0, 125, 126, 65_535, 65_536, 200_000}) {
            String text = "离".repeat(length / 3) + "x".repeat(length % 3);
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            assertThat(payload).hasSize(length);

            byte[] frame = TextFrame.of(text);

            assertThat(frame[0] & 0xFF).as("FIN, opcode text").isEqualTo(0x81);
            assertThat(frame[1] & 0x80).as("a server frame is not masked").isZero();
            int marker = frame[1] & 0x7F;
            long declared;
            int header;
            if (marker < 126) {
                declared = marker;
                header = 2;
            } else if (marker == 126) {
                declared = ((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF);
                header = 4;
                assertThat(declared).as("the shortest form").isGreaterThanOrEqualTo(126);
            } else {
                declared = 0;
                for (int i = 2; i < 10; i++) {
                    declared = (declared << 8) | (frame[i] & 0xFF);
                }
                header = 10;
                assertThat(declared).as("the shortest form").isGreaterThanOrEqualTo(65_536);
            }
            assertThat(declared).isEqualTo(length);
            assertThat(Arrays.copyOfRange(frame, header, frame.length)).isEqualTo(payload);
        }
    }
}
