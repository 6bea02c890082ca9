package org.canvasbatch.adapters.vault;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A folder held open while what is in it is looked at, read, written, renamed and deleted, so that every step acts in
 * that one folder even if its name, or a name above it, is swapped for a link meanwhile. Where the JDK gives a
 * {@link SecureDirectoryStream} (Linux) each step is made relative to the open folder (the {@code *at} system calls:
 * {@code fstatat}, {@code openat}, {@code renameat}, {@code unlinkat}), a file is opened only if it is not a link
 * there, and a folder inside is entered only if it is one there and then, never through a link ({@code O_NOFOLLOW}).
 * Only a new folder is made by path ({@link #createFolder}: the JDK has no {@code mkdirat}), which never follows a link.
 *
 * <p>Where there is none (Windows, for one), every step goes by path, as the vault did before: a link is still never
 * entered, read, written or deleted through as far as a look just before can tell, but a folder swapped for a link
 * between that look and the step can redirect the step.
 */
final class HeldFolder implements Closeable, Iterable<Path> {

    private final Path path;
    private final DirectoryStream<Path> stream;
    /** The same stream when the platform has one; null: by path. */
    private final SecureDirectoryStream<Path> secure;

    private HeldFolder(Path path, DirectoryStream<Path> stream, boolean secureWhenItCan) {
        this.path = path;
        this.stream = stream;
        this.secure = secureWhenItCan && stream instanceof SecureDirectoryStream<Path> s ? s : null;
    }

    /** The folder at {@code folder}, a link there followed: for the vault's own root, which the learner chose. */
    static HeldFolder open(Path folder) throws IOException {
        return new HeldFolder(folder, Files.newDirectoryStream(folder), true);
    }

    /** As {@link #open}, but by path in it and every folder entered from it, as where the platform has no other way. */
    static HeldFolder openByPath(Path folder) throws IOException {
        return new HeldFolder(folder, Files.newDirectoryStream(folder), false);
    }

    /** Whether each step is made relative to the open folder rather than by path. */
    boolean heldByDescriptor() {
        return secure != null;
    }

    /** Where {@code name}, a name in this folder, is: for messages, and for the steps made by path. */
    Path resolve(Path name) {
        return path.resolve(name);
    }

    /** The names in this folder, each one file name; once. */
    @Override
    public Iterator<Path> iterator() {
        Iterator<Path> entries = stream.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public Path next() {
                return entries.next().getFileName();
            }
        };
    }

    /** What {@code name} is in this folder, a link as a link; null when there is nothing of that name. */
    BasicFileAttributes attributes(Path name) throws IOException {
        try {
            if (secure != null) {
                return secure.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .readAttributes();
            }
            return Files.readAttributes(resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** What this folder itself is now: {@code fstat} of the open folder, by path where the platform has no other. */
    BasicFileAttributes attributes() throws IOException {
        if (secure != null) {
            return secure.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
        }
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The names in this folder, each one file name, listed afresh at every call (the {@link #iterator} can be read only
     * once): through a handle of this folder of its own, never by path where there is the open folder.
     */
    List<Path> names() throws IOException {
        try (DirectoryStream<Path> entries = secure != null
                ? secure.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS)
                : Files.newDirectoryStream(path)) {
            List<Path> names = new ArrayList<>();
            for (Path entry : entries) {
                names.add(entry.getFileName());
            }
            return names;
        }
    }

    /**
     * The POSIX permissions of {@code name} in this folder, a link as a link, to look at and to set; null where the
     * file system has none.
     */
    PosixFileAttributeView posix(Path name) {
        if (secure != null) {
            return secure.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        }
        return Files.getFileAttributeView(resolve(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The folder {@code name} in this one, held open in turn; refused if it is not a folder, a link above all.
     *
     * <p>Neither this open nor the JDK's open of a folder by path asks for a folder ({@code O_DIRECTORY}), so a named
     * pipe swapped in between the look and the open would keep it waiting for a writer: the open is watched as a
     * file's is ({@link RegularFiles#watched}), through a handle of this folder of its own.
     */
    HeldFolder enter(Path name) throws IOException {
        Path shown = resolve(name);
        BasicFileAttributes there = attributes(name);
        if (there == null) {
            throw new NoSuchFileException(shown.toString());
        }
        if (!there.isDirectory()) {
            throw notAFolder(shown, FileKind.describe(shown, there));
        }
        try {
            if (secure != null) {
                DirectoryStream<Path> inside = RegularFiles.watched(
                        shown,
                        there,
                        BasicFileAttributes::isDirectory,
                        () -> enterApart(name),
                        () -> attributes(name),
                        () -> openApart(name, Set.of(StandardOpenOption.WRITE)));
                return new HeldFolder(shown, inside, true);
            }
            DirectoryStream<Path> inside = RegularFiles.watched(
                    shown,
                    there,
                    BasicFileAttributes::isDirectory,
                    () -> Files.newDirectoryStream(shown),
                    () -> attributes(name),
                    () -> FileChannel.open(shown, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
            return new HeldFolder(shown, inside, false);
        } catch (RegularFiles.NotARegularFile swapped) {
            throw notAFolder(shown, swapped.what());
        }
    }

    /** Refuses to enter what is not a folder, in words that say what it is (a plain file, a link, a named pipe). */
    private static NotDirectoryException notAFolder(Path shown, String what) {
        return new NotAFolder(shown, what);
    }

    /** What is at a name that was to be entered, in words: the JDK's exception carries no reason. */
    static final class NotAFolder extends NotDirectoryException {
        private final String what;

        NotAFolder(Path file, String what) {
            super(file.toString());
            this.what = what;
        }

        @Override
        public String getReason() {
            return "it is " + what + ", not a folder";
        }
    }

    /** The folder {@code name} in this one, opened through a handle of this folder of its own ({@link #openApart}). */
    private DirectoryStream<Path> enterApart(Path name) throws IOException {
        try (SecureDirectoryStream<Path> apart = secure.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS)) {
            return apart.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /**
     * The bytes of the file {@code name} in this folder, which {@code looked} showed to be a regular file: never through
     * a link, and never waiting for a named pipe swapped in since ({@link RegularFiles}).
     */
    InputStream read(Path name, BasicFileAttributes looked) throws IOException {
        return RegularFiles.read(this, name, looked);
    }

    /**
     * The file {@code name} in this folder opened with {@code options}, never through a link: with {@code CREATE_NEW}
     * only where nothing is, else only what is there and then, a link refused ({@code O_NOFOLLOW}).
     */
    SeekableByteChannel open(Path name, Set<? extends OpenOption> options) throws IOException {
        return open(name, options, new java.nio.file.attribute.FileAttribute<?>[0]);
    }

    /** As {@link #open(Path, Set)}, a file it creates made with {@code attributes} (its permissions). */
    SeekableByteChannel open(
            Path name, Set<? extends OpenOption> options, java.nio.file.attribute.FileAttribute<?>... attributes)
            throws IOException {
        Set<OpenOption> noLink = new HashSet<>(options);
        noLink.add(LinkOption.NOFOLLOW_LINKS);
        if (secure != null) {
            return secure.newByteChannel(name, noLink, attributes);
        }
        return Files.newByteChannel(resolve(name), noLink, attributes);
    }

    /**
     * Opens the file {@code name} through a handle of this folder of its own (a second descriptor of the same folder,
     * never through a link): the JDK keeps a held folder from closing while one of its opens runs, so an open that
     * waits (a named pipe swapped in, {@link RegularFiles}) must not hold this one, or closing it would wait too.
     */
    SeekableByteChannel openApart(Path name, Set<? extends OpenOption> options) throws IOException {
        if (secure == null) {
            return open(name, options);
        }
        Set<OpenOption> noLink = new HashSet<>(options);
        noLink.add(LinkOption.NOFOLLOW_LINKS);
        try (SecureDirectoryStream<Path> apart = secure.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS)) {
            return apart.newByteChannel(name, noLink);
        }
    }

    /**
     * Creates the folder {@code name} in this one. Not relative to the open folder (the JDK has no {@code mkdirat}):
     * by path, which never follows a link at that name; only {@link #enter} then holds it.
     */
    void createFolder(Path name) throws IOException {
        Files.createDirectory(resolve(name));
    }

    /** Renames {@code from} to {@code to}, both in this folder, replacing what is there (a link as a link). */
    void rename(Path from, Path to) throws IOException {
        if (secure != null) {
            secure.move(from, secure, to);
            return;
        }
        try {
            Files.move(resolve(from), resolve(to), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(resolve(from), resolve(to), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes {@code name} from this folder: a link there is deleted itself, never what it points at. */
    void delete(Path name) throws IOException {
        if (secure != null) {
            secure.deleteFile(name);
        } else {
            Files.delete(resolve(name));
        }
    }

    /**
     * Deletes the empty folder {@code name} from this one; a link or a file there is refused, not deleted.
     *
     * @throws DirectoryNotEmptyException when something is in it
     */
    void deleteFolder(Path name) throws IOException {
        if (secure != null) {
            secure.deleteDirectory(name);
            return;
        }
        BasicFileAttributes there = attributes(name);
        if (there == null) {
            throw new NoSuchFileException(resolve(name).toString());
        }
        if (!there.isDirectory()) {
            throw new NotDirectoryException(resolve(name).toString());
        }
        Files.delete(resolve(name));
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
