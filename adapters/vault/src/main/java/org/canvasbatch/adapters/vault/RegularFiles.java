package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Opens a file of the vault or the data folder for reading only if it is a regular file, never through a link, and
 * never with an open that can hold the caller: opening a named pipe for reading waits until something opens it for
 * writing, which may be never.
 *
 * <p>A look at the entry ({@code lstat}) before the open refuses a pipe that is already there, but not one swapped in
 * between the look and the open, and Java offers no {@code O_NONBLOCK} to open with. A read-write open never waits for
 * a pipe's other end, but it needs write permission (a read-only note or vault could not be read) and counts as a write
 * to whoever watches the folder, so it is not used on the learner's files. Instead the read-only open runs on a virtual
 * thread of its own while the caller looks at the entry again every {@link #LOOK_EVERY}: as long as it is still the file
 * that was looked at, the open is only slow (a network or on-demand disk) and is waited for, up to
 * {@link #OPEN_PATIENCE}; once anything else is there, the caller gives up at once, and a pipe's open is released by
 * opening that pipe for writing (which returns at once, since the stuck open is its reader; nothing is written). The
 * channel opened is then made to seek: a pipe or a socket cannot, so one that was swapped in and given a writer is
 * refused too, before a byte is read from it.
 */
public final class RegularFiles {

    /** How often a caller waiting for an open looks whether the file is still there. */
    static final Duration LOOK_EVERY = Duration.ofMillis(50);

    /** How long an open of the very file that was looked at is waited for: a slow disk, not a pipe. */
    static final Duration OPEN_PATIENCE = Duration.ofSeconds(30);

    private RegularFiles() {}

    /** Thrown when what is at a name is not a regular file, or stopped being one while it was opened. */
    public static final class NotARegularFile extends FileSystemException {
        private final String what;

        NotARegularFile(Path file, String what) {
            super(file.toString(), null, "it is " + what + ", not a regular file; it is not read");
            this.what = what;
        }

        /** "a named pipe (FIFO)", "a symbolic link", "a folder", …: what is there, in words. */
        public String what() {
            return what;
        }
    }

    /** How a file is opened, or looked at, in one place: by path, or in a folder held open. */
    @FunctionalInterface
    interface Step<T> {
        T run() throws IOException;
    }

    /**
     * Opens {@code file} for reading after a look of its own.
     *
     * @throws NoSuchFileException when nothing is there
     * @throws NotARegularFile     when something other than a regular file is, or comes to be while it is opened
     */
    public static InputStream read(Path file) throws IOException {
        BasicFileAttributes looked = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!looked.isRegularFile()) {
            throw new NotARegularFile(file, FileKind.describe(file, looked));
        }
        return read(file, looked);
    }

    /**
     * Opens {@code file}, which {@code looked} showed to be a regular file, for reading.
     *
     * @throws NotARegularFile when something other than that file is there by the time it is opened
     */
    static InputStream read(Path file, BasicFileAttributes looked) throws IOException {
        return Channels.newInputStream(open(
                file,
                looked,
                () -> Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS),
                () -> attributesOrNull(file),
                () -> FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)));
    }

    /**
     * Opens the file {@code name} in a folder held open, which {@code looked} showed to be a regular file, for reading.
     */
    static InputStream read(HeldFolder folder, Path name, BasicFileAttributes looked) throws IOException {
        return Channels.newInputStream(open(
                folder.resolve(name),
                looked,
                // apart from the folder's own handle: an open left waiting on a pipe must not keep it from closing
                () -> folder.openApart(name, Set.of(StandardOpenOption.READ)),
                () -> folder.attributes(name),
                () -> folder.openApart(name, Set.of(StandardOpenOption.WRITE))));
    }

    /**
     * The open itself: {@code opening} on a thread of its own, waited for while {@code look} still finds the file that
     * was looked at; {@code release} opens what is there for writing, only ever called when that is not a regular file.
     */
    static SeekableByteChannel open(
            Path shown,
            BasicFileAttributes looked,
            Step<SeekableByteChannel> opening,
            Step<BasicFileAttributes> look,
            Step<? extends AutoCloseable> release)
            throws IOException {
        if (!looked.isRegularFile()) {
            throw new NotARegularFile(shown, FileKind.describe(shown, looked));
        }
        SeekableByteChannel channel =
                watched(shown, looked, BasicFileAttributes::isRegularFile, opening, look, release);
        try {
            // a pipe or a socket cannot seek: one swapped in and given a writer before the open is not read from
            channel.position();
        } catch (IOException e) {
            channel.close();
            throw new NotARegularFile(shown, "a named pipe or a socket since it was looked at");
        }
        return channel;
    }

    /**
     * Opens what {@code looked} showed to be of the kind {@code sameKind} accepts (a regular file, a folder) without
     * waiting on a named pipe swapped in since: {@code opening} runs on a thread of its own, waited for while
     * {@code look} still finds the same entry (a slow disk), up to {@link #OPEN_PATIENCE}; once anything else is there
     * it is given up, and {@code release} opens that pipe for writing so the open given up returns (and is closed).
     *
     * @throws NotARegularFile when something else is there by the time it is opened; {@code what()} says what
     */
    static <T extends AutoCloseable> T watched(
            Path shown,
            BasicFileAttributes looked,
            Predicate<BasicFileAttributes> sameKind,
            Step<T> opening,
            Step<BasicFileAttributes> look,
            Step<? extends AutoCloseable> release)
            throws IOException {
        CompletableFuture<T> opened = new CompletableFuture<>();
        Thread.ofVirtual().name("open-watched").start(() -> {
            try {
                opened.complete(opening.run());
            } catch (Throwable e) {
                opened.completeExceptionally(e);
            }
        });
        long deadline = System.nanoTime() + OPEN_PATIENCE.toNanos();
        while (true) {
            try {
                return opened.get(LOOK_EVERY.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException slow) {
                BasicFileAttributes now = look.run();
                boolean same = now != null && sameKind.test(now) && Objects.equals(now.fileKey(), looked.fileKey());
                if (same && System.nanoTime() - deadline < 0) {
                    continue;
                }
                abandon(opened);
                if (now != null && now.isOther()) {
                    releaseLater(release);
                }
                if (same) {
                    throw new FileSystemException(
                            shown.toString(), null, "it did not open within " + OPEN_PATIENCE.toSeconds() + " s");
                }
                throw new NotARegularFile(
                        shown, now == null ? "gone" : FileKind.describe(shown, now) + " since it was looked at");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException("opening " + shown + " failed", e.getCause());
            } catch (InterruptedException e) {
                abandon(opened);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while opening " + shown);
            }
        }
    }

    private static BasicFileAttributes attributesOrNull(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Whatever the open given up on brings is closed when it comes. */
    private static void abandon(CompletableFuture<? extends AutoCloseable> opened) {
        opened.thenAccept(channel -> {
            try {
                channel.close();
            } catch (Exception e) {
                // nothing was read from it
            }
        });
    }

    /**
     * Opens the pipe an abandoned open waits on for writing, and closes it at once: the abandoned open returns (and is
     * closed). On a thread of its own, since a pipe swapped once more would leave this open waiting in turn.
     */
    private static void releaseLater(Step<? extends AutoCloseable> release) {
        Thread.ofVirtual().name("release-pipe").start(() -> {
            try (AutoCloseable writer = release.run()) {
                // opened, so the reader's open has returned; nothing is written
            } catch (Exception e) {
                // gone or refused meanwhile: the abandoned open waits on; it holds nothing of the caller's
            }
        });
    }
}
