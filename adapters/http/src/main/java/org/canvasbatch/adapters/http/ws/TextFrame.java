package org.canvasbatch.adapters.http.ws;

import java.nio.charset.StandardCharsets;

/**
 * A complete, final, unmasked WebSocket text frame as a server sends it (RFC 6455 §5.2): the same bytes suit every
 * socket, so a message is framed once and written to each socket as is.
 */
final class TextFrame {

    private static final int FIN_TEXT = 0x81;

    private TextFrame() {}

    static byte[] of(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
        byte[] frame = new byte[header + length];
        frame[0] = (byte) FIN_TEXT;
        if (length < 126) {
            frame[1] = (byte) length;
        } else if (length < 65_536) {
            frame[1] = 126;
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = 127;
            long wide = length;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) (wide >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, length);
        return frame;
    }
}
