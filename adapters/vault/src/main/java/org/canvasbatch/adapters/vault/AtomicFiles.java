package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Set;

/**
 * Replaces a file so that a reader (Obsidian, a sync client) sees either the old or the new content, never half of
 * one: the bytes go to a temporary file in the same folder, which is then renamed over the target. The temporary
 * name starts with a dot so Obsidian does not index it, and is short so a long target name cannot make it too long.
 * A rename replaces a symbolic link at the target rather than writing through it; callers that mean to write through
 * one resolve it first. The temporary file is created only where nothing is ({@code O_EXCL}, never through a link), so
 * neither a link nor a named pipe planted at a name this class might pick is written through or waited on.
 *
 * <p>Public for the one file of this program's own outside the vault, the data folder's plugin windows
 * ({@link #replaceOnDisk}), so that both are replaced by this one implementation, and what a killed replace leaves
 * there deleted by the vault's own rule ({@link #deleteLeftovers}).
 */
public final class AtomicFiles {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String TEMPORARY_PREFIX = ".canvas-batch-";
    private static final String TEMPORARY_SUFFIX = ".tmp";
    /** Exactly the names {@link #writeTemporary} gives: nothing a person names a file by chance. */
    private static final java.util.regex.Pattern TEMPORARY_NAME =
            java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(TEMPORARY_PREFIX) + "[0-9a-f]{16}"
                    + java.util.regex.Pattern.quote(TEMPORARY_SUFFIX));

    private static final String PREVIOUS_SUFFIX = ".prev";
    /** Exactly the names {@link #previousName} gives. */
    private static final java.util.regex.Pattern PREVIOUS_NAME =
            java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(TEMPORARY_PREFIX) + "[0-9a-f]{16}"
                    + java.util.regex.Pattern.quote(PREVIOUS_SUFFIX));

    private static final AtomicFiles ON_DISK = new AtomicFiles(FileOpener.DEFAULT);

    private final FileOpener opener;

    AtomicFiles(FileOpener opener) {
        this.opener = opener;
    }

    /**
     * Replaces {@code target} with {@code bytes} as the vault replaces a note: a reader sees the old content or the new,
     * a link at {@code target} is replaced rather than written through, and nothing but a new file is ever opened.
     */
    public static void replaceOnDisk(Path target, byte[] bytes) throws IOException {
        ON_DISK.write(target, bytes, false);
    }

    /**
     * Deletes the temporary files a {@link #replaceOnDisk} killed between its write and its rename left in
     * {@code folder}, none of the folders in it entered, by the vault's own rule: only regular files (never a link,
     * whatever it points at) of exactly the names this class gives, older than five minutes by {@code clock}, so that a
     * file another live process is still writing is kept. The folder is held open while it is looked through and the
     * files deleted; trouble is logged, never thrown.
     *
     * @param where the folder in words, for the log ("the data folder")
     * @return how many were deleted
     */
    public static int deleteLeftovers(Path folder, String where, Clock clock) {
        return TemporaryLitter.sweepOnly(folder, where, clock.instant().minus(FileVault.LITTER_AGE));
    }

    /** @param durable force the bytes to the disk before the rename: for the user's canvas, not for notes */
    void write(Path target, byte[] bytes, boolean durable) throws IOException {
        Path temporary = writeTemporary(target, bytes, durable);
        try {
            replace(temporary, target);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * The bytes in a new temporary file beside {@code target}, with the target's permissions, so that the rename is
     * all that is left to do; deleted again if they cannot all be written.
     */
    Path writeTemporary(Path target, byte[] bytes, boolean durable) throws IOException {
        Path temporary = target.resolveSibling(temporaryName());
        try (FileChannel channel = opener.open(
                temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (durable) {
                channel.force(true);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        keepPermissions(target, temporary);
        return temporary;
    }

    /**
     * As {@link #writeTemporary(Path, byte[], boolean)}, in a folder held open ({@link HeldFolder}): the new file is
     * made ({@code O_EXCL}, never through a link), written and given the permissions of the regular file at
     * {@code target}, if any, each step relative to that folder, so a name above swapped for a link meanwhile leads
     * none of them elsewhere. Not forced to the disk: for notes. Deleted again if the bytes cannot all be written.
     *
     * @return the temporary file's name in {@code folder}, for {@link HeldFolder#rename} over {@code target}
     */
    Path writeTemporary(HeldFolder folder, Path target, byte[] bytes) throws IOException {
        return writeTemporary(folder, target, bytes, false);
    }

    /**
     * As {@link #writeTemporary(HeldFolder, Path, byte[])}, the bytes forced to the disk before it returns when
     * {@code durable}: for the learner's canvas.
     *
     * <p>The new file takes what the file it replaces carries besides its bytes, as far as it can
     * ({@link KeptAttributes}): it is made with its permissions, then given its group and its extended attributes
     * before the bytes are forced, so that a canvas forced to the disk has them too.
     */
    Path writeTemporary(HeldFolder folder, Path target, byte[] bytes, boolean durable) throws IOException {
        Path temporary = Path.of(temporaryName());
        KeptAttributes kept = KeptAttributes.of(folder, target);
        Set<PosixFilePermission> wanted = kept == null ? null : kept.permissions();
        // Made with the target's permissions rather than given them afterwards: the JDK sets a file's permissions in a
        // held folder by opening it (an open of a named pipe swapped in at the temporary name would wait for a writer
        // for ever, with the folder's lock held), and a chmod by name would change whatever file a hard link swapped in
        // there is, outside the vault too. So the umask may take a group or other write bit the note had.
        try {
            SeekableByteChannel made = folder.open(
                    temporary,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    wanted == null
                            ? new java.nio.file.attribute.FileAttribute<?>[0]
                            : new java.nio.file.attribute.FileAttribute<?>[] {
                                PosixFilePermissions.asFileAttribute(wanted)
                            });
            Object madeAs;
            SeekableByteChannel channel;
            try {
                madeAs = kept == null ? null : kept.madeAs(folder, temporary);
                channel = opener.opened(folder.resolve(temporary), made);
            } catch (IOException | RuntimeException e) {
                made.close();
                throw e;
            }
            try (channel) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (kept != null) {
                    kept.giveTo(folder, temporary, madeAs, bytes.length);
                }
                if (durable && made instanceof FileChannel file) {
                    file.force(true);
                }
            }
        } catch (IOException | RuntimeException e) {
            deleteTemporary(folder, temporary, e);
            throw e;
        }
        return temporary;
    }

    /** Deletes the temporary file {@code name} from {@code folder} if it is still there; trouble joins {@code e}. */
    static void deleteTemporary(HeldFolder folder, Path name, Exception e) {
        try {
            folder.delete(name);
        } catch (NoSuchFileException gone) {
            // not made, or renamed already
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
    }

    /** Renames the temporary file over the target. */
    void replace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A new name for a temporary file, random: one {@link #isTemporaryName} knows. */
    static String temporaryName() {
        return TEMPORARY_PREFIX + randomHex() + TEMPORARY_SUFFIX;
    }

    /** Whether a file name is one {@link #writeTemporary} gives. */
    static boolean isTemporaryName(String fileName) {
        return TEMPORARY_NAME.matcher(fileName).matches();
    }

    /**
     * A new hidden name under which a file about to be replaced stays readable for a moment (a hard link to it): one
     * {@link #isPreviousName} knows.
     */
    static String previousName() {
        return TEMPORARY_PREFIX + randomHex() + PREVIOUS_SUFFIX;
    }

    /** Whether a file name is one {@link #previousName} gives. */
    static boolean isPreviousName(String fileName) {
        return PREVIOUS_NAME.matcher(fileName).matches();
    }

    static String randomHex() {
        byte[] suffix = new byte[8];
        RANDOM.nextBytes(suffix);
        return HexFormat.of().formatHex(suffix);
    }

    private static void keepPermissions(Path target, Path temporary) {
        try {
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(target));
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system, or not ours to change: the default permissions will do.
        }
    }
}
