package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A disk that can be told to be full: every write then fails as Linux reports it ("No space left on device"), after
 * the file was created, as on a real full disk. Counts the writes it refused.
 */
final class FullDisk implements FileOpener {

    volatile boolean full;
    final AtomicInteger refused = new AtomicInteger();
    /** Told each file whose channel this disk opened, once that channel is closed. */
    volatile Consumer<Path> afterClosing = path -> {};

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        return new Channel(FileChannel.open(path, options), path);
    }

    /** A file opened in a folder held open is on this disk too (on Linux the JDK's channel there is a file channel). */
    @Override
    public SeekableByteChannel opened(Path path, SeekableByteChannel channel) {
        if (channel instanceof FileChannel file) {
            return new Channel(file, path);
        }
        throw new AssertionError("not a file channel, so not on this disk: " + channel.getClass());
    }

    private final class Channel extends FileChannel {

        private final FileChannel real;
        private final Path path;

        Channel(FileChannel real, Path path) {
            this.real = real;
            this.path = path;
        }

        private void refuseWhenFull() throws IOException {
            if (full) {
                refused.incrementAndGet();
                throw new IOException("No space left on device");
            }
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            refuseWhenFull();
            return real.write(source);
        }

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
            refuseWhenFull();
            return real.write(sources, offset, length);
        }

        @Override
        public int write(ByteBuffer source, long position) throws IOException {
            refuseWhenFull();
            return real.write(source, position);
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
        public int read(ByteBuffer target, long position) throws IOException {
            return real.read(target, position);
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
        public void force(boolean metaData) throws IOException {
            real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel source, long position, long count) throws IOException {
            refuseWhenFull();
            return real.transferFrom(source, position, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
            afterClosing.accept(path);
        }
    }
}
