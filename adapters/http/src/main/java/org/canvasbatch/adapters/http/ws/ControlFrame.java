package org.canvasbatch.adapters.http.ws;

import java.nio.charset.StandardCharsets;

/**
 * The control frames a server sends (RFC 6455 §5.5), complete and unmasked, framed here so that they go out through the
 * socket's {@link Wire} in one order with its data, and not through Helidon's per-connection send buffer and lock.
 */
final class ControlFrame {

    private static final int FIN_CLOSE = 0x88;
    private static final int FIN_PING = 0x89;
    private static final int FIN_PONG = 0x8A;
    /** A control frame's payload is at most 125 bytes (§5.5). */
    private static final int MAX_PAYLOAD = 125;

    private ControlFrame() {}

    static byte[] ping() {
        return new byte[] {(byte) FIN_PING, 0};
    }

    /** The answer to a ping: its payload, echoed (a ping's payload is already at most 125 bytes). */
    static byte[] pong(byte[] payload) {
        return frame(FIN_PONG, payload);
    }

    /** A close frame with its code and as much of the reason as fits whole in 123 bytes of UTF-8. */
    static byte[] close(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int length = text.length;
        while (length > MAX_PAYLOAD - 2 || (length < text.length && (text[length] & 0xC0) == 0x80)) {
            length--;
        }
        byte[] payload = new byte[2 + length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, length);
        return frame(FIN_CLOSE, payload);
    }

    private static byte[] frame(int first, byte[] payload) {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a control frame's payload is at most 125 bytes: " + payload.length);
        }
        byte[] frame = new byte[2 + payload.length];
        frame[0] = (byte) first;
        frame[1] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 2, payload.length);
        return frame;
    }
}
