package org.canvasbatch.adapters.vault;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Deletes the hidden temporary files ({@link AtomicFiles#isTemporaryName}) a writer killed in the middle of an atomic
 * write left beside the notes and canvases, and in the ledger's folder. Only what is certainly ours goes: a regular
 * file (never a link, whatever it points at), named exactly as {@link AtomicFiles} names them, last modified before
 * {@code cutoff} — minutes before the start, longer than any write of a live process takes, since another process may
 * be writing into the same vault (a {@code run} beside a {@code serve}, a server of a cluster). Folders the learner
 * hides ({@code .obsidian}, {@code .git}, {@code .trash}) are not entered: the vault never writes there.
 *
 * <p>The data folder's own file ({@code plugin-windows.json}, {@link AtomicFiles#replaceOnDisk}) leaves the same
 * litter there when its writer is killed; that folder alone is swept the same way ({@link #sweepOnly}), none of the
 * folders in it entered.
 *
 * <p>Each folder is held open while it is looked through ({@link HeldFolder}), so a folder swapped for a link while the
 * sweep is in it, or on its way into it, can neither lead it out of the vault nor have it delete anything but the
 * file it looked at.
 */
final class TemporaryLitter {

    private static final System.Logger LOG = System.getLogger(TemporaryLitter.class.getName());
    private static final int MAX_DEPTH = 64;

    private TemporaryLitter() {}

    /** Sweeps in a background thread; the future tells how many files went. */
    static CompletableFuture<Integer> sweepInBackground(Path root, Instant cutoff, long maxCanvasBytes) {
        CompletableFuture<Integer> swept = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("canvas-batch-temporary-litter").start(() -> {
            try {
                swept.complete(sweep(root, MAX_DEPTH, "the vault", cutoff, maxCanvasBytes, path -> {}));
            } catch (RuntimeException | Error e) {
                swept.completeExceptionally(e);
                throw e;
            }
        });
        return swept;
    }

    /** How many of our temporary files older than {@code cutoff} were found under {@code root} and deleted. */
    static int sweep(Path root, Instant cutoff) {
        return sweep(root, cutoff, path -> {});
    }

    /**
     * @param beforeActing told each folder right before it is entered and each file right before it is deleted (tests
     *     swap folders for links there)
     */
    static int sweep(Path root, Instant cutoff, Consumer<Path> beforeActing) {
        return sweep(
                root, MAX_DEPTH, "the vault", cutoff, VaultOptions.defaults().maxCanvasBytes(), beforeActing);
    }

    /**
     * How many of our temporary files older than {@code cutoff} were found in {@code folder} itself, none of the folders
     * in it entered, and deleted: for a folder of this program's own outside the vault.
     *
     * @param where the folder in words, for the log
     */
    static int sweepOnly(Path folder, String where, Instant cutoff) {
        return sweep(folder, 1, where, cutoff, 0, path -> {});
    }

    /**
     * @param maxDepth       how many folders deep to look, {@code root} itself being the first
     * @param maxCanvasBytes the largest canvas read to settle the copies a killed write-back left; 0: none are settled
     */
    private static int sweep(
            Path root, int maxDepth, String where, Instant cutoff, long maxCanvasBytes, Consumer<Path> beforeActing) {
        Objects.requireNonNull(cutoff, "cutoff");
        int deleted = 0;
        try (HeldFolder top = HeldFolder.open(root)) {
            deleted = sweep(top, new Walk(maxDepth, cutoff, maxCanvasBytes, beforeActing), 0);
        } catch (NoSuchFileException e) {
            // not made yet: nothing can have been left in it
        } catch (IOException e) {
            cannotLook(where, e);
        } catch (DirectoryIteratorException e) {
            cannotLook(where, e.getCause());
        }
        if (deleted > 0) {
            LOG.log(INFO, "Deleted {0} hidden temporary file(s) a stopped writer had left in {1}.", deleted, where);
        }
        return deleted;
    }

    private static void cannotLook(String where, IOException e) {
        LOG.log(
                WARNING,
                "Could not look for temporary files left by a stopped writer in {0}: {1}",
                where,
                DiskProblem.describe(e));
    }

    /** What one sweep looks for, and how deep. */
    private record Walk(int maxDepth, Instant cutoff, long maxCanvasBytes, Consumer<Path> beforeActing) {}

    /** @param depth how deep {@code folder} lies under the root of the sweep, which is 0 */
    private static int sweep(HeldFolder folder, Walk walk, int depth) {
        int deleted = 0;
        List<Path> leftCopies = new ArrayList<>();
        List<Path> canvases = new ArrayList<>();
        try {
            for (Path name : folder) {
                BasicFileAttributes seen = attributesOrNull(folder, name);
                if (seen == null) {
                    continue;
                }
                if (seen.isDirectory()) {
                    if (depth + 1 < walk.maxDepth() && oursToLook(name.toString(), depth == 0)) {
                        walk.beforeActing().accept(folder.resolve(name));
                        deleted += sweepInside(folder, name, walk, depth + 1);
                    }
                } else if (seen.isRegularFile()
                        && AtomicFiles.isTemporaryName(name.toString())
                        && seen.lastModifiedTime().toInstant().isBefore(walk.cutoff())
                        && deleteIfStillTheSame(folder, name, seen, walk.beforeActing())) {
                    deleted++;
                } else if (walk.maxCanvasBytes() > 0 && AtomicFiles.isPreviousName(name.toString())) {
                    leftCopies.add(name);
                } else if (seen.isRegularFile() && LeftCanvasCopies.isCanvasName(name.toString())) {
                    canvases.add(name);
                }
            }
        } catch (DirectoryIteratorException e) {
            // the folder could not be read to its end: what was read is swept, the rest waits for the next start
        }
        if (!leftCopies.isEmpty()) {
            deleted += LeftCanvasCopies.settle(folder, leftCopies, canvases, walk.cutoff(), walk.maxCanvasBytes());
        }
        return deleted;
    }

    private static int sweepInside(HeldFolder parent, Path name, Walk walk, int depth) {
        try (HeldFolder inside = parent.enter(name)) {
            return sweep(inside, walk, depth);
        } catch (IOException e) {
            // gone, not readable, or no longer a folder (a link swapped in since the look): not entered
            return 0;
        }
    }

    /** Hidden folders are the learner's (or Obsidian's, git's), but for the ledger's folder at the vault's root. */
    private static boolean oursToLook(String folderName, boolean atTheRoot) {
        return !folderName.startsWith(".") || (atTheRoot && folderName.equals(PendingLinks.FOLDER));
    }

    private static BasicFileAttributes attributesOrNull(HeldFolder folder, Path name) {
        try {
            return folder.attributes(name);
        } catch (IOException e) {
            return null;
        }
    }

    /** Deletes the file if it is still the regular file that was seen: not one swapped in since, never a link. */
    static boolean deleteIfStillTheSame(
            HeldFolder folder, Path name, BasicFileAttributes seen, Consumer<Path> beforeActing) {
        try {
            BasicFileAttributes now = folder.attributes(name);
            if (now == null
                    || !now.isRegularFile()
                    || (seen.fileKey() != null && !seen.fileKey().equals(now.fileKey()))) {
                return false;
            }
            beforeActing.accept(folder.resolve(name));
            folder.delete(name);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            LOG.log(
                    WARNING,
                    "Could not delete the temporary file ''{0}'': {1}",
                    folder.resolve(name),
                    DiskProblem.describe(e));
            return false;
        }
    }
}
