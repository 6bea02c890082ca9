package org.canvasbatch.adapters.http.ws;

import java.io.ByteArrayOutputStream;

/** Client frames written by hand, as the tests send them: masked, any first byte, any length claimed. */
final class ClientFrames {

    /** The key every frame of {@link #masked(int, byte[])} is masked with: a fixed one keeps a failing test's bytes. */
    private static final byte[] MASK = {0x11, 0x22, 0x33, 0x44};

    private ClientFrames() {}

    /** A frame whose first byte is {@code first} (FIN, RSV and opcode as given) and whose length is the payload's. */
    static byte[] masked(int first, byte[] payload) {
        return masked(first, payload, payload.length, MASK);
    }

    /**
     * A frame claiming {@code declaredLength} payload bytes (to claim more than is sent) in the shortest form RFC 6455
     * allows, with {@code payload} masked by {@code mask}.
     */
    static byte[] masked(int first, byte[] payload, long declaredLength, byte[] mask) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(first);
        if (declaredLength < 126) {
            frame.write(0x80 | (int) declaredLength);
        } else if (declaredLength < 65_536) {
            frame.write(0x80 | 126);
            frame.write((int) (declaredLength >>> 8) & 0xff);
            frame.write((int) declaredLength & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (declaredLength >>> shift) & 0xff);
            }
        }
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    static byte[] join(byte[]... parts) {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            joined.writeBytes(part);
        }
        return joined.toByteArray();
    }
}
