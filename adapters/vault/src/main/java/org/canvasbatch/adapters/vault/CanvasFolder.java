package org.canvasbatch.adapters.vault;

import static org.canvasbatch.application.port.out.VaultException.Reason.OUTSIDE_VAULT;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.function.Consumer;
import org.canvasbatch.application.port.out.VaultException;

/**
 * A canvas's folder held open ({@link HeldFolder}), reached from the vault's root by entering each folder of the
 * canvas's real path relative to the one before, never through a link, and the canvas's name in it: every read and
 * write of the canvas, its temporary file and its hidden second name ({@code .prev}) is then made relative to that
 * folder, so a folder on the way swapped for a link meanwhile leads none of them outside the vault.
 *
 * <p>Only the hard link is made by path ({@link #link}: the JDK has no {@code linkat} relative to an open folder), and
 * checked through the held folder afterwards. Where the platform has no {@link java.nio.file.SecureDirectoryStream}
 * every step goes by path, as for notes.
 */
final class CanvasFolder implements Closeable {

    private final HeldFolder held;
    private final Path name;

    private CanvasFolder(HeldFolder held, Path name) {
        this.held = held;
        this.name = name;
    }

    /**
     * The folder of {@code file} as it really is (a canvas that is a link inside the vault, or is reached through a
     * folder link inside it, is held where the link leads, walked by real names), held open.
     *
     * @param beforeEntering told each folder on the way right before it is entered (tests)
     * @throws VaultException       {@code OUTSIDE_VAULT} when the canvas leads outside the vault, or a folder on the
     *                              way is a link by the time it is entered
     * @throws NoSuchFileException  when the canvas, or a folder on the way, is not there
     * @throws IOException          when a folder on the way cannot be entered
     */
    static CanvasFolder hold(VaultPaths paths, VaultFile file, Consumer<Path> beforeEntering) throws IOException {
        Path real = paths.realPathInside(file);
        Path realRoot = paths.root().toRealPath();
        Path folder = real.getParent();
        if (folder == null || !folder.startsWith(realRoot) || real.equals(realRoot)) {
            throw outside(file.relative(), "'" + file.relative() + "' is outside the vault.");
        }
        HeldFolder at = FolderWalk.hold(
                paths.root(),
                FolderWalk.namesBelow(realRoot, folder),
                FolderWalk.Missing.THROW,
                beforeEntering,
                (shown, last) -> linked(file, shown));
        return new CanvasFolder(at, real.getFileName());
    }

    private static VaultException linked(VaultFile file, String shown) {
        return outside(
                file.relative(),
                "The folder '" + shown + "' of the canvas '" + file.relative() + "' is a symbolic link; a canvas is"
                        + " never read or written through one.");
    }

    private static VaultException outside(String path, String message) {
        return new VaultException(OUTSIDE_VAULT, path, message);
    }

    /** The folder held. */
    HeldFolder held() {
        return held;
    }

    /** The canvas's name in the folder. */
    Path name() {
        return name;
    }

    /** Where the canvas is, by path: for messages, and for the steps made by path. */
    Path path() {
        return held.resolve(name);
    }

    /** What is at the canvas's name now, a link as a link; null when nothing is. */
    BasicFileAttributes attributes() throws IOException {
        return held.attributes(name);
    }

    /** How taking a second name of the canvas's file went ({@link #link}). */
    enum Linked {
        /** Taken, in the held folder, of the canvas's file there. */
        LINKED,
        /** Not taken: the file system has no hard links, or refused. */
        NONE,
        /** Not taken: nothing is at the canvas's name. */
        GONE,
        /** Not taken: the canvas's name holds another file than a moment ago (a save renamed over it). */
        CHANGED,
        /** Not taken: the folder's path no longer leads to the folder held (swapped for a link, or moved). */
        MOVED
    }

    /**
     * Gives the canvas's file the second name {@code second} in the held folder: a hard link, which Java can only make
     * by path ({@code Files.createLink}; there is no {@code linkat} relative to an open folder). So the folder's path is
     * looked at first (it must lead to the folder held), and the link is checked through the held folder afterwards: its
     * name must be there, the same file as the canvas's name there. A path swapped for a link between that look and the
     * link gets the link made where the path led (outside the vault: a second name, in that folder, of a file already
     * there, since the link is made from the same path); it is deleted again by path at once, and nothing else is ever
     * done there: nothing is read or written through it, and the write stops ({@link Linked#MOVED}). If the path is
     * swapped once more before that delete, the name stays there, holding only what that folder already held. A link
     * made in the held folder to another file than the canvas's (a save renamed over the canvas, or the path swapped
     * between the two names the kernel resolves) is deleted through the held folder.
     *
     * <p>Where the platform has no open-folder steps, the link is made by path and taken as it is, as before.
     */
    Linked link(Path second) {
        Path folder = held.resolve(Path.of(""));
        Path byPath = folder.resolve(second);
        Path canvasByPath = folder.resolve(name);
        boolean checked = held.heldByDescriptor();
        try {
            if (checked && !leadsToTheHeldFolder()) {
                return Linked.MOVED;
            }
            Files.createLink(byPath, canvasByPath);
        } catch (NoSuchFileException e) {
            try {
                return checked && !leadsToTheHeldFolder() ? Linked.MOVED : Linked.GONE;
            } catch (IOException unknown) {
                return Linked.MOVED;
            }
        } catch (UnsupportedOperationException | IOException e) {
            return Linked.NONE;
        }
        if (!checked) {
            return Linked.LINKED;
        }
        try {
            BasicFileAttributes link = held.attributes(second);
            if (link == null) {
                // made where the path led instead, outside the held folder: the one name this write made there
                try {
                    Files.deleteIfExists(byPath);
                } catch (IOException e) {
                    // swapped again: it stays there, a second name of a file already there
                }
                return Linked.MOVED;
            }
            BasicFileAttributes canvas = attributes();
            if (!link.isRegularFile() || canvas == null || !Objects.equals(link.fileKey(), canvas.fileKey())) {
                delete(second);
                return canvas == null ? Linked.GONE : Linked.CHANGED;
            }
            return Linked.LINKED;
        } catch (IOException e) {
            delete(second);
            return Linked.NONE;
        }
    }

    /** Whether the folder's path, every link on it followed (as {@code Files.createLink} will), is the folder held. */
    private boolean leadsToTheHeldFolder() throws IOException {
        try {
            BasicFileAttributes byPath = Files.readAttributes(held.resolve(Path.of("")), BasicFileAttributes.class);
            return byPath.isDirectory()
                    && Objects.equals(byPath.fileKey(), held.attributes().fileKey());
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Deletes {@code name} from the held folder if it is there; trouble is only logged by the caller's silence. */
    void delete(Path other) {
        try {
            held.delete(other);
        } catch (IOException e) {
            // gone already, or not ours to delete: nothing more to do
        }
    }

    @Override
    public void close() throws IOException {
        held.close();
    }
}
