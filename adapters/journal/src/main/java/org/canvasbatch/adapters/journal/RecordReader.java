package org.canvasbatch.adapters.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Reads framed records one after another from a region of a journal, through one buffer (few system calls). */
final class RecordReader {

    /** What the next bytes hold. */
    sealed interface Step {}

    record Intact(long offset, byte[] payload) implements Step {}

    /** The region ends exactly at a record boundary. */
    record End() implements Step {}

    /** The bytes at {@code offset} are not a whole record with a matching checksum. */
    record Broken(long offset, String why) implements Step {}

    private static final int BUFFER_BYTES = 64 * 1024;

    private final FileChannel channel;
    private final long limit;
    private ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).flip();
    /** The file offset just after the buffer's last byte. */
    private long bufferEnd;

    RecordReader(FileChannel channel, long from, long limit) {
        this.channel = channel;
        this.bufferEnd = from;
        this.limit = limit;
    }

    Step next() throws IOException {
        long offset = bufferEnd - buffer.remaining();
        if (offset >= limit) {
            return new End();
        }
        if (!ensure(JournalFormat.FRAME_BYTES)) {
            return new Broken(offset, "the region ends inside a record header (" + (limit - offset) + " bytes left)");
        }
        int length = buffer.getInt(buffer.position());
        int stored = buffer.getInt(buffer.position() + 4);
        if (length <= 0 || length > JournalFormat.MAX_PAYLOAD_BYTES) {
            return new Broken(offset, "impossible record length " + length);
        }
        if (!ensure(JournalFormat.FRAME_BYTES + length)) {
            return new Broken(offset, "a record of " + length + " bytes is cut short");
        }
        buffer.position(buffer.position() + JournalFormat.FRAME_BYTES);
        byte[] payload = new byte[length];
        buffer.get(payload);
        if (JournalFormat.checksum(length, payload, 0) != stored) {
            return new Broken(offset, "checksum mismatch");
        }
        return new Intact(offset, payload);
    }

    /** Makes at least {@code bytes} unread bytes available; false when the region ends before. */
    private boolean ensure(int bytes) throws IOException {
        if (buffer.remaining() >= bytes) {
            return true;
        }
        if (bufferEnd - buffer.remaining() + bytes > limit) {
            return false;
        }
        if (buffer.capacity() < bytes) {
            ByteBuffer larger = ByteBuffer.allocate(bytes);
            larger.put(buffer);
            buffer = larger;
        } else {
            buffer.compact();
        }
        while (buffer.position() < bytes) {
            buffer.limit((int) Math.min(buffer.capacity(), buffer.position() + (limit - bufferEnd)));
            int read = channel.read(buffer, bufferEnd);
            if (read < 0) {
                buffer.flip();
                return false;
            }
            bufferEnd += read;
        }
        buffer.flip();
        return true;
    }
}
