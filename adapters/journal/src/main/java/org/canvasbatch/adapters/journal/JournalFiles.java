package org.canvasbatch.adapters.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.canvasbatch.domain.session.SessionId;

/**
 * The names in {@code <dataDir>/sessions}: {@code <id>.journal} holds a session's records, {@code <id>.damage} explains
 * damage found on an earlier start, {@code <id>.journal.damaged[.n]} keeps the damaged original for inspection.
 * Session ids never contain a dot, so {@code <id>.} never prefixes another session's files.
 *
 * <p>Every file under the data folder is opened here, and never through a symbolic link: someone who can write into
 * the folder must not be able to make the server (perhaps running as root) write, truncate or reveal a file elsewhere.
 * A link in the journal's place is refused with a reason that says so; files the journal writes whole (the epoch, the
 * damage notes) replace whatever entry had their name, a link included, and never write through it.
 */
final class JournalFiles {

    static final String JOURNAL = ".journal";
    static final String DAMAGE_NOTE = ".damage";
    static final String DAMAGED_COPY = ".journal.damaged";

    /** The reason an open of a planted link fails with, for the messages a person reads. */
    static final String LINK_REFUSED = "it is a symbolic link, and canvas-batch follows no links in its data folder";

    /** Why a file that is not a plain one is not opened, for the messages a person reads. */
    static final String NOT_A_REGULAR_FILE = "it is not a regular file (a named pipe or a socket)";

    /** Small files (epoch, damage notes) are read only up to this size; more can only be something else. */
    private static final int SMALL_FILE_BYTES = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(JournalFiles.class.getName());

    final Path directory;
    private final ChannelOpener opener;
    /** The sessions folder as it was when first looked at: its identity on disk. */
    private volatile Object folderKey;
    /** Whether the folder's refusal was logged; logged again only after it was found fine once more. */
    private final AtomicBoolean refusalLogged = new AtomicBoolean();

    JournalFiles(Path directory, ChannelOpener opener) {
        this.directory = directory;
        this.opener = opener;
    }

    Path journal(SessionId id) {
        return directory.resolve(id.value() + JOURNAL);
    }

    Path damageNote(SessionId id) {
        return directory.resolve(id.value() + DAMAGE_NOTE);
    }

    /** A name for a damaged copy that does not overwrite an earlier one, nor any other entry (a planted link). */
    Path freeDamagedCopy(SessionId id) {
        Path candidate = directory.resolve(id.value() + DAMAGED_COPY);
        for (int n = 2; Files.exists(candidate, LinkOption.NOFOLLOW_LINKS); n++) {
            candidate = directory.resolve(id.value() + DAMAGED_COPY + "." + n);
        }
        return candidate;
    }

    /** The file's identity on disk (its inode), looked at without following a link; null when none can be told. */
    static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * Gives the journal {@code existing} a second name {@code link} beside it (a hard link: the same file, not a byte
     * copied) if what has that name is still the plain file whose {@link #fileKey} is {@code expected}; false, and no
     * second name left, when another entry is there now.
     *
     * @throws java.nio.file.FileAlreadyExistsException when something took the name {@code link} meanwhile
     * @throws FileSystemException or {@link UnsupportedOperationException} where the file system has no hard links
     */
    boolean linkAside(Path link, Path existing, Object expected) throws IOException {
        requireOwnFolder();
        opener.link(link, existing);
        // a link() never follows a symbolic link in the journal's place (Linux links the link itself), but what was
        // linked is looked at all the same: only the file this start read may become the evidence
        if (expected != null
                && expected.equals(fileKey(link))
                && Files.isRegularFile(link, LinkOption.NOFOLLOW_LINKS)) {
            // the second name is made durable before the journal's name is moved to a new file
            try (FileChannel folder = openFolder(directory)) {
                folder.force(true);
            }
            return true;
        }
        Files.deleteIfExists(link);
        return false;
    }

    /** Every file that belongs to the session. */
    List<Path> allOf(SessionId id) throws IOException {
        requireOwnFolder();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, id.value() + ".*")) {
            stream.forEach(files::add);
        }
        return files;
    }

    /** The session a file of the given suffix belongs to, if its name is one this journal writes. */
    static Optional<SessionId> sessionOf(Path file, String suffix) {
        String name = file.getFileName().toString();
        if (!name.endsWith(suffix)) {
            return Optional.empty();
        }
        String id = name.substring(0, name.length() - suffix.length());
        return SessionId.isWellFormed(id) ? Optional.of(new SessionId(id)) : Optional.empty();
    }

    /**
     * Opens a file or folder under the data folder, never through a symbolic link: neither the file itself nor the
     * sessions folder it lies in, which is looked at again before every open (it may have been swapped for a link, or
     * for another folder, while the server runs).
     */
    FileChannel open(Path path, OpenOption... options) throws IOException {
        if (directory.equals(path) || directory.equals(path.getParent())) {
            requireOwnFolder();
        }
        if (directory.equals(path)) {
            return openFolder(path);
        }
        Set<OpenOption> wanted = Set.of(options);
        FileChannel channel = wanted.contains(StandardOpenOption.CREATE_NEW)
                ? open(opener, path, options)
                : openExisting(path, wanted);
        try {
            // a named pipe or a socket cannot seek: what is not a plain file is refused before a byte is read
            channel.position();
        } catch (IOException e) {
            channel.close();
            throw new FileSystemException(path.toString(), null, NOT_A_REGULAR_FILE);
        }
        return channel;
    }

    /** A folder under the data folder, opened to sync what was renamed in it. */
    FileChannel openFolder(Path folder) throws IOException {
        return open(opener, folder, StandardOpenOption.READ);
    }

    /**
     * A file that is there already, opened read-write even to be read: an open of a named pipe for reading waits until
     * something opens it for writing, and one for writing until something reads it, but one for both never waits, and
     * Java offers no {@code O_NONBLOCK}. The journal's files are its own, so it may open them for writing. Where it may
     * not (a read-only disk, a file made read-only), a file to be read is looked at first and opened read-only: a pipe
     * swapped in between that look and the open is the one case left that could wait.
     */
    private FileChannel openExisting(Path path, Set<OpenOption> wanted) throws IOException {
        Set<OpenOption> readWrite = new HashSet<>(wanted);
        readWrite.add(StandardOpenOption.READ);
        readWrite.add(StandardOpenOption.WRITE);
        try {
            return open(opener, path, readWrite.toArray(OpenOption[]::new));
        } catch (FileSystemException refused) {
            if (refused instanceof NoSuchFileException
                    || wanted.contains(StandardOpenOption.WRITE)
                    || LINK_REFUSED.equals(refused.getReason())) {
                throw refused;
            }
            Optional<String> notPlain = notAPlainFile(path);
            if (notPlain.isPresent()) {
                throw new FileSystemException(path.toString(), null, "it is " + notPlain.get());
            }
            return open(opener, path, wanted.toArray(OpenOption[]::new));
        }
    }

    /**
     * The sessions folder is still the real folder it was: not a symbolic link, not another folder moved into its
     * place. Refused otherwise, with one log line (the next ones only once it was fine again in between).
     */
    void requireOwnFolder() throws IOException {
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(directory, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw refuse("it is gone");
        }
        if (now.isSymbolicLink()) {
            throw refuse(LINK_REFUSED);
        }
        if (!now.isDirectory()) {
            throw refuse("it is not a folder any more");
        }
        Object key = now.fileKey();
        if (folderKey == null) {
            folderKey = key;
        } else if (key != null && !key.equals(folderKey)) {
            throw refuse("another folder was moved into its place while the server ran");
        }
        refusalLogged.set(false);
    }

    private FileSystemException refuse(String why) {
        if (refusalLogged.compareAndSet(false, true)) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the sessions folder " + directory + " is refused: " + why + "; nothing is written there until it"
                            + " is the real folder again (nothing was opened through it)");
        }
        return new FileSystemException(directory.toString(), null, why);
    }

    static FileChannel open(ChannelOpener opener, Path path, OpenOption... options) throws IOException {
        OpenOption[] noFollow = Arrays.copyOf(options, options.length + 1);
        noFollow[options.length] = LinkOption.NOFOLLOW_LINKS;
        try {
            return opener.open(path, noFollow);
        } catch (FileSystemException e) {
            if (Files.isSymbolicLink(path)) {
                var refused = new FileSystemException(path.toString(), null, LINK_REFUSED);
                refused.initCause(e);
                throw refused;
            }
            throw e;
        }
    }

    /** What keeps {@code path} from being read as one of the journal's plain files; empty when nothing does. */
    static Optional<String> notAPlainFile(Path path) {
        if (Files.isSymbolicLink(path)) {
            return Optional.of("a symbolic link");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of("not a regular file");
        }
        return Optional.empty();
    }

    /**
     * The text of a small file the journal wrote itself (the epoch, a damage note); empty when there is none.
     *
     * @throws FileSystemException when it is a link or not a regular file: its content is not the journal's
     */
    Optional<String> readSmall(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Optional<String> refused = notAPlainFile(path);
        if (refused.isPresent()) {
            throw new FileSystemException(path.toString(), null, "it is " + refused.get() + ", not read");
        }
        try (FileChannel channel = open(path, StandardOpenOption.READ)) {
            ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(SMALL_FILE_BYTES, channel.size()));
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // read until full
            }
            return Optional.of(new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8));
        }
    }

    /**
     * Puts {@code content} durably in {@code target}'s place: written to a new {@code .tmp} beside it (a leftover or a
     * planted link of that name is removed first, never written through), synced, renamed over the target entry, and
     * the folder synced.
     */
    void replaceDurably(Path target, String content) throws IOException {
        if (directory.equals(target.getParent())) {
            requireOwnFolder();
        }
        Path next = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(next);
        try (FileChannel channel = open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel folder = openFolder(target.getParent())) {
            folder.force(true);
        }
    }
}
