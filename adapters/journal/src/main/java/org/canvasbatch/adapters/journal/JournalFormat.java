package org.canvasbatch.adapters.journal;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The bytes of a session journal: an 8-byte header {@code "CBJL"} + format version, then records
 * {@code [int length][int crc32c][payload]} (big-endian). The checksum covers the length field and the payload, so a
 * damaged length is caught as surely as a damaged event.
 */
final class JournalFormat {

    static final int MAGIC = 0x43424A4C; // "CBJL"
    static final int FORMAT = 1;
    static final int HEADER_BYTES = 8;
    static final int FRAME_BYTES = 8;
    /** Far above any real event (a session has at most 10 000 nodes); a larger length can only be damage. */
    static final int MAX_PAYLOAD_BYTES = 64 << 20;

    private JournalFormat() {}

    static ByteBuffer header() {
        return ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(FORMAT).flip();
    }

    static int checksum(int length, byte[] payload, int offset) {
        var crc = new CRC32C();
        crc.update(ByteBuffer.allocate(4).putInt(0, length));
        crc.update(payload, offset, length);
        return (int) crc.getValue();
    }

    /** Frames payloads back to back; {@code offsets} receives where each record starts within the result. */
    static ByteBuffer frame(List<byte[]> payloads, long[] offsets) {
        int total = 0;
        for (byte[] payload : payloads) {
            total = Math.addExact(total, FRAME_BYTES + payload.length);
        }
        ByteBuffer records = ByteBuffer.allocate(total);
        int i = 0;
        for (byte[] payload : payloads) {
            offsets[i++] = records.position();
            records.putInt(payload.length)
                    .putInt(checksum(payload.length, payload, 0))
                    .put(payload);
        }
        return records.flip();
    }

    /** Whether the bytes hold a whole record with a matching checksum starting at {@code at}. */
    static boolean intactRecordAt(byte[] bytes, int at) {
        if (at + FRAME_BYTES > bytes.length) {
            return false;
        }
        int length = ByteBuffer.wrap(bytes, at, FRAME_BYTES).getInt();
        if (length <= 0 || length > MAX_PAYLOAD_BYTES || length > bytes.length - at - FRAME_BYTES) {
            return false;
        }
        int stored = ByteBuffer.wrap(bytes, at + 4, 4).getInt();
        return checksum(length, bytes, at + FRAME_BYTES) == stored;
    }
}
