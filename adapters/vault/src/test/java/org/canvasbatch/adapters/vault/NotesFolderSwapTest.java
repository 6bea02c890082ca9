package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anyone who can write the vault (a sync client, another program, a hostile script) can swap the notes folder, or a
 * folder above it, for a link to a folder elsewhere at any moment of a batch, also between the vault's look at it and
 * its write; a tester doing so every half millisecond got notes written over files outside the vault. Whenever the
 * swap happens, the note lands in the folder that was looked at, inside the vault, or is refused with
 * {@code OUTSIDE_VAULT}: nothing is ever created or changed where the link points. The swaps are made at the exact
 * moment through the vault's own seam (told each folder right before it is entered and each note right before it is
 * written) or its disk (told each file it opens), so nothing here depends on timing.
 */
class NotesFolderSwapTest {

    private static final String NOTES = "数学/离散数学-notes";
    private static final String NOTE = "什么是逆否命题 (oral-explanation).md";
    private static final String DIARY = "the neighbour's diary, not a note";
    /** Only keeps a regression from hanging the build; it measures nothing. */
    private static final java.time.Duration HANG_GUARD = java.time.Duration.ofSeconds(30);

    @TempDir
    Path root;

    @TempDir
    Path outside;

    private final AtomicBoolean swapped = new AtomicBoolean();
    private Predicate<Path> swapWhen = path -> false;
    private Runnable swap = () -> {};
    private FileVault vault;

    @BeforeEach
    void aVaultWithANotesFolderAndAFolderOutsideFullOfFilesNamedLikeItsNotes() throws IOException {
        Fixtures.copyVaultTo(root);
        Files.createDirectories(root.resolve(NOTES));
        Files.writeString(root.resolve(NOTES).resolve("the learner's own.md"), "mine");
        // where a link to the notes folder, or to the folder above it, would lead the note
        Files.writeString(outside.resolve(NOTE), DIARY);
        Files.createDirectories(outside.resolve("离散数学-notes"));
        Files.writeString(outside.resolve("离散数学-notes").resolve(NOTE), DIARY);
        vault = open(FileOpener.DEFAULT);
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @Test
    void aNotesFolderSwappedForALinkJustBeforeTheNoteIsWrittenGetsTheNoteInTheFolderLookedAtNeverWhereItPoints()
            throws IOException {
        Map<String, String> before = everythingUnder(outside);
        swapAt(root.resolve(NOTES).resolve(NOTE), () -> swapForLink(root.resolve(NOTES), outside));

        String written = vault.writeNote(draft()).path();
        vault.close(); // and its link written into the canvas

        assertThat(swapped).as("the notes folder was swapped").isTrue();
        assertThat(everythingUnder(outside))
                .as("nothing created or changed outside")
                .isEqualTo(before);
        assertThat(written).isEqualTo(NOTES + "/" + NOTE);
        assertThat(Files.readString(movedAway(root.resolve(NOTES)).resolve(NOTE)))
                .as("in the folder looked at, inside the vault")
                .contains("source_node: ", "# note");
    }

    @Test
    void aNotesFolderSwappedForALinkJustBeforeItIsEnteredRefusesTheNoteAndWritesNothingWhereItPoints()
            throws IOException {
        Map<String, String> before = everythingUnder(outside);
        swapAtTheFirstOf(
                root.resolve(NOTES),
                root.resolve(NOTES).resolve(NOTE),
                () -> swapForLink(root.resolve(NOTES), outside));

        VaultException refused = catchThrowableOfType(VaultException.class, () -> vault.writeNote(draft()));

        assertThat(swapped).as("the notes folder was swapped").isTrue();
        assertThat(refused).as("the note is refused").isNotNull();
        assertThat(refused.reason()).isEqualTo(Reason.OUTSIDE_VAULT);
        assertThat(refused.getMessage())
                .isEqualTo("The notes folder '" + NOTES + "' is a symbolic link; notes are never written through"
                        + " one. Replace it with a real folder.");
        assertThat(everythingUnder(outside))
                .as("nothing created or changed outside")
                .isEqualTo(before);
        assertThat(namesIn(movedAway(root.resolve(NOTES))))
                .as("nothing written in the folder looked at either")
                .containsExactly("the learner's own.md");
    }

    @Test
    void aFolderAboveTheNotesFolderSwappedForALinkJustBeforeTheNoteIsWrittenGetsTheNoteInsideTheVaultOnly()
            throws IOException {
        Map<String, String> before = everythingUnder(outside);
        swapAt(root.resolve(NOTES).resolve(NOTE), () -> swapForLink(root.resolve("数学"), outside));

        vault.writeNote(draft());
        vault.close(); // and its link written, or not, into the canvas, which is where the link points now

        assertThat(swapped).as("the canvas's folder was swapped").isTrue();
        assertThat(everythingUnder(outside))
                .as("nothing created or changed outside")
                .isEqualTo(before);
        assertThat(Files.readString(
                        movedAway(root.resolve("数学")).resolve("离散数学-notes").resolve(NOTE)))
                .as("in the folder looked at, inside the vault")
                .contains("source_node: ", "# note");
    }

    @Test
    void aFolderAboveTheNotesFolderSwappedForALinkJustBeforeItIsEnteredRefusesTheNoteAndWritesNothingWhereItPoints()
            throws IOException {
        Map<String, String> before = everythingUnder(outside);
        swapAtTheFirstOf(
                root.resolve("数学"), root.resolve(NOTES).resolve(NOTE), () -> swapForLink(root.resolve("数学"), outside));

        VaultException refused = catchThrowableOfType(VaultException.class, () -> vault.writeNote(draft()));

        assertThat(swapped).as("the canvas's folder was swapped").isTrue();
        assertThat(refused).as("the note is refused").isNotNull();
        assertThat(refused.reason()).isEqualTo(Reason.OUTSIDE_VAULT);
        assertThat(refused.getMessage()).contains("'数学'", "symbolic link", "'" + NOTES + "'");
        assertThat(everythingUnder(outside))
                .as("nothing created or changed outside")
                .isEqualTo(before);
        assertThat(namesIn(movedAway(root.resolve("数学")).resolve("离散数学-notes")))
                .as("nothing written in the folder looked at either")
                .containsExactly("the learner's own.md");
    }

    /**
     * A canvas the vault reads through a folder link that stays inside the vault ({@code maths -> 数学}) gets its notes
     * in the folder the link leads to, walked by its own names without a link: refusing them after each model call
     * (as a first version of the held folder did) failed every node with "the note's place is outside the vault",
     * which was false (found by a hostile review).
     */
    @Test
    void aCanvasReadThroughAFolderLinkInsideTheVaultGetsItsNotesWhereTheLinkLeads() throws IOException {
        Files.createSymbolicLink(root.resolve("maths"), Path.of("数学"));
        Map<String, String> before = everythingUnder(outside);

        String written = vault.writeNote(draft("maths/离散数学.canvas")).path();

        assertThat(written).isEqualTo("maths/离散数学-notes/" + NOTE);
        assertThat(namesIn(root.resolve(NOTES)))
                .as("the note in the real folder, inside the vault")
                .containsExactlyInAnyOrder("the learner's own.md", NOTE);
        assertThat(Files.isSymbolicLink(root.resolve("maths")))
                .as("the link left as it was")
                .isTrue();
        assertThat(everythingUnder(outside)).isEqualTo(before);
    }

    /**
     * The in-vault link re-pointed at a hidden folder (Obsidian's own, the trash) after the canvas was read: the note is
     * refused, and nothing is made or written in the hidden folder (found by a hostile review of the real-names way).
     */
    @Test
    void anInVaultLinkRepointedAtAHiddenFolderMeanwhileRefusesTheNoteAndWritesNothingThere() throws IOException {
        Path maths = Files.createSymbolicLink(root.resolve("maths"), Path.of("数学"));
        Path hidden = Files.createDirectories(root.resolve(".obsidian"));
        Map<String, String> before = everythingUnder(hidden);
        swapAt(root.resolve("数学"), () -> {
            try {
                Files.delete(maths);
                Files.createSymbolicLink(maths, Path.of(".obsidian"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        VaultException refused =
                catchThrowableOfType(VaultException.class, () -> vault.writeNote(draft("maths/线性代数.canvas")));

        assertThat(swapped).as("the link was re-pointed").isTrue();
        assertThat(refused).as("the note is refused").isNotNull();
        assertThat(refused.reason()).isEqualTo(Reason.OUTSIDE_VAULT);
        assertThat(everythingUnder(hidden))
                .as("nothing made or written in the hidden folder")
                .isEqualTo(before);
    }

    @Test
    void theNotesOwnNameSwappedForALinkOutsideAsItIsRenamedIntoPlaceKeepsTheLinkAndTheFileItPointsAt()
            throws IOException {
        Map<String, String> before = everythingUnder(outside);
        Path name = root.resolve(NOTES).resolve(NOTE);
        vault.close();
        // the disk is told each file the vault opens: the note's temporary file, just made, is all that is left
        // between the vault's last look at the note's name and the rename over it
        vault = open(new FileOpener() {
            @Override
            public FileChannel open(Path path, OpenOption... options) throws IOException {
                linkTheNoteOutsideAtItsTemporaryFile(path);
                return FileChannel.open(path, options);
            }

            @Override
            public SeekableByteChannel opened(Path path, SeekableByteChannel channel) {
                linkTheNoteOutsideAtItsTemporaryFile(path);
                return channel;
            }

            private void linkTheNoteOutsideAtItsTemporaryFile(Path path) {
                if (path.getParent().equals(root.resolve(NOTES))
                        && AtomicFiles.isTemporaryName(path.getFileName().toString())
                        && swapped.compareAndSet(false, true)) {
                    try {
                        Files.createSymbolicLink(name, outside.resolve(NOTE));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        });

        VaultException refused = catchThrowableOfType(VaultException.class, () -> vault.writeNote(draft()));

        assertThat(swapped).as("the note's name was linked outside").isTrue();
        assertThat(everythingUnder(outside))
                .as("nothing created or changed outside")
                .isEqualTo(before);
        assertThat(refused).as("the note is refused").isNotNull();
        assertThat(refused.reason()).isEqualTo(Reason.OUTSIDE_VAULT);
        assertThat(refused.getMessage())
                .isEqualTo("Cannot write the note '" + NOTES + "/" + NOTE + "': a symbolic link is in its place;"
                        + " notes replace only regular files.");
        assertThat(Files.isSymbolicLink(name)).as("the link is left as it was").isTrue();
        assertThat(Files.readSymbolicLink(name)).isEqualTo(outside.resolve(NOTE));
        assertThat(namesIn(root.resolve(NOTES)))
                .as("no temporary file left behind")
                .containsExactlyInAnyOrder("the learner's own.md", NOTE);
    }

    /**
     * A named pipe put in place of the note's temporary file once it is written (a re-run, so the note being replaced
     * has permissions to keep): the write neither waits for the pipe's writer (the JDK sets permissions in a held folder
     * by opening the file, which on a pipe waits for ever, with the notes folder's lock held) nor renames the pipe over
     * the note. Found by a hostile review of the held folder.
     */
    @Test
    void aPipePutInPlaceOfTheWrittenTemporaryFileNeitherHangsTheWriteNorTakesTheNotesPlace() throws Exception {
        vault.writeNote(draft());
        Path note = root.resolve(NOTES).resolve(NOTE);
        String first = Files.readString(note);
        vault.close();
        vault = open(replacingTheTemporaryFileOnceWritten(temporary -> {
            Files.delete(temporary);
            mkfifo(temporary);
        }));

        VaultException refused;
        try {
            refused = assertTimeoutPreemptively(
                    HANG_GUARD,
                    () -> catchThrowableOfType(
                            VaultException.class,
                            () -> vault.writeNote(new NoteDraft(
                                    Fixtures.DISCRETE_MATH,
                                    "01000c386bbc4",
                                    "什么是逆否命题",
                                    AgentId.ORAL_EXPLANATION,
                                    "# the second answer",
                                    "offline",
                                    Instant.parse("2026-11-26T12:00:01Z")))));
        } finally {
            releaseAnyPipeIn(root.resolve(NOTES)); // a write stuck on a pipe would otherwise keep this JVM alive
        }

        assertThat(swapped).as("the temporary file was replaced by a pipe").isTrue();
        assertThat(refused).as("the write is refused").isNotNull();
        assertThat(refused.getMessage()).contains("was replaced by something else");
        assertThat(Files.isRegularFile(note, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .as("the note is still a file")
                .isTrue();
        assertThat(Files.readString(note)).as("the note as it was").isEqualTo(first);
    }

    /**
     * A hard link to a private file outside the vault put in place of the written temporary file, on a rerun of a note
     * the learner made writable by everyone: the outside file's permissions stay as they were (a permission restore
     * after the write, since taken out, made it world-writable; found by a hostile review).
     */
    @Test
    void aHardLinkPutInPlaceOfTheTemporaryFileKeepsTheOutsideFilesPermissions() throws Exception {
        vault.writeNote(draft());
        Path note = root.resolve(NOTES).resolve(NOTE);
        Files.setPosixFilePermissions(note, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        Path secret = outside.resolve("secret");
        Files.writeString(secret, "private");
        var privateOnly = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        Files.setPosixFilePermissions(secret, privateOnly);
        vault.close();
        vault = open(replacingTheTemporaryFileOnceWritten(temporary -> {
            // as long as what was written, so that it passes for the file just written
            Files.writeString(secret, "p".repeat((int) Files.size(temporary)));
            Files.delete(temporary);
            Files.createLink(temporary, secret);
        }));

        catchThrowableOfType(
                VaultException.class,
                () -> vault.writeNote(new NoteDraft(
                        Fixtures.DISCRETE_MATH,
                        "01000c386bbc4",
                        "什么是逆否命题",
                        AgentId.ORAL_EXPLANATION,
                        "# the second answer",
                        "offline",
                        Instant.parse("2026-11-26T12:00:01Z"))));

        assertThat(swapped).as("the temporary file was replaced by a hard link").isTrue();
        assertThat(Files.getPosixFilePermissions(secret))
                .as("the outside file's permissions")
                .isEqualTo(privateOnly);
        assertThat(Files.readString(secret)).matches("p+");
    }

    /** What a test does to a file of the vault's. */
    private interface FileAction {
        void on(Path file) throws IOException;
    }

    /** A disk on which {@code replace} runs once, on the first note's temporary file, as soon as it is written. */
    private FileOpener replacingTheTemporaryFileOnceWritten(FileAction replace) {
        return new FileOpener() {
            @Override
            public FileChannel open(Path path, OpenOption... options) throws IOException {
                return FileChannel.open(path, options);
            }

            @Override
            public SeekableByteChannel opened(Path path, SeekableByteChannel channel) {
                if (!AtomicFiles.isTemporaryName(path.getFileName().toString())) {
                    return channel;
                }
                return new ForwardingChannel(channel) {
                    @Override
                    public void close() throws IOException {
                        super.close();
                        if (swapped.compareAndSet(false, true)) {
                            replace.on(path);
                        }
                    }
                };
            }
        };
    }

    /** A channel that passes everything on: for a test's disk that acts when a file is closed. */
    private static class ForwardingChannel implements SeekableByteChannel {
        private final SeekableByteChannel channel;

        ForwardingChannel(SeekableByteChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read(java.nio.ByteBuffer buffer) throws IOException {
            return channel.read(buffer);
        }

        @Override
        public int write(java.nio.ByteBuffer buffer) throws IOException {
            return channel.write(buffer);
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
    }

    private static boolean isPipe(Path path) {
        try {
            return Files.readAttributes(
                            path,
                            java.nio.file.attribute.BasicFileAttributes.class,
                            java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    .isOther();
        } catch (IOException gone) {
            return false;
        }
    }

    private static void mkfifo(Path path) throws IOException {
        try {
            Process made = new ProcessBuilder("mkfifo", path.toString()).start();
            if (made.waitFor() != 0) {
                throw new IOException("mkfifo " + path + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * Opens every named pipe in {@code folder} for writing, once, so that a reader waiting on one goes on; each open on a
     * daemon thread of its own, given a few seconds, since it waits while nobody reads the pipe.
     */
    private static void releaseAnyPipeIn(Path folder) throws IOException, InterruptedException {
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path entry : entries.filter(NotesFolderSwapTest::isPipe).toList()) {
                Thread writer = Thread.ofPlatform().daemon().start(() -> {
                    try (var opened = FileChannel.open(entry, java.nio.file.StandardOpenOption.WRITE)) {
                        opened.size();
                    } catch (IOException gone) {
                        // deleted meanwhile: nothing waits on it
                    }
                });
                writer.join(5_000);
            }
        }
    }

    private FileVault open(FileOpener disk) {
        return new FileVault(
                root,
                VaultOptions.defaults(),
                Clock.systemUTC(),
                canvas -> {},
                disk,
                CanvasWriteBack.RetryDelays.DEFAULT,
                nanos -> {},
                null,
                beforeNoteActs());
    }

    /** Runs the swap once, when the vault is about to act on a path {@link #swapWhen} accepts. */
    private Consumer<Path> beforeNoteActs() {
        return path -> {
            if (swapWhen.test(path) && swapped.compareAndSet(false, true)) {
                swap.run();
            }
        };
    }

    private void swapAt(Path at, Runnable swapping) {
        swapWhen = at::equals;
        swap = swapping;
    }

    /** Whichever of the two the vault acts on first: the folder, where it enters it, else the note. */
    private void swapAtTheFirstOf(Path folder, Path note, Runnable swapping) {
        swapWhen = path -> path.equals(folder) || path.equals(note);
        swap = swapping;
    }

    /** Moves the folder aside, inside the vault, and puts a link to {@code target} in its place. */
    private static void swapForLink(Path folder, Path target) {
        try {
            Files.move(folder, movedAway(folder));
            Files.createSymbolicLink(folder, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path movedAway(Path folder) {
        return folder.resolveSibling(folder.getFileName() + "-moved");
    }

    private static NoteDraft draft() {
        return draft(Fixtures.DISCRETE_MATH);
    }

    private static NoteDraft draft(String canvas) {
        return new NoteDraft(
                canvas,
                "01000c386bbc4",
                "什么是逆否命题",
                AgentId.ORAL_EXPLANATION,
                "# note",
                "offline",
                Instant.parse("2026-11-26T12:00:00Z"));
    }

    /** Every file and folder under {@code folder}, no link followed, with each file's content (a link: its target). */
    private static Map<String, String> everythingUnder(Path folder) throws IOException {
        Map<String, String> found = new TreeMap<>();
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path path : all.toList()) {
                String what = Files.isSymbolicLink(path)
                        ? "link to " + Files.readSymbolicLink(path)
                        : Files.isDirectory(path) ? "folder" : Files.readString(path);
                found.put(folder.relativize(path).toString(), what);
            }
        }
        return found;
    }

    private static java.util.List<String> namesIn(Path folder) throws IOException {
        try (Stream<Path> names = Files.list(folder)) {
            return names.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
