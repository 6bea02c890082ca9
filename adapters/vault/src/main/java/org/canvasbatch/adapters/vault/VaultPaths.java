package org.canvasbatch.adapters.vault;

import static org.canvasbatch.application.port.out.VaultException.Reason.IO;
import static org.canvasbatch.application.port.out.VaultException.Reason.OUTSIDE_VAULT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.canvasbatch.application.port.out.VaultException;

/**
 * The sandbox: turns a vault-relative path into a file that is inside the vault root, or refuses it.
 *
 * <p>The text is checked first (no {@code ..}, nothing absolute, no NUL, no backslash, which Windows would read as a
 * separator), then the disk: the deepest part of the path that exists is resolved through its symbolic links and must
 * still lie under the root's real path. What does not exist yet cannot be a link, so nothing created below it leaves
 * the vault either. (A link swapped in between the check and the use is not defended against here: the vault belongs to
 * the user who runs the server. Notes and the ledger are written, file nodes read, and canvases read and written in
 * their folder held open, {@link HeldFolder}, {@link CanvasFolder}.)
 */
final class VaultPaths {

    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

    private final Path root;
    private final Path realRoot;

    VaultPaths(Path root) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("The vault root " + root + " is not a folder.");
        }
        this.root = root.toAbsolutePath().normalize();
        try {
            this.realRoot = this.root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot resolve the vault root " + root, e);
        }
    }

    /** The vault folder, absolute and normalised (as given: not through its links). */
    Path root() {
        return root;
    }

    VaultFile resolve(String vaultPath) {
        String relative = normalise(vaultPath);
        Path absolute;
        try {
            absolute = root.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw outside(vaultPath, "'" + printable(vaultPath) + "' is not a valid file path.");
        }
        if (!absolute.startsWith(root)) {
            throw outside(vaultPath, "'" + printable(vaultPath) + "' is outside the vault.");
        }
        requireRealPathInside(relative, absolute);
        return new VaultFile(relative, absolute);
    }

    /**
     * A canvas, a note or a file node's file: like {@link #resolve}, and neither its path nor where it really is may lie in a hidden folder
     * ({@code .obsidian}, Obsidian's own settings, {@code .trash}, {@code .canvas-batch}): a symbolic link such as
     * {@code Inbox -> .obsidian} does not lead around the rule that requests are held to by their text.
     */
    VaultFile resolveVisible(String vaultPath) {
        VaultFile file = resolve(vaultPath);
        String hidden = firstHiddenSegment(file.relative());
        if (hidden != null) {
            throw outside(
                    file.relative(),
                    "'" + file.relative() + "' leads into the hidden folder or file '" + hidden
                            + "'; canvases and notes are never read or written there.");
        }
        Path existing = file.absolute();
        while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        try {
            hidden = firstHiddenSegment(
                    realRoot.relativize(existing.toRealPath()).toString().replace('\\', '/'));
        } catch (IOException e) {
            throw new VaultException(
                    IO,
                    file.relative(),
                    "Cannot check where '" + file.relative() + "' leads: " + DiskProblem.describe(e) + ".",
                    e);
        }
        if (hidden != null) {
            throw outside(
                    file.relative(),
                    "'" + file.relative() + "' leads into the hidden folder '" + hidden
                            + "' through a symbolic link; canvases and notes are never read or written there.");
        }
        return file;
    }

    private static String firstHiddenSegment(String relative) {
        for (String segment : relative.split("/")) {
            if (segment.startsWith(".")) {
                return segment;
            }
        }
        return null;
    }

    static String normalise(String vaultPath) {
        if (vaultPath == null || vaultPath.isBlank()) {
            throw outside(
                    vaultPath, "No path was given: give a path relative to the vault, e.g. 'folder/name.canvas'.");
        }
        if (vaultPath.indexOf('\0') >= 0) {
            throw outside(vaultPath, "The path '" + printable(vaultPath) + "' contains a NUL character.");
        }
        if (vaultPath.indexOf('\\') >= 0) {
            throw outside(vaultPath, "The path '" + vaultPath + "' contains a backslash; vault paths use '/'.");
        }
        if (vaultPath.startsWith("/") || DRIVE.matcher(vaultPath).matches()) {
            throw outside(vaultPath, "The path '" + vaultPath + "' is absolute; give it relative to the vault.");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : vaultPath.split("/")) {
            if (segment.equals("..")) {
                throw outside(vaultPath, "The path '" + vaultPath + "' contains '..'; it must stay inside the vault.");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        if (segments.isEmpty()) {
            throw outside(vaultPath, "The path '" + vaultPath + "' names no file inside the vault.");
        }
        return String.join("/", segments);
    }

    private void requireRealPathInside(String relative, Path absolute) {
        Path existing = absolute;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw outside(relative, "'" + relative + "' is outside the vault.");
        }
        Path real;
        try {
            real = existing.toRealPath();
        } catch (NoSuchFileException e) {
            throw outside(relative, "'" + relative + "' goes through a broken symbolic link.");
        } catch (IOException e) {
            throw new VaultException(
                    IO, relative, "Cannot check where '" + relative + "' leads: " + DiskProblem.describe(e) + ".", e);
        }
        if (!real.startsWith(realRoot)) {
            throw outside(relative, "'" + relative + "' leads outside the vault through a symbolic link.");
        }
    }

    /**
     * Where the file really is, every symbolic link resolved, checked again to be inside the vault: what a write must
     * replace so that a link is written through rather than replaced by a file of its own.
     *
     * @throws java.nio.file.NoSuchFileException when it does not exist (or a link leads nowhere)
     */
    Path realPathInside(VaultFile file) throws IOException {
        Path real = file.absolute().toRealPath();
        if (!real.startsWith(realRoot)) {
            throw outside(
                    file.relative(), "'" + file.relative() + "' leads outside the vault through a symbolic link.");
        }
        return real;
    }

    private static VaultException outside(String path, String message) {
        return new VaultException(OUTSIDE_VAULT, path, message);
    }

    private static String printable(String path) {
        return path == null ? "" : path.replace("\0", "\\0");
    }
}
