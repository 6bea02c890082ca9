package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A note or canvas the vault rewrites is a new file renamed over the old one, so whatever the old file carried besides
 * its bytes went with it: its group (a vault shared through a group became unreadable to the group's other members) and
 * its extended attributes (tags a file manager or a sync tool keeps there, the Finder's on macOS), which are the
 * learner's own. They are carried over now, through the vault's real writing path; see {@link KeptAttributes}.
 */
class KeptAttributesTest {

    private static final String NODE = "01000c386bbc4";
    private static final String TEXT = "什么是逆否命题";

    @TempDir
    Path root;

    @TempDir
    Path outside;

    private FileVault vault;

    @BeforeEach
    void openVault() {
        Fixtures.copyVaultTo(root);
        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @Test
    void aRewrittenNoteKeepsItsExtendedAttributes() throws IOException {
        requireUserAttributes();
        WrittenNote first = vault.writeNote(draft("# one"));
        Path note = root.resolve(first.path());
        Map<String, String> given = new LinkedHashMap<>();
        given.put("xdg.tags", hex("maths,exam".getBytes(StandardCharsets.UTF_8)));
        given.put("sync.marker", hex(new byte[] {0, (byte) 0xff, '\n', 0}));
        give(note, given);

        WrittenNote again = vault.writeNote(draft("# two"));

        assertThat(again.path()).as("the unedited note is written over").isEqualTo(first.path());
        assertThat(Files.readString(note)).contains("# two");
        assertThat(attributes(note)).as("its extended attributes").isEqualTo(given);
    }

    @Test
    void aRewrittenNoteKeepsItsGroup() throws IOException {
        WrittenNote first = vault.writeNote(draft("# one"));
        Path note = root.resolve(first.path());
        GroupPrincipal shared = anotherGroupFor(note);
        var groupOnly = PosixFilePermissions.fromString("rw-r-----");
        Files.setAttribute(note, "posix:group", shared, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(note, groupOnly);

        vault.writeNote(draft("# two"));

        assertThat(Files.readString(note)).contains("# two");
        PosixFileAttributes now = Files.readAttributes(note, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(now.group()).as("the group the note was shared with").isEqualTo(shared);
        assertThat(now.permissions()).as("readable by that group, as before").isEqualTo(groupOnly);
    }

    @Test
    void aCanvasLinkedIntoKeepsItsExtendedAttributes() throws IOException {
        requireUserAttributes();
        Path canvas = root.resolve(Fixtures.DISCRETE_MATH);
        Map<String, String> given = Map.of("xdg.tags", hex("exam".getBytes(StandardCharsets.UTF_8)));
        give(canvas, given);

        WrittenNote note = vault.writeNote(draft("# one"));
        vault.flush(Fixtures.DISCRETE_MATH);

        assertThat(CanvasOnDisk.read(canvas).notesPointingAt(note.path()))
                .as("rewritten")
                .hasSize(1);
        assertThat(attributes(canvas)).isEqualTo(given);
    }

    @Test
    void aCanvasLinkedIntoKeepsItsGroup() throws IOException {
        Path canvas = root.resolve(Fixtures.DISCRETE_MATH);
        GroupPrincipal shared = anotherGroupFor(canvas);
        Files.setAttribute(canvas, "posix:group", shared, LinkOption.NOFOLLOW_LINKS);

        WrittenNote note = vault.writeNote(draft("# one"));
        vault.flush(Fixtures.DISCRETE_MATH);

        assertThat(CanvasOnDisk.read(canvas).notesPointingAt(note.path()))
                .as("rewritten")
                .hasSize(1);
        assertThat(Files.readAttributes(canvas, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .group())
                .isEqualTo(shared);
    }

    /** A file with more attributes than {@link KeptAttributes#MOST_ATTRIBUTES} keeps that many, each as it was. */
    @Test
    void aNoteWithMoreAttributesThanTheLimitKeepsAsManyAsTheLimit() throws IOException {
        requireUserAttributes();
        WrittenNote first = vault.writeNote(draft("# one"));
        Path note = root.resolve(first.path());
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < KeptAttributes.MOST_ATTRIBUTES + 6; i++) {
            given.put("t" + i, hex(new byte[] {(byte) i}));
        }
        give(note, given);

        vault.writeNote(draft("# two"));

        Map<String, String> kept = attributes(note);
        assertThat(kept).hasSize(KeptAttributes.MOST_ATTRIBUTES);
        assertThat(given).containsAllEntriesOf(kept);
    }

    /**
     * A note made where there was none gets the mode any new file there gets (0666 less the umask, or the folder's
     * default ACL), as one Obsidian makes does: not a temporary file API's 0600.
     */
    @Test
    void aNewNoteGetsTheModeOfAFileMadeBesideIt() throws IOException {
        WrittenNote note = vault.writeNote(draft("# one"));
        Path file = root.resolve(note.path());
        Path byHand = Files.createFile(file.resolveSibling("made by hand.md"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo(PosixFilePermissions.toString(Files.getPosixFilePermissions(byHand)));
    }

    /**
     * A hard link to a file outside the vault swapped in at the temporary file's name while it is written is given
     * neither the note's group nor its attributes: the write fails, and the outside file stays as it was.
     */
    @Test
    void aHardLinkSwappedInForTheTemporaryFileGetsNothingOfTheNotes() throws Exception {
        WrittenNote first = vault.writeNote(draft("# one"));
        Path note = root.resolve(first.path());
        boolean attributesHere = userAttributesHere();
        if (attributesHere) {
            give(note, Map.of("xdg.tags", hex("maths".getBytes(StandardCharsets.UTF_8))));
        }
        GroupPrincipal shared = anotherGroupOrNull(note);
        assertThat(attributesHere || shared != null)
                .as("user extended attributes or another group can be given to a file here")
                .isTrue();
        if (shared != null) {
            Files.setAttribute(note, "posix:group", shared, LinkOption.NOFOLLOW_LINKS);
        }
        Path secret = Files.writeString(outside.resolve("secret"), "private");
        GroupPrincipal secretsGroup =
                Files.readAttributes(secret, PosixFileAttributes.class).group();
        String before = Files.readString(note);
        vault.close();
        AtomicBoolean swapped = new AtomicBoolean();
        vault = new FileVault(
                root,
                VaultOptions.defaults(),
                Clock.systemUTC(),
                canvas -> {},
                swappingTheTemporaryFileAtItsFirstWrite(secret, swapped),
                CanvasWriteBack.RetryDelays.DEFAULT,
                nanos -> {});

        VaultException refused = catchThrowableOfType(VaultException.class, () -> vault.writeNote(draft("# two")));

        assertThat(swapped).as("the temporary file was swapped for a hard link").isTrue();
        if (attributesHere) {
            assertThat(attributes(secret)).as("the outside file's attributes").isEmpty();
        }
        assertThat(Files.readAttributes(secret, PosixFileAttributes.class).group())
                .as("the outside file's group")
                .isEqualTo(secretsGroup);
        assertThat(refused).as("the write is refused").isNotNull();
        assertThat(refused.getMessage()).contains("replaced by something else");
        assertThat(Files.readString(note)).as("the note as it was").isEqualTo(before);
    }

    private static NoteDraft draft(String markdown) {
        return new NoteDraft(
                Fixtures.DISCRETE_MATH,
                NODE,
                TEXT,
                AgentId.ORAL_EXPLANATION,
                markdown,
                "offline",
                Instant.parse("2026-11-26T12:00:00Z"));
    }

    /** A disk on which the first temporary file written is replaced, at its first write, by a hard link to {@code to}. */
    private static FileOpener swappingTheTemporaryFileAtItsFirstWrite(Path to, AtomicBoolean swapped) {
        return new FileOpener() {
            @Override
            public FileChannel open(Path path, OpenOption... options) throws IOException {
                return FileChannel.open(path, options);
            }

            @Override
            public SeekableByteChannel opened(Path path, SeekableByteChannel channel) {
                if (!AtomicFiles.isTemporaryName(path.getFileName().toString()) || swapped.get()) {
                    return channel;
                }
                return new SeekableByteChannel() {
                    @Override
                    public int write(ByteBuffer buffer) throws IOException {
                        if (swapped.compareAndSet(false, true)) {
                            // as long as what is written, so that it passes for it by its size
                            Files.writeString(to, "p".repeat(buffer.remaining()));
                            Files.delete(path);
                            Files.createLink(path, to);
                        }
                        return channel.write(buffer);
                    }

                    @Override
                    public int read(ByteBuffer buffer) throws IOException {
                        return channel.read(buffer);
                    }

                    @Override
                    public long position() throws IOException {
                        return channel.position();
                    }

                    @Override
                    public SeekableByteChannel position(long position) throws IOException {
                        channel.position(position);
                        return this;
                    }

                    @Override
                    public long size() throws IOException {
                        return channel.size();
                    }

                    @Override
                    public SeekableByteChannel truncate(long size) throws IOException {
                        channel.truncate(size);
                        return this;
                    }

                    @Override
                    public boolean isOpen() {
                        return channel.isOpen();
                    }

                    @Override
                    public void close() throws IOException {
                        channel.close();
                    }
                };
            }
        };
    }

    /**
     * Fails, saying why, where the test's folder keeps no user extended attributes: every file system a learner's vault
     * lives on keeps them (ext4, XFS, Btrfs, APFS, NTFS; tmpfs from Linux 6.6), and a test that skipped itself would
     * prove nothing about keeping them.
     */
    private void requireUserAttributes() throws IOException {
        assertThat(userAttributesHere())
                .as("the file system of the test's folder ("
                        + Files.getFileStore(root).type() + ") keeps user"
                        + " extended attributes; run the tests where it does (java.io.tmpdir on ext4, XFS, Btrfs …)")
                .isTrue();
    }

    private boolean userAttributesHere() throws IOException {
        Path probe = Files.createTempFile(outside, "probe", "");
        try {
            view(probe).write("canvas-batch.probe", ByteBuffer.wrap(new byte[] {1}));
            return Files.getFileStore(probe).equals(Files.getFileStore(root));
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        } finally {
            Files.delete(probe);
        }
    }

    /** A group other than {@code file}'s own that this user may give it; the test is skipped, saying why, if none. */
    private static GroupPrincipal anotherGroupFor(Path file) throws IOException {
        GroupPrincipal group = anotherGroupOrNull(file);
        // root may give any group, so where CI runs (as root) this is always tested; a developer's account in one
        // group only cannot give a file another, and nothing can be tested there
        boolean root = Integer.valueOf(0).equals(Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertThat(group != null || !root)
                .as("root finds another group in /etc/group")
                .isTrue();
        if (group == null) {
            abort("this user may give a file no other group than its own (not root, and a member of no other group"
                    + " listed in /etc/group): keeping a group is not tested here");
        }
        return group;
    }

    private static GroupPrincipal anotherGroupOrNull(Path file) throws IOException {
        Path groups = Path.of("/etc/group");
        if (!Files.isReadable(groups)) {
            return null;
        }
        GroupPrincipal own = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .group();
        var names = file.getFileSystem().getUserPrincipalLookupService();
        for (String line : Files.readAllLines(groups)) {
            String name = line.split(":", 2)[0].strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            try {
                GroupPrincipal group = names.lookupPrincipalByGroupName(name);
                if (group.equals(own)) {
                    continue;
                }
                Files.setAttribute(file, "posix:group", group, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(file, "posix:group", own, LinkOption.NOFOLLOW_LINKS);
                return group;
            } catch (IOException e) {
                // not a group this user may give a file
            }
        }
        return null;
    }

    private static UserDefinedFileAttributeView view(Path file) {
        return Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static void give(Path file, Map<String, String> attributes) throws IOException {
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            view(file).write(attribute.getKey(), ByteBuffer.wrap(HexFormat.of().parseHex(attribute.getValue())));
        }
    }

    /** The user-defined attributes of {@code file}, each value in hex. */
    private static Map<String, String> attributes(Path file) throws IOException {
        Map<String, String> read = new LinkedHashMap<>();
        UserDefinedFileAttributeView view = view(file);
        for (String name : view.list()) {
            ByteBuffer value = ByteBuffer.allocate(view.size(name));
            view.read(name, value);
            read.put(name, hex(value.array()));
        }
        return read;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
