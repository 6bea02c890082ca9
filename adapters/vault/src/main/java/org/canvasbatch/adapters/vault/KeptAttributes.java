package org.canvasbatch.adapters.vault;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a file the vault replaces carries besides its bytes, read from it before the rename and given to the new file
 * that takes its place: a rename puts a new file there, and whatever the old one carried would go with it. Kept: its
 * permissions (the new file is made with them: {@link #permissions()}), its group, and its user-defined extended
 * attributes, the {@code user.*} ones (where a file manager or a sync tool keeps tags), bounded. Not kept: its owner
 * (only root may give a file to someone else), its ACL (the JDK reads no POSIX ACL on Linux), the macOS Finder's tags
 * and colour ({@code com.apple.metadata:_kMDItemUserTags}, {@code com.apple.FinderInfo}: the JDK's view of extended
 * attributes sees only names in {@code user.}, on macOS too), its other names (a rename replaces one name of a file
 * with several), and the bits of its mode the writer's umask takes from a new file (see below).
 *
 * <p>The old file is looked at without following a link, relative to its folder held open ({@link HeldFolder}); its
 * attributes, which Java reads only by path, are read only while that path leads to the very file looked at there.
 *
 * <p>The new file can be made with permissions, but given a group or an attribute only afterwards, by name: no way to
 * change the file just made rather than whatever its name leads to is open to Java. So before each such step its name
 * is looked at, in the folder held and by path, and must still be the file made there ({@code fileKey}, looked at
 * right after it was made, while still empty, and then with no other name: a hard link swapped in has two), of the
 * size written; anything else fails the write, and nothing is changed. What remains is a swap between that look and the
 * step itself (one system call): the file swapped in gets the group or the attribute. Its mode is never changed
 * afterwards (a mode is what a hostile swap could use most: a private file made writable by everyone;
 * {@code NotesFolderSwapTest}), so a bit the umask takes stays taken. A step that opens the file (the JDK reads and
 * writes attributes through an open) is watched as a read of the vault is ({@link RegularFiles#watched}): a named pipe
 * swapped in is given up on, never waited for.
 */
final class KeptAttributes {

    private static final System.Logger LOG = System.getLogger(KeptAttributes.class.getName());

    /**
     * At most this many attributes are carried: each costs one open of the old file and one of the new. The learner's
     * own are a handful (a file manager's tags, a sync tool's marker, the Finder's tags and colour); a hostile file with
     * thousands would cost thousands of opens on every write.
     */
    static final int MOST_ATTRIBUTES = 64;

    /**
     * The largest value carried: Linux's own largest ({@code XATTR_SIZE_MAX}, 64 KiB), so no value a Linux file system
     * can hold is left out for its size (ext4 holds 4 KiB in all on a file; XFS and Btrfs more). A larger one (macOS
     * allows any size) is an application's data, not the learner's tags.
     */
    static final int MOST_VALUE_BYTES = 64 * 1024;

    /**
     * The most bytes carried in all: four of the largest values. They are held in memory for the length of one write,
     * and several notes are written at once.
     */
    static final int MOST_TOTAL_BYTES = 256 * 1024;

    /** The groups a new file could not be given, each told once per process (below). */
    private static final Set<String> GROUPS_TOLD = ConcurrentHashMap.newKeySet();

    private final Path shown;
    private final PosixFileAttributes old;
    private final Map<String, byte[]> attributes;

    private KeptAttributes(Path shown, PosixFileAttributes old, Map<String, byte[]> attributes) {
        this.shown = shown;
        this.old = old;
        this.attributes = attributes;
    }

    /**
     * What the regular file at {@code target} in {@code folder} carries; null when there is none (a new file), or the
     * file system has no POSIX attributes: the new file is then made as any new file is (0666 less the umask).
     */
    static KeptAttributes of(HeldFolder folder, Path target) {
        PosixFileAttributes old;
        try {
            PosixFileAttributeView there = folder.posix(target);
            if (there == null) {
                return null;
            }
            old = there.readAttributes();
        } catch (UnsupportedOperationException | IOException e) {
            return null; // nothing there yet, or not a POSIX file system
        }
        if (!old.isRegularFile()) {
            return null;
        }
        return new KeptAttributes(folder.resolve(target), old, userAttributes(folder, target, old));
    }

    /** The permissions the new file is made with: the old file's. */
    Set<PosixFilePermission> permissions() {
        return old.permissions();
    }

    /**
     * Looks at the new file {@code temporary} right after it was made, before a byte is written to it.
     *
     * @return its {@code fileKey}, to know it by before each step of {@link #giveTo}; null when there is nothing to give
     *     it, or no way here to know it by (the folder is walked by path, or the file system has no {@code fileKey})
     * @throws FileSystemException when something else is at its name already
     */
    Object madeAs(HeldFolder folder, Path temporary) throws IOException {
        if (!folder.heldByDescriptor()
                || !temporary.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            return null; // every step by path (Windows), or no count of a file's names: no file there to be sure of
        }
        PosixFileAttributes made = posix(folder, temporary);
        if (made == null || made.fileKey() == null) {
            return null;
        }
        if (attributes.isEmpty() && made.group().equals(old.group())) {
            return null; // nothing to give it: a folder with the setgid bit gave it the group already
        }
        if (!made.isRegularFile() || !ours(folder, temporary, made.fileKey(), 0)) {
            throw replaced(folder, temporary);
        }
        return made.fileKey();
    }

    /**
     * Gives the new file {@code temporary}, known by {@code key} ({@link #madeAs}) and now {@code size} bytes long, the
     * old file's group and extended attributes: whatever can be given, without failing the write for what cannot (a
     * group the writer is no member of, an attribute the file system refuses).
     *
     * @throws FileSystemException when another file is at its name than the one made there
     */
    void giveTo(HeldFolder folder, Path temporary, Object key, long size) throws IOException {
        if (key == null) {
            return;
        }
        Path byPath = folder.resolve(temporary);
        if (!attributes.isEmpty()) {
            giveAttributes(folder, temporary, key, size, byPath);
        }
        PosixFileAttributes now = posix(folder, temporary);
        if (now == null || now.group().equals(old.group())) {
            return;
        }
        if (!ours(folder, temporary, key, size)) {
            throw replaced(folder, temporary);
        }
        try {
            // lchown by path: changes the name's own entry, a link itself, never what it points at; opens nothing
            Files.getFileAttributeView(byPath, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setGroup(old.group());
        } catch (UnsupportedOperationException | IOException e) {
            // Not a member of that group (only root may give a file any group): the write goes ahead with the writer's
            // group. Told once per group for the process, not once per note: a batch in a shared folder would say it
            // hundreds of times, and the remedy is one change to the folder.
            if (GROUPS_TOLD.add(old.group().getName())) {
                LOG.log(
                        INFO,
                        "Files the vault rewrites get the writer''s group, not ''{0}'' which ''{1}'' had ({2}); a folder"
                                + " with the setgid bit (chmod g+s) gives every new file its group",
                        old.group().getName(),
                        shown.getFileName(),
                        e instanceof FileSystemException fs && fs.getReason() != null
                                ? fs.getReason()
                                : e.getClass().getSimpleName());
            }
        }
    }

    private void giveAttributes(HeldFolder folder, Path temporary, Object key, long size, Path byPath)
            throws IOException {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(byPath, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        BasicFileAttributes looked = folder.attributes(temporary);
        if (looked == null) {
            throw replaced(folder, temporary);
        }
        int refused = 0;
        for (Map.Entry<String, byte[]> attribute : attributes.entrySet()) {
            if (!ours(folder, temporary, key, size)) {
                throw replaced(folder, temporary);
            }
            try {
                watched(
                        folder,
                        temporary,
                        looked,
                        () -> view.write(attribute.getKey(), ByteBuffer.wrap(attribute.getValue())));
            } catch (RegularFiles.NotARegularFile e) {
                throw replaced(folder, temporary);
            } catch (IOException e) {
                refused++; // a name or a value this file system takes on no file, or the new file is read-only
            }
        }
        if (refused > 0) {
            LOG.log(DEBUG, "''{0}'': {1} extended attribute(s) not kept: refused on the new file", shown, refused);
        }
    }

    /**
     * The user-defined extended attributes of the old file, in the order listed, within the bounds above; none when
     * its path no longer leads to the file looked at in the folder held (a folder on the way swapped for a link: they
     * would be another file's), or the file system keeps none.
     */
    private static Map<String, byte[]> userAttributes(HeldFolder folder, Path target, PosixFileAttributes old) {
        if (!folder.heldByDescriptor() || old.fileKey() == null) {
            return Map.of();
        }
        Path byPath = folder.resolve(target);
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(byPath, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null || !leadsTo(byPath, old.fileKey())) {
            return Map.of();
        }
        Map<String, byte[]> read = new LinkedHashMap<>();
        int leftOut = 0;
        try {
            List<String> names = watched(folder, target, old, view::list);
            int total = 0;
            // one buffer for every value, each copied out at its own length: a buffer per attribute was 64 KiB of
            // garbage for each of up to 64 tiny attributes, on every write of such a file (a reviewer)
            ByteBuffer scratch = null;
            for (String name : names) {
                int room = Math.min(MOST_VALUE_BYTES, MOST_TOTAL_BYTES - total);
                if (read.size() == MOST_ATTRIBUTES || room <= 0) {
                    leftOut++;
                    continue;
                }
                if (scratch == null) {
                    scratch = ByteBuffer.allocate(MOST_VALUE_BYTES);
                }
                ByteBuffer value = scratch.clear().limit(room);
                try {
                    watched(folder, target, old, () -> view.read(name, value));
                } catch (RegularFiles.NotARegularFile e) {
                    throw e;
                } catch (IOException e) {
                    leftOut++; // larger than the room left ("insufficient space"), or gone meanwhile
                    continue;
                }
                value.flip();
                byte[] bytes = new byte[value.remaining()];
                value.get(bytes);
                read.put(name, bytes);
                total += bytes.length;
            }
            if (!leadsTo(byPath, old.fileKey())) {
                return Map.of(); // read from wherever the path led meanwhile
            }
        } catch (UnsupportedOperationException | IOException e) {
            return Map.of(); // none on this file system, or the file is gone or swapped: nothing to carry
        }
        if (leftOut > 0) {
            LOG.log(
                    DEBUG,
                    "''{0}'': {1} extended attribute(s) not kept: more than {2}, or more than {3} bytes",
                    byPath,
                    leftOut,
                    MOST_ATTRIBUTES,
                    MOST_TOTAL_BYTES);
        }
        return read;
    }

    /**
     * Whether {@code name} in the folder held is the file known by {@code key}, a regular file of {@code size} bytes,
     * and its path leads to the same file, of no other name: a hard link swapped in has another name (where it came from).
     */
    private static boolean ours(HeldFolder folder, Path name, Object key, long size) throws IOException {
        BasicFileAttributes held = folder.attributes(name);
        if (held == null || !held.isRegularFile() || !key.equals(held.fileKey()) || held.size() != size) {
            return false;
        }
        try {
            Map<String, Object> byPath =
                    Files.readAttributes(folder.resolve(name), "unix:fileKey,nlink", LinkOption.NOFOLLOW_LINKS);
            return key.equals(byPath.get("fileKey")) && Objects.equals(byPath.get("nlink"), 1);
        } catch (NoSuchFileException e) {
            return false;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return false; // no way to count its names here: nothing is given to it
        }
    }

    /** Whether {@code path}, not followed if it is a link, is the file known by {@code key}. */
    private static boolean leadsTo(Path path, Object key) {
        try {
            BasicFileAttributes there =
                    Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return there.isRegularFile() && key.equals(there.fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    private static PosixFileAttributes posix(HeldFolder folder, Path name) throws IOException {
        PosixFileAttributeView view = folder.posix(name);
        try {
            return view == null ? null : view.readAttributes();
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    private static FileSystemException replaced(HeldFolder folder, Path temporary) {
        return new FileSystemException(
                folder.resolve(temporary).toString(),
                null,
                "the file it was written to was replaced by something else before it could take its place");
    }

    /** A step of the JDK's that opens {@code name} in {@code folder} by path, never waiting on a named pipe there. */
    private static <T> T watched(HeldFolder folder, Path name, BasicFileAttributes looked, RegularFiles.Step<T> step)
            throws IOException {
        return RegularFiles.watched(
                        folder.resolve(name),
                        looked,
                        BasicFileAttributes::isRegularFile,
                        () -> new Done<>(step.run()),
                        () -> folder.attributes(name),
                        () -> folder.openApart(name, Set.of(StandardOpenOption.WRITE)))
                .value();
    }

    /** What a watched step gave: nothing to close. */
    private record Done<T>(T value) implements AutoCloseable {
        @Override
        public void close() {}
    }
}
