package org.canvasbatch.adapters.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.canvasbatch.application.port.out.EventLogException;

/**
 * One process's hold on a data folder: a system lock on {@code owner.lock} in it, which the system lets go of when the
 * process ends in any way (SIGKILL too), so nothing stale is ever left to clear by hand. A second process on the folder
 * — a second {@code serve}, a {@code run} beside the server — would read the first's running batches as interrupted by
 * a crash and run their nodes again, a second writer of each journal file: it is refused, told which process holds the
 * folder.
 *
 * <p>Within one process the holds are counted, not refused: the system's lock belongs to the process, and the code
 * that opens a journal twice there (a test's restart) closes each.
 */
final class DataFolderLock implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DataFolderLock.class.getName());

    static final String FILE = "owner.lock";
    /**
     * The byte locked: far past the pid written at the start, which a system with mandatory locks (Windows) would
     * otherwise not let the refused process read.
     */
    private static final long LOCKED_BYTE = Long.MAX_VALUE - 1;

    private static final int LONGEST_OWNER = 64;
    /** How long a start waits while dry runs look at the folder; a look takes an instant, a stalled one seconds. */
    private static final java.time.Duration LONGEST_LOOK = java.time.Duration.ofSeconds(10);
    /** Attempts, 20 ms apart, before a process holding the folder to use it is refused. */
    private static final int REFUSED_AFTER = 10;

    private static final Map<Path, Held> HELD = new HashMap<>();

    private final Path folder;
    private boolean released;

    private DataFolderLock(Path folder) {
        this.folder = folder;
    }

    /**
     * Takes the folder for this process. Each attempt is made under the monitor of this process's holds, and the waits
     * between attempts outside it: a start that waits out another process's dry run keeps no other journal of this
     * process from opening or closing meanwhile.
     *
     * @param folder the data folder's real path
     * @throws EventLogException when another process holds it, naming that process, or the lock file cannot be made
     */
    static DataFolderLock take(Path folder, ChannelOpener opener) {
        long looksEndBy = System.nanoTime() + LONGEST_LOOK.toNanos();
        for (int attempt = 0; ; attempt++) {
            synchronized (HELD) {
                Held held = HELD.get(folder);
                if (held == null) {
                    held = lock(folder, opener, attempt >= REFUSED_AFTER, System.nanoTime() > looksEndBy);
                }
                if (held != null) {
                    HELD.putIfAbsent(folder, held);
                    held.count++;
                    return new DataFolderLock(folder);
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EventLogException("interrupted while waiting for " + folder);
            }
        }
    }

    /**
     * One attempt at the system's lock: held, or null to try again a moment later while the folder may be free soon.
     * A dry run's look ({@link #refuseIfHeld}) holds a shared lock on the byte for an instant, and a start beside it
     * must not be refused as if the folder were in use — nor when that look stalls (a pause, a slow disk), which then
     * told of the folder's last writer as its holder; a process that holds the byte to use it (exclusively) refuses a
     * shared lock too, and is refused after a few attempts.
     */
    private static Held lock(Path folder, ChannelOpener opener, boolean refuseAHolder, boolean looksTooLong) {
        Path file = folder.resolve(FILE);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            // a link, a folder, a pipe: not opened (an open of a pipe can wait, or hand over someone else's bytes)
            throw new EventLogException(
                    "cannot use " + folder + ": " + file + " is not a file the journal made; move it away");
        }
        FileChannel channel;
        try {
            channel = opener.open(
                    file,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new EventLogException("cannot write to " + folder + ": " + FileJournal.reason(e), e);
        }
        try {
            FileLock lock;
            try {
                lock = channel.tryLock(LOCKED_BYTE, 1, false);
            } catch (OverlappingFileLockException e) {
                // another channel of this process: not counted here, so not ours to share
                String owner = ownerOf(channel);
                channel.close();
                throw new EventLogException(inUse(owner));
            } catch (IOException e) {
                // a file system without locks (some network shares): the journal works as it did before it locked
                LOG.log(
                        System.Logger.Level.WARNING,
                        "cannot lock " + file + " (" + e.getMessage() + "): nothing stops a second canvas-batch on "
                                + folder + " from running this one's batches again; give each its own folder");
                return new Held(channel, null);
            }
            if (lock == null) {
                boolean onlyLooks = onlyLookedAt(channel);
                String owner = ownerOf(channel);
                channel.close();
                if (onlyLooks && looksTooLong) {
                    throw new EventLogException("another canvas-batch has been reading the folder for over "
                            + LONGEST_LOOK.toSeconds() + " s (a dry run of `run`); try again once it has finished");
                }
                if (!onlyLooks && refuseAHolder) {
                    throw new EventLogException(inUse(owner));
                }
                return null;
            }
            channel.truncate(0);
            channel.write(
                    ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new Held(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new EventLogException("cannot write to " + folder + ": " + file + ": " + FileJournal.reason(e), e);
        }
    }

    /**
     * Whether the byte is held by shared locks only, the looks of dry runs. A probe that fails says nothing of the
     * holder: taken as a holder, so that a start is refused rather than run beside one without a lock.
     */
    private static boolean onlyLookedAt(FileChannel channel) {
        try {
            FileLock shared = channel.tryLock(LOCKED_BYTE, 1, true);
            if (shared == null) {
                return false;
            }
            shared.release();
            return true;
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }

    /**
     * Refuses, as {@link #take} would, a folder another process holds, without taking it or writing anything: a shared
     * lock on the byte the holder locks is refused while it holds it, and needs no write access. A folder whose lock
     * file is missing or cannot be opened is held by nobody that could be told.
     *
     * @param folder the data folder's real path
     * @throws EventLogException when another process holds it, in {@link #take}'s words
     */
    static void refuseIfHeld(Path folder) {
        // all of it under the monitor: closing any handle of the lock file drops every lock this process has on it
        // (POSIX), so a take() beside this look would lose its lock
        synchronized (HELD) {
            if (HELD.containsKey(folder)) {
                return; // this process's own: counted, not refused
            }
            lookForAHolder(folder);
        }
    }

    private static void lookForAHolder(Path folder) {
        Path file = folder.resolve(FILE);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new EventLogException(
                    "cannot use " + folder + ": " + file + " is not a file the journal made; move it away");
        }
        try (FileChannel channel = openToLook(file)) {
            FileLock lock;
            try {
                lock = channel.tryLock(LOCKED_BYTE, 1, true);
            } catch (OverlappingFileLockException e) {
                return;
            } catch (IOException e) {
                return; // no locks on this file system: nothing to tell
            }
            if (lock == null) {
                String owner = ownerOf(channel);
                throw new EventLogException(inUse(owner));
            }
            lock.release();
        } catch (IOException unreadable) {
            // a lock file this process cannot open: the real open says what is wrong with the folder
        }
    }

    /**
     * Read-write where it may, which changes nothing and never waits on a named pipe swapped in since the look; read-only
     * where it may not (a read-only disk), where only such a swap could make the open wait.
     */
    private static FileChannel openToLook(Path file) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(
                    file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.FileSystemException | java.nio.file.ReadOnlyFileSystemException notForWriting) {
            channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        }
        try {
            channel.position(); // a pipe or socket cannot seek: not the journal's lock file
        } catch (IOException e) {
            channel.close();
            throw new EventLogException(
                    "cannot use " + file.getParent() + ": " + file + " is not a file the journal made; move it away");
        }
        return channel;
    }

    private static String inUse(String owner) {
        return "the folder is in use by another canvas-batch"
                + (owner.isEmpty() ? "" : " (process " + owner + ")")
                + ", and two on one folder would each run the other's batches again: stop that one, or give"
                + " this one another folder (or memory, which keeps nothing)";
    }

    /** The pid the holder wrote, digits only (the file is anyone's to write), or empty. */
    private static String ownerOf(FileChannel channel) throws IOException {
        ByteBuffer start = ByteBuffer.allocate(LONGEST_OWNER);
        channel.read(start, 0);
        String text = new String(start.array(), 0, start.position(), StandardCharsets.US_ASCII).strip();
        return text.matches("[0-9]{1,19}") ? text : "";
    }

    @Override
    public void close() {
        synchronized (HELD) {
            if (released) {
                return;
            }
            released = true;
            Held held = HELD.get(folder);
            if (held != null && --held.count == 0) {
                HELD.remove(folder);
                closeQuietly(held.channel);
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close(); // releases the lock
        } catch (IOException ignored) {
            // the process's end lets go of it all the same
        }
    }

    private static final class Held {
        private final FileChannel channel;

        /** Null where the file system has no locks. */
        @SuppressWarnings("unused") // held for as long as the channel is open
        private final FileLock lock;

        private int count;

        Held(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }
    }
}
