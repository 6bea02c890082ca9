package org.canvasbatch.adapters.vault;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;

/**
 * Deletes the hidden temporary files ({@link AtomicFiles#isTemporaryName}) a writer killed in the middle of an atomic
 * write left beside the notes and canvases, and in the ledger's folder. Only what is certainly ours goes: a regular
 * file (never a link, whatever it points at), named exactly as {@link AtomicFiles} names them, last modified before
 * {@code cutoff} — minutes before the start, longer than any write of a live process takes, since another process may
 * be writing into the same vault (a {@code run} beside a {@code serve}, a server of a cluster). Folders the learner hides
 * ({@code .obsidian}, {@code .git}, {@code .trash}) are not entered: the vault never writes there.
 */
final class TemporaryLitter {

    private static final System.Logger LOG = System.getLogger(TemporaryLitter.class.getName());
    private static final int MAX_DEPTH = 64;

    private TemporaryLitter() {}

    /** Sweeps in a background thread; the future tells how many files went. */
    static CompletableFuture<Integer> sweepInBackground(Path root, Instant cutoff) {
        CompletableFuture<Integer> swept = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("canvas-batch-temporary-litter").start(() -> {
            try {
                swept.complete(sweep(root, cutoff));
            } catch (RuntimeException | Error e) {
                swept.completeExceptionally(e);
                throw e;
            }
        });
        return swept;
    }

    /** How many of our temporary files older than {@code cutoff} were found under {@code root} and deleted. */
    static int sweep(Path root, Instant cutoff) {
        int[] deleted = {0};
        try {
            Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), MAX_DEPTH, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    if (dir.equals(root)) {
                        return FileVisitResult.CONTINUE;
                    }
                    String name = dir.getFileName().toString();
                    boolean oursToLook =
                            !name.startsWith(".") || (name.equals(PendingLinks.FOLDER) && root.equals(dir.getParent()));
                    return oursToLook ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile()
                            && AtomicFiles.isTemporaryName(file.getFileName().toString())
                            && attributes.lastModifiedTime().toInstant().isBefore(cutoff)
                            && deleteIfStillTheSame(file, attributes)) {
                        deleted[0]++;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.log(
                    WARNING,
                    "Could not look for temporary files left by a stopped writer: {0}",
                    DiskProblem.describe(e));
        }
        if (deleted[0] > 0) {
            LOG.log(INFO, "Deleted {0} hidden temporary file(s) a stopped writer had left in the vault.", deleted[0]);
        }
        return deleted[0];
    }

    /** Deletes the file if it is still the regular file that was seen: not one swapped in since, never a link. */
    private static boolean deleteIfStillTheSame(Path file, BasicFileAttributes seen) {
        try {
            BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!now.isRegularFile()
                    || (seen.fileKey() != null && !seen.fileKey().equals(now.fileKey()))) {
                return false;
            }
            Files.delete(file);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            LOG.log(WARNING, "Could not delete the temporary file ''{0}'': {1}", file, DiskProblem.describe(e));
            return false;
        }
    }
}
