package org.canvasbatch.adapters.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A disk that can be told to fail: to refuse writes altogether (read-only), to fill up part-way through a write, or to
 * fail a sync. It also remembers, per file, how many written bytes are not yet synced. Shared with other modules' tests
 * through this module's test jar (a full disk under a real server, end to end).
 */
public final class FaultyDisk implements ChannelOpener {

    public volatile boolean readOnly;
    /** When set, a write stores this many more bytes, then fails as a full disk does; {@code 0L}: the disk is full. */
    public volatile Long bytesUntilFull;

    public volatile boolean failSync;
    /** A file system without locks (some network shares): every lock fails with "No locks available". */
    public volatile boolean locksUnsupported;
    /** A file system without hard links (FAT, some network shares): every link fails with "Operation not permitted". */
    public volatile boolean linksUnsupported;
    /** Runs as a file is closed, before it is; it may throw as a buggy channel would. */
    public volatile java.util.function.Consumer<Path> onClose = path -> {};

    private final Map<Path, AtomicLong> unsynced = new ConcurrentHashMap<>();

    /** The disk is full: every write fails with "No space left on device" until {@link #free()}. */
    public void fill() {
        bytesUntilFull = 0L;
    }

    /** Space is back. */
    public void free() {
        bytesUntilFull = null;
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        boolean writes = Arrays.asList(options).contains(StandardOpenOption.WRITE);
        if (readOnly && writes) {
            throw new FileSystemException(path.toString(), null, "Read-only file system");
        }
        return new Channel(path, FileChannel.open(path, options));
    }

    @Override
    public void link(Path link, Path existing) throws IOException {
        if (linksUnsupported) {
            throw new FileSystemException(link.toString(), existing.toString(), "Operation not permitted");
        }
        ChannelOpener.super.link(link, existing);
    }

    long unsyncedBytes(Path file) {
        AtomicLong bytes = unsynced.get(file);
        return bytes == null ? 0 : bytes.get();
    }

    private final class Channel extends FileChannel {
        private final Path path;
        private final FileChannel real;

        Channel(Path path, FileChannel real) {
            this.path = path;
            this.real = real;
        }

        private int guardedWrite(ByteBuffer source, long position) throws IOException {
            Long left = bytesUntilFull;
            if (left != null) {
                if (left <= 0) {
                    throw new IOException("No space left on device");
                }
                if (source.remaining() > left) {
                    ByteBuffer part = source.slice(source.position(), (int) (long) left);
                    int written = position < 0 ? real.write(part) : real.write(part, position);
                    source.position(source.position() + written);
                    bytesUntilFull = left - written;
                    counted(written);
                    return written;
                }
                bytesUntilFull = left - source.remaining();
            }
            return counted(position < 0 ? real.write(source) : real.write(source, position));
        }

        private int counted(int written) {
            unsynced.computeIfAbsent(path, p -> new AtomicLong()).addAndGet(written);
            return written;
        }

        @Override
        public int write(ByteBuffer source, long position) throws IOException {
            return guardedWrite(source, position);
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            return guardedWrite(source, -1);
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (failSync) {
                throw new IOException("Input/output error");
            }
            real.force(metaData);
            unsynced.computeIfAbsent(path, p -> new AtomicLong()).set(0);
        }

        @Override
        public int read(ByteBuffer target) throws IOException {
            return real.read(target);
        }

        @Override
        public long read(ByteBuffer[] targets, int offset, int length) throws IOException {
            return real.read(targets, offset, length);
        }

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
            throw new UnsupportedOperationException("the journal writes one buffer at a time");
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel source, long position, long count) throws IOException {
            throw new UnsupportedOperationException("the journal writes one buffer at a time");
        }

        @Override
        public int read(ByteBuffer target, long position) throws IOException {
            return real.read(target, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            throw new UnsupportedOperationException("the journal maps nothing");
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            if (locksUnsupported) {
                throw new IOException("No locks available");
            }
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            try {
                onClose.accept(path);
            } finally {
                real.close();
            }
        }
    }
}
