package org.canvasbatch.adapters.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Someone who can write into the data folder plants symbolic links there, hoping the server (perhaps running as root)
 * opens them for writing and so destroys or reveals a file it can reach. Nothing under the data folder is followed: a
 * planted link is skipped or replaced as an entry, with one log line, and its target keeps every byte.
 */
class DataFolderLinksTest {

    private static final SessionId A = new SessionId("session-a");
    /** Far longer than refusing a file takes; a wait for a pipe's other end lasts until the test gives up. */
    private static final Duration PIPE_PATIENCE = Duration.ofSeconds(10);

    private static final String PRECIOUS = "the learner's thesis, chapter 3: a file the server must never touch\n";

    @TempDir
    Path temp;

    private Path data;
    private Path sessions;
    private Path victim;
    private CapturedLogs log;

    @BeforeEach
    void plantTheVictim() throws IOException {
        data = temp.resolve("data");
        sessions = Files.createDirectories(data.resolve("sessions"));
        Files.createDirectories(temp.resolve("outside"));
        victim = Files.writeString(temp.resolve("outside/thesis.txt"), PRECIOUS, StandardCharsets.UTF_8);
        log = CapturedLogs.of(FileJournal.class.getName());
    }

    @AfterEach
    void stopListening() {
        log.close();
    }

    private void assertVictimUntouched() throws IOException {
        assertThat(Files.readString(victim, StandardCharsets.UTF_8)).isEqualTo(PRECIOUS);
    }

    @Test
    void aJournalThatIsALinkIsSkippedWithOneLogLineAndItsTargetKeepsEveryByte() throws IOException {
        Path link = Files.createSymbolicLink(sessions.resolve("session-a.journal"), victim);

        try (FileJournal journal = FileJournal.open(data)) {
            assertThat(journal.sessionIds()).isEmpty();
            assertThat(journal.readAfter(A, 0, 10)).isEmpty();
        }

        assertVictimUntouched();
        assertThat(Files.isSymbolicLink(link))
                .as("the planted link is left for a person to look at")
                .isTrue();
        assertThat(log.visibleRecordsContaining(link.toString()))
                .singleElement()
                .satisfies(line -> {
                    assertThat(line.getMessage()).contains("symbolic link");
                    assertThat(line.getThrown()).isNull();
                });
    }

    @Test
    void aSessionsFolderSwappedForALinkWhileTheServerRunsIsNotWrittenThrough() throws IOException {
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        try (CapturedLogs files = CapturedLogs.of(JournalFiles.class.getName());
                FileJournal journal = FileJournal.open(data)) {
            Files.move(sessions, data.resolve("sessions.real"));
            Files.createSymbolicLink(sessions, elsewhere);

            assertThatThrownBy(() -> journal.append(SampleEvents.history(A, 2)))
                    .isInstanceOf(EventLogException.class)
                    .hasMessageContaining("symbolic link");
            assertThatThrownBy(() -> journal.append(SampleEvents.history(new SessionId("session-b"), 2)))
                    .isInstanceOf(EventLogException.class);
            assertThat(journal.writeProblem()).isPresent();

            assertThat(files.visibleRecordsContaining(sessions.toString()))
                    .as("one line, however many opens are refused")
                    .singleElement()
                    .satisfies(line -> assertThat(line.getThrown()).isNull());
        }
        try (var left = Files.list(elsewhere)) {
            assertThat(left).as("nothing created where the link points").isEmpty();
        }
    }

    @Test
    void aJournalLinkToAnotherValidJournalIsNotReadEither() throws IOException {
        Path elsewhere = temp.resolve("elsewhere");
        try (FileJournal other = FileJournal.open(elsewhere)) {
            other.append(SampleEvents.history(A, 3));
        }
        Path real = elsewhere.resolve("sessions/session-a.journal");
        byte[] before = Files.readAllBytes(real);
        Files.createSymbolicLink(sessions.resolve("session-a.journal"), real);

        try (FileJournal journal = FileJournal.open(data)) {
            assertThat(journal.sessionIds()).isEmpty();
        }

        assertThat(real).hasBinaryContent(before);
    }

    @Test
    void aLinkedWriteProbeIsReplacedNotWrittenThrough() throws IOException {
        Path probe = Files.createSymbolicLink(data.resolve(".write-probe"), victim);

        try (FileJournal journal = FileJournal.open(data)) {
            journal.append(SampleEvents.history(A, 2));
        }

        assertVictimUntouched();
        assertThat(Files.exists(probe, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void aLinkedEpochIsNotReadAndALinkedTemporaryEpochIsNotWrittenThrough() throws IOException {
        Files.writeString(victim, "0f8fad5b-d9cb-469f-a165-70867728950e", StandardCharsets.UTF_8);
        Path secret = Files.writeString(temp.resolve("outside/secret.txt"), PRECIOUS, StandardCharsets.UTF_8);
        Files.createSymbolicLink(data.resolve("epoch"), victim);
        Files.createSymbolicLink(data.resolve("epoch.tmp"), secret);

        String epoch;
        try (FileJournal journal = FileJournal.open(data)) {
            epoch = journal.epoch();
        }

        assertThat(epoch).isNotEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e");
        assertThat(Files.readString(secret, StandardCharsets.UTF_8)).isEqualTo(PRECIOUS);
        assertThat(Files.readString(victim, StandardCharsets.UTF_8)).isEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e");
        assertThat(Files.isSymbolicLink(data.resolve("epoch"))).isFalse();
        try (FileJournal again = FileJournal.open(data)) {
            assertThat(again.epoch())
                    .as("the epoch written in place of the link holds")
                    .isEqualTo(epoch);
        }
        assertThat(log.visibleRecordsContaining("epoch"))
                .anySatisfy(line -> assertThat(line.getMessage()).contains("symbolic link"));
    }

    @Test
    void aLinkedDamageNoteIsNotReadIntoTheStatus() throws IOException {
        try (FileJournal journal = FileJournal.open(data)) {
            journal.append(SampleEvents.history(A, 2));
        }
        Files.createSymbolicLink(sessions.resolve("session-a.damage"), victim);

        try (FileJournal journal = FileJournal.open(data)) {
            assertThat(journal.damage().values()).noneMatch(text -> text.contains("thesis"));
            assertThat(journal.readAfter(A, 0, 10)).hasSize(2);
        }
        assertVictimUntouched();
    }

    @Test
    void aLinkWhereTheDamagedCopyGoesIsPassedOverAndKeptIntact() throws IOException {
        try (FileJournal journal = FileJournal.open(data)) {
            journal.append(SampleEvents.history(A, 4));
        }
        Path file = sessions.resolve("session-a.journal");
        byte[] bytes = Files.readAllBytes(file);
        bytes[40] ^= 0x5A; // inside the first record: damage
        Files.write(file, bytes);
        Path planted = Files.createSymbolicLink(sessions.resolve("session-a.journal.damaged"), victim);

        try (FileJournal journal = FileJournal.open(data)) {
            assertThat(journal.damage()).containsKey(A);
        }

        assertVictimUntouched();
        assertThat(Files.isSymbolicLink(planted)).isTrue();
        assertThat(sessions.resolve("session-a.journal.damaged.2")).hasBinaryContent(bytes);
    }

    @Test
    void aSessionsFolderThatIsALinkIsRefusedByName() throws IOException {
        Path other = Files.createDirectories(temp.resolve("other"));
        Files.writeString(other.resolve("keep.txt"), PRECIOUS, StandardCharsets.UTF_8);
        Path linked = temp.resolve("linked-data");
        Files.createDirectories(linked);
        Files.createSymbolicLink(linked.resolve("sessions"), other);

        assertThatThrownBy(() -> FileJournal.open(linked))
                .isInstanceOf(EventLogException.class)
                .hasMessageContaining(linked.resolve("sessions").toString())
                .hasMessageContaining("symbolic link");
        try (var left = Files.list(other)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("keep.txt");
        }
    }

    @Test
    void aDataFolderChosenThroughALinkIsUsedWhereItLeads() throws IOException {
        Path real = Files.createDirectories(temp.resolve("big-disk/canvas-batch"));
        Path chosen = Files.createSymbolicLink(temp.resolve("chosen"), real);

        try (FileJournal journal = FileJournal.open(chosen)) {
            journal.append(SampleEvents.history(A, 2));
        }

        assertThat(real.resolve("sessions/session-a.journal")).exists();
    }

    @Test
    void aJournalSwappedForALinkWhileTheServerRunsIsNeitherWrittenNorReadThrough() throws IOException {
        FileJournal journal = FileJournal.open(data);
        try {
            journal.append(SampleEvents.history(A, 2));
            journal.close();
            journal = FileJournal.open(data);
            Path file = sessions.resolve("session-a.journal");
            Files.delete(file);
            Files.createSymbolicLink(file, victim);

            FileJournal running = journal;
            assertThatThrownBy(() -> running.readAfter(A, 0, 10))
                    .isInstanceOf(EventLogException.class)
                    .hasMessageContaining("symbolic link");
            assertThatThrownBy(() -> running.append(SampleEvents.history(A, 3).subList(2, 3)))
                    .isInstanceOf(EventLogException.class)
                    .hasMessageContaining("symbolic link");
        } finally {
            journal.close();
        }
        assertVictimUntouched();
    }

    /**
     * A journal swapped for a named pipe while the server runs: opening a pipe waits for its other end (a read for a
     * writer, a write for a reader), so a plain open would hold the status or replay that reads it, and the one writer
     * every session's events go through, for good. Each is refused at once instead, as for a link.
     */
    @Test
    void aJournalSwappedForANamedPipeWhileTheServerRunsIsRefusedAtOnceNotWaitedOn() throws Exception {
        FileJournal journal = FileJournal.open(data);
        try {
            journal.append(SampleEvents.history(A, 2));
            journal.close();
            journal = FileJournal.open(data);
            Path file = sessions.resolve("session-a.journal");
            Files.delete(file);
            mkfifo(file);

            FileJournal running = journal;
            assertTimeoutPreemptively(PIPE_PATIENCE, () -> {
                assertThatThrownBy(() -> running.readAfter(A, 0, 10))
                        .isInstanceOf(EventLogException.class)
                        .hasMessageContaining("not a regular file");
                assertThatThrownBy(() -> {
                            try (var reader = running.read(A, 0)) {
                                reader.next(10);
                            }
                        })
                        .isInstanceOf(EventLogException.class)
                        .hasMessageContaining("not a regular file");
                assertThatThrownBy(
                                () -> running.append(SampleEvents.history(A, 3).subList(2, 3)))
                        .isInstanceOf(EventLogException.class)
                        .hasMessageContaining("not a regular file");
            });
            assertThat(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                    .as("the pipe is left where it is")
                    .isFalse();
        } finally {
            journal.close();
        }
    }

    /** On a disk that refuses writing, a journal is read read-only after a look, which refuses the pipe. */
    @Test
    void aJournalSwappedForANamedPipeOnADiskThatTurnedReadOnlyIsRefusedAtOnceToo() throws Exception {
        FaultyDisk disk = new FaultyDisk();
        try (FileJournal journal = FileJournal.open(data, disk)) {
            journal.append(SampleEvents.history(A, 2));
        }
        FileJournal journal = FileJournal.open(data, disk);
        try {
            Path file = sessions.resolve("session-a.journal");
            Files.delete(file);
            mkfifo(file);
            disk.readOnly = true;

            FileJournal running = journal;
            assertTimeoutPreemptively(
                    PIPE_PATIENCE,
                    () -> assertThatThrownBy(() -> running.readAfter(A, 0, 10))
                            .isInstanceOf(EventLogException.class)
                            .hasMessageContaining("not a regular file"));
        } finally {
            journal.close();
        }
    }

    @Test
    void aFifoNamedLikeAJournalIsSkippedRatherThanWaitedOn() throws Exception {
        Path fifo = mkfifo(sessions.resolve("session-a.journal"));

        try (FileJournal journal = FileJournal.open(data)) {
            assertThat(journal.sessionIds()).isEmpty();
        }

        assertThat(log.visibleRecordsContaining(fifo.toString()))
                .singleElement()
                .satisfies(line -> assertThat(line.getMessage()).contains("not a regular file"));
        assertThat(List.of(fifo)).allMatch(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * A folder named like a leftover the journal tidies away at start (a sync tool's or a person's, with files in it):
     * it is not the journal's, so it is left as it is with one log line, and the server starts.
     */
    @Test
    void aFolderNamedLikeALeftoverTemporaryFileDoesNotKeepTheServerFromStarting() throws IOException {
        Path planted = Files.createDirectories(sessions.resolve("session-b.journal.tmp"));
        Path inside = Files.writeString(planted.resolve("keep.txt"), PRECIOUS, StandardCharsets.UTF_8);

        try (CapturedLogs all = CapturedLogs.of(FileJournal.class.getPackageName());
                FileJournal journal = FileJournal.open(data)) {
            journal.append(SampleEvents.history(A, 2));
            assertThat(journal.readAfter(A, 0, 10)).hasSize(2);
            assertThat(all.visibleRecordsContaining(planted.toString()))
                    .singleElement()
                    .satisfies(line -> assertThat(line.getThrown()).isNull());
        }
        assertThat(inside).hasContent(PRECIOUS);
    }

    /**
     * A folder with someone's files in it where the journal keeps a small file of its own (its epoch, its write probe):
     * the folder is not the journal's to remove, and the start is refused with a message that names it and says why.
     */
    @Test
    void aFolderWhereTheJournalKeepsAFileOfItsOwnIsNamedInTheRefusalAndKept() throws IOException {
        for (String name : List.of("epoch", ".write-probe")) {
            Path planted = Files.createDirectories(data.resolve(name));
            Path inside = Files.writeString(planted.resolve("keep.txt"), PRECIOUS, StandardCharsets.UTF_8);

            assertThatThrownBy(() -> FileJournal.open(data).close())
                    .as(name)
                    .isInstanceOf(EventLogException.class)
                    .hasMessageContaining(planted.toString())
                    .hasMessageContaining("is a folder where canvas-batch keeps a file of its own");
            assertThat(inside).as(name).hasContent(PRECIOUS);
            Files.delete(inside);
            Files.delete(planted);
        }
    }

    /**
     * A folder planted where the note about a damaged journal goes: the damage is still handled (the journal's intact
     * records loaded), and the folder costs one log line, never a stack trace.
     */
    @Test
    void aFolderWhereADamageNoteGoesCostsOneLogLineNotTheSessionNorAStackTrace() throws IOException {
        try (FileJournal journal = FileJournal.open(data)) {
            journal.append(SampleEvents.history(A, 3));
        }
        // a whole record whose checksum does not match: damage, not a torn tail
        Files.write(
                sessions.resolve("session-a.journal"),
                new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 1, 2, 3, 4},
                java.nio.file.StandardOpenOption.APPEND);
        Path planted = Files.createDirectories(sessions.resolve("session-a.damage"));
        Files.writeString(planted.resolve("keep.txt"), PRECIOUS, StandardCharsets.UTF_8);

        try (CapturedLogs all = CapturedLogs.of(FileJournal.class.getPackageName());
                FileJournal journal = FileJournal.open(data)) {
            assertThat(journal.readAfter(A, 0, 10)).as("the intact records").hasSize(3);
            assertThat(journal.damage()).containsKey(A);
            assertThat(all.visibleRecords())
                    .as("no stack trace for a planted folder")
                    .allSatisfy(line -> assertThat(line.getThrown()).isNull());
        }
        assertThat(planted.resolve("keep.txt")).hasContent(PRECIOUS);
    }

    private static Path mkfifo(Path pipe) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();
        return pipe;
    }
}
