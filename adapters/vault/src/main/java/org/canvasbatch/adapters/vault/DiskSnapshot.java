package org.canvasbatch.adapters.vault;

import static org.canvasbatch.application.port.out.VaultException.Reason.INVALID_CANVAS;
import static org.canvasbatch.application.port.out.VaultException.Reason.IO;
import static org.canvasbatch.application.port.out.VaultException.Reason.NOT_A_FILE;
import static org.canvasbatch.application.port.out.VaultException.Reason.NOT_FOUND;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.canvasbatch.application.port.out.VaultException;

/**
 * A canvas file's bytes as they were on disk, with the state of the file they came from, so that a later look can tell
 * whether anyone wrote it since.
 *
 * @param target the file itself, every symbolic link resolved (inside the vault): where a write-back must go
 */
record DiskSnapshot(Path target, byte[] bytes, FileState state) {

    /** A file that keeps changing while it is read is read again, a few times, so bytes and state belong together. */
    private static final int STABLE_READ_ATTEMPTS = 5;

    /**
     * Reads a canvas (or a note, for the passage index): only a regular file, at most {@code maxBytes}, in its folder
     * held open ({@link #read(CanvasFolder, VaultFile, long)}).
     */
    static DiskSnapshot read(VaultPaths paths, VaultFile file, long maxBytes) {
        String path = file.relative();
        try (CanvasFolder folder = CanvasFolder.hold(paths, file, folderOnTheWay -> {})) {
            return read(folder, file, maxBytes);
        } catch (NoSuchFileException e) {
            throw new VaultException(NOT_FOUND, path, "The canvas '" + path + "' does not exist in the vault.");
        } catch (IOException e) {
            throw new VaultException(
                    IO, path, "Cannot read the canvas '" + path + "': " + DiskProblem.describe(e) + ".", e);
        }
    }

    /**
     * Reads a canvas in its folder held open ({@link CanvasFolder}): the look, the read and the look after, each relative
     * to that folder, never through a link, whatever is swapped in at a folder's name on the way meanwhile. Only a
     * regular file, at most {@code maxBytes}.
     */
    static DiskSnapshot read(CanvasFolder folder, VaultFile file, long maxBytes) {
        String path = file.relative();
        Path target = folder.path();
        try {
            BasicFileAttributes attributes = folder.attributes();
            if (attributes == null) {
                throw new NoSuchFileException(target.toString());
            }
            if (attributes.isDirectory()) {
                throw new VaultException(NOT_A_FILE, path, "'" + path + "' is a folder, not a canvas file.");
            }
            if (!attributes.isRegularFile()) {
                throw notACanvasFile(path, FileKind.describe(target, attributes));
            }
            if (attributes.size() > maxBytes) {
                throw CanvasFile.tooLarge(path, attributes.size(), maxBytes);
            }
            DiskSnapshot snapshot = null;
            BasicFileAttributes looked = attributes;
            for (int attempt = 0; attempt < STABLE_READ_ATTEMPTS; attempt++) {
                if (attempt > 0) {
                    looked = folder.attributes();
                    if (looked == null) {
                        throw new NoSuchFileException(target.toString());
                    }
                    if (!looked.isRegularFile()) {
                        throw notACanvasFile(path, FileKind.describe(target, looked));
                    }
                }
                FileState before = FileState.of(looked);
                byte[] bytes;
                try (InputStream in = folder.held().read(folder.name(), looked)) {
                    bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                }
                if (bytes.length > maxBytes) {
                    throw CanvasFile.tooLarge(path, bytes.length, maxBytes);
                }
                BasicFileAttributes now = folder.attributes();
                if (now == null) {
                    throw new NoSuchFileException(target.toString());
                }
                FileState after = FileState.of(now);
                snapshot = new DiskSnapshot(target, bytes, after);
                if (before.equals(after)) {
                    break;
                }
            }
            return snapshot;
        } catch (RegularFiles.NotARegularFile e) {
            throw notACanvasFile(path, e.what());
        } catch (NoSuchFileException e) {
            throw new VaultException(NOT_FOUND, path, "The canvas '" + path + "' does not exist in the vault.");
        } catch (IOException e) {
            throw new VaultException(
                    IO, path, "Cannot read the canvas '" + path + "': " + DiskProblem.describe(e) + ".", e);
        }
    }

    /**
     * The folder of the canvas {@code file} held open ({@link CanvasFolder#hold}), trouble said as the canvas's.
     *
     * @param beforeEntering told each folder on the way right before it is entered (tests)
     */
    static CanvasFolder hold(VaultPaths paths, VaultFile file, java.util.function.Consumer<Path> beforeEntering) {
        String path = file.relative();
        try {
            return CanvasFolder.hold(paths, file, beforeEntering);
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            throw new VaultException(NOT_FOUND, path, "The canvas '" + path + "' does not exist in the vault.");
        } catch (IOException e) {
            throw new VaultException(
                    IO, path, "Cannot read the canvas '" + path + "': " + DiskProblem.describe(e) + ".", e);
        }
    }

    private static VaultException notACanvasFile(String path, String what) {
        return new VaultException(
                INVALID_CANVAS,
                path,
                "'" + path + "' is " + what + ", not a canvas file; only regular files are read.");
    }
}
