package org.canvasbatch.adapters.vault;

import static org.canvasbatch.application.port.out.VaultException.Reason.IO;
import static org.canvasbatch.application.port.out.VaultException.Reason.OUTSIDE_VAULT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.canvasbatch.application.port.out.VaultException;

/**
 * The sandbox: turns a vault-relative path into a file that is inside the vault root, or refuses it.
 *
 * <p>The text is checked first (no {@code ..}, nothing absolute, no NUL, no backslash, which Windows would read as a
 * separator), then the disk: the deepest part of the path that exists is resolved through its symbolic links and must
 * still lie under the root's real path. What does not exist yet cannot be a link, so nothing created below it leaves
 * the vault either. A path that goes through a broken link or a loop of links ({@code selfloop -> selfloop}, which the
 * system answers with ELOOP, "Too many levels of symbolic links") leads nowhere: the path's problem, refused as
 * {@code OUTSIDE_VAULT} in words, never taken for a disk that failed. (A link swapped in between the check and the use
 * is not defended against here: the vault belongs to the user who runs the server. Notes and the ledger are written,
 * file nodes read, and canvases read and written in their folder held open, {@link HeldFolder}, {@link CanvasFolder}.)
 */
final class VaultPaths {

    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");
    /**
     * The most links followed on one path before it is taken for a loop: what Linux follows (MAXSYMLINKS; macOS
     * follows 32), so a path the system resolves is never called a loop here.
     */
    private static final int MOST_LINKS_FOLLOWED = 40;

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
            refuseALinkLoop(file.relative(), existing, e);
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
            refuseALinkLoop(relative, existing, e);
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
     * @throws VaultException {@code OUTSIDE_VAULT} when it leads outside, or through a loop of links
     */
    Path realPathInside(VaultFile file) throws IOException {
        Path real;
        try {
            real = file.absolute().toRealPath();
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            refuseALinkLoop(file.relative(), file.absolute(), e);
            throw e;
        }
        if (!real.startsWith(realRoot)) {
            throw outside(
                    file.relative(), "'" + file.relative() + "' leads outside the vault through a symbolic link.");
        }
        return real;
    }

    /**
     * Refuses {@code relative} as {@code OUTSIDE_VAULT} when resolving {@code absolute} failed ({@code failure})
     * because its links never lead to a file or folder: a loop ({@code selfloop -> selfloop}, {@code a -> b -> a},
     * {@code a -> a/x}) or a chain longer than the system follows. Found by following the links by hand, so that
     * neither the system's words for ELOOP (in the learner's language) nor the exception's class decide; the JDK's
     * English reason is trusted too, for a link that cannot be followed by hand. Any other failure returns, for the
     * caller to report as the disk's.
     */
    private void refuseALinkLoop(String relative, Path absolute, IOException failure) {
        if (!(failure instanceof FileSystemException fs) || failure instanceof AccessDeniedException) {
            return;
        }
        Path link = linkLoopOn(absolute);
        if (link != null && link.startsWith(realRoot)) {
            throw outside(
                    relative,
                    "'" + relative + "' goes through a loop of symbolic links: '"
                            + realRoot.relativize(link).toString().replace('\\', '/')
                            + "' leads back to itself, never to a file or folder.");
        }
        if (link != null || (fs.getReason() != null && fs.getReason().contains("levels of symbolic links"))) {
            throw outside(
                    relative,
                    "'" + relative + "' goes through a loop of symbolic links that never leads to a file or folder.");
        }
    }

    /**
     * Whether following the links on the way to {@code absolute}, from the vault's real root as the system does, takes
     * more than {@value #MOST_LINKS_FOLLOWED} of them: then the link followed most often, the one that leads back to
     * itself; null when they lead somewhere, or cannot be followed (a link that cannot be read, a part that is
     * missing).
     */
    private Path linkLoopOn(Path absolute) {
        if (!absolute.startsWith(root)) {
            return null;
        }
        Deque<Path> ahead = new ArrayDeque<>();
        root.relativize(absolute).forEach(ahead::addLast);
        Path at = realRoot;
        Map<Path, Integer> followed = new HashMap<>();
        int count = 0;
        while (!ahead.isEmpty()) {
            String name = ahead.removeFirst().toString();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                at = at.getParent() == null ? at : at.getParent();
                continue;
            }
            Path next = at.resolve(name);
            Path target;
            try {
                if (!Files.readAttributes(next, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .isSymbolicLink()) {
                    at = next;
                    continue;
                }
                target = Files.readSymbolicLink(next);
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return null;
            }
            followed.merge(next, 1, Integer::sum);
            if (++count > MOST_LINKS_FOLLOWED) {
                return followed.entrySet().stream()
                        .max(Map.Entry.comparingByValue())
                        .orElseThrow()
                        .getKey();
            }
            List<Path> names = new ArrayList<>();
            target.forEach(names::add);
            for (int i = names.size() - 1; i >= 0; i--) {
                ahead.addFirst(names.get(i));
            }
            if (target.isAbsolute()) {
                at = target.getRoot();
            }
        }
        return null;
    }

    private static VaultException outside(String path, String message) {
        return new VaultException(OUTSIDE_VAULT, path, message);
    }

    private static String printable(String path) {
        return path == null ? "" : path.replace("\0", "\\0");
    }
}
