package org.canvasbatch.adapters.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.EventsLost;
import org.canvasbatch.domain.session.SessionEvent.SessionPaused;
import org.canvasbatch.domain.session.SessionEvent.SessionResumed;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileJournalTest extends EventLogContract {

    private static final SessionId C = new SessionId("session-c");

    @TempDir
    Path temp;

    private final FaultyDisk disk = new FaultyDisk();

    @Override
    protected EventLog createLog() {
        return FileJournal.open(data(), disk);
    }

    private Path data() {
        return temp.resolve("data");
    }

    private FileJournal journal() {
        return (FileJournal) log;
    }

    private FileJournal reopen() {
        journal().close();
        log = FileJournal.open(data(), disk);
        return journal();
    }

    private Path journalFile(Path dataDir, SessionId id) {
        return dataDir.resolve("sessions").resolve(id + ".journal");
    }

    private Path journalFile(SessionId id) {
        return journalFile(data(), id);
    }

    /** The events a reader of the raw file finds, and where their records start. */
    private record OnDisk(List<SessionEvent> events, List<Long> offsets) {}

    private static OnDisk readRaw(Path file) throws Exception {
        List<SessionEvent> events = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            var reader = new RecordReader(channel, JournalFormat.HEADER_BYTES, channel.size());
            while (reader.next() instanceof RecordReader.Intact intact) {
                events.add(new SessionEventCodec().decode(intact.payload()));
                offsets.add(intact.offset());
            }
        }
        return new OnDisk(events, offsets);
    }

    private static void flipByte(Path file, long at) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) at] ^= 0x5A;
        Files.write(file, bytes);
    }

    @Test
    void reopeningGivesBackTheSameEventsTheSameEpochAndCarriesOn() {
        log.append(SampleEvents.everyKind(A));
        log.append(seqs(B, 1, 5));
        log.append(seqs(B, 6, 9));
        String epoch = log.epoch();

        FileJournal reopened = reopen();

        assertThat(reopened.sessionIds()).containsExactlyInAnyOrder(A, B);
        assertThat(reopened.readAfter(A, 0, 100)).containsExactlyElementsOf(SampleEvents.everyKind(A));
        assertThat(reopened.readAfter(B, 0, 100)).containsExactlyElementsOf(seqs(B, 1, 9));
        assertThat(reopened.epoch()).isEqualTo(epoch);
        assertThat(reopened.damage()).isEmpty();
        reopened.append(seqs(B, 10, 10));
        assertThat(reopened.readAfter(B, 8, 100)).containsExactlyElementsOf(seqs(B, 9, 10));
        assertThatThrownBy(() -> reopened.append(seqs(B, 10, 10))).isInstanceOf(EventLogException.class);
    }

    @Test
    void aNewDataDirectoryMeansANewEpoch() {
        try (FileJournal other = FileJournal.open(temp.resolve("elsewhere"))) {
            assertThat(other.epoch()).isNotEqualTo(log.epoch());
        }
    }

    @Test
    void largeSessionsAndLargeOutputsSurviveAReopen() {
        List<SessionEvent> events = new ArrayList<>();
        events.add(SampleEvents.created(A, 10_000));
        events.add(seqs(A, 2, 2).getFirst());
        events.add(new TaskSucceeded(
                A,
                3,
                SampleEvents.T0,
                "node-1",
                1,
                AgentId.DEEP_DECOMPOSITION,
                1,
                "n.md",
                9,
                9,
                "长文本🧪 ".repeat(200_000),
                "m"));
        log.append(events.subList(0, 2));
        log.append(events.subList(2, 3));

        assertThat(reopen().readAfter(A, 0, 10)).containsExactlyElementsOf(events);
    }

    @Test
    void aJournalCutAnywhereInItsLastRecordLoadsExactlyTheEventsBeforeIt() throws Exception {
        log.append(seqs(A, 1, 5));
        long beforeLast = Files.size(journalFile(A));
        log.append(seqs(A, 6, 6));
        journal().close();
        byte[] whole = Files.readAllBytes(journalFile(A));
        Path trial = temp.resolve("trial");
        Files.createDirectories(trial.resolve("sessions"));

        for (int cut = (int) beforeLast; cut <= whole.length; cut++) {
            Files.write(journalFile(trial, A), Arrays.copyOf(whole, cut));
            try (FileJournal crashed = FileJournal.open(trial)) {
                boolean complete = cut == whole.length;
                assertThat(crashed.readAfter(A, 0, 100))
                        .as("cut at byte %d", cut)
                        .containsExactlyElementsOf(seqs(A, 1, complete ? 6 : 5));
                assertThat(crashed.damage()).isEmpty();
                assertThat(Files.size(journalFile(trial, A))).isEqualTo(complete ? whole.length : beforeLast);
                if (!complete) {
                    crashed.append(seqs(A, 6, 6));
                }
            }
            try (FileJournal again = FileJournal.open(trial)) {
                assertThat(again.readAfter(A, 0, 100))
                        .as("reopened after the cut at byte %d", cut)
                        .containsExactlyElementsOf(seqs(A, 1, 6));
            }
        }
    }

    @Test
    void aJournalCutInsideItsHeaderHoldsNoSessionAndTheSessionCanStart() throws Exception {
        journal().close();
        Files.createDirectories(journalFile(A).getParent());
        Files.write(journalFile(A), Arrays.copyOf(JournalFormat.header().array(), 5));

        FileJournal reopened = reopen();

        assertThat(reopened.sessionIds()).isEmpty();
        assertThat(reopened.damage()).isEmpty();
        reopened.append(seqs(A, 1, 2));
        assertThat(reopen().readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 2));
    }

    @Test
    void aTailOfZerosLeftByACrashIsCutAway() throws Exception {
        log.append(seqs(A, 1, 4));
        long size = Files.size(journalFile(A));
        journal().close();
        Files.write(journalFile(A), new byte[4096], StandardOpenOption.APPEND);

        FileJournal reopened = reopen();

        assertThat(reopened.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 4));
        assertThat(reopened.damage()).isEmpty();
        assertThat(Files.size(journalFile(A))).isEqualTo(size);
    }

    /** Bytes 0 and 3 are in the length, 9 is the event's type tag: the record no longer reads as any event. */
    @ParameterizedTest(name = "byte {0} of the record")
    @ValueSource(ints = {0, 3, 9})
    void damageInTheMiddleStopsThatSessionThereReportsItAndSparesTheOthers(int byteInRecord) throws Exception {
        log.append(seqs(A, 1, 6));
        log.append(seqs(B, 1, 6));
        log.append(seqs(C, 1, 6));
        journal().close();
        long third = readRaw(journalFile(B)).offsets().get(2);
        flipByte(journalFile(B), third + byteInRecord);
        byte[] damaged = Files.readAllBytes(journalFile(B));

        FileJournal reopened = reopen();

        List<SessionEvent> kept = reopened.readAfter(B, 0, 100);
        assertThat(kept.subList(0, 2)).containsExactlyElementsOf(seqs(B, 1, 2));
        EventsLost lost = (EventsLost) kept.get(2);
        assertThat(kept).hasSize(3);
        assertThat(lost.firstSeq()).isEqualTo(3);
        assertThat(lost.seq()).as("every seq the lost records had").isGreaterThanOrEqualTo(6);
        assertThat(reopened.readAfter(A, 0, 100)).containsExactlyElementsOf(seqs(A, 1, 6));
        assertThat(reopened.readAfter(C, 0, 100)).containsExactlyElementsOf(seqs(C, 1, 6));
        assertThat(reopened.sessionIds()).containsExactlyInAnyOrder(A, B, C);
        assertThat(reopened.damage()).containsOnlyKeys(B);
        assertThat(reopened.damage().get(B))
                .contains(
                        "damaged",
                        "at byte " + third,
                        "kept the first 2 events",
                        "goes on from seq " + (lost.seq() + 1),
                        "session-b.journal.damaged");
        assertThat(journalFile(B).resolveSibling("session-b.journal.damaged")).hasBinaryContent(damaged);

        assertThatThrownBy(() -> reopened.append(seqs(B, 3, 3)))
                .as("seq 3 may have reached a client with the lost event")
                .isInstanceOf(EventLogException.class);
        SessionEvent next = new SessionPaused(B, lost.seq() + 1, SampleEvents.T0, "paused");
        reopened.append(List.of(next));
        FileJournal again = reopen();
        assertThat(again.readAfter(B, 0, 100)).containsExactly(kept.get(0), kept.get(1), lost, next);
        assertThat(again.damage()).containsOnlyKeys(B);
    }

    /**
     * A journal tester's case: a record in the middle damaged while clients had seqs up to its end. A client resuming
     * from any of the lost seqs must be sent every event the session goes on with, none of them under a seq it has.
     */
    @Test
    void aReaderResumingInsideTheLostSeqsIsGivenEveryLaterEventAndAStartAfterFindsTheJournalWhole() throws Exception {
        log.append(seqs(B, 1, 20));
        journal().close();
        long tenth = readRaw(journalFile(B)).offsets().get(9);
        flipByte(journalFile(B), tenth);

        FileJournal reopened = reopen();
        List<SessionEvent> kept = reopened.readAfter(B, 0, 100);
        EventsLost lost = (EventsLost) kept.getLast();
        assertThat(lost.firstSeq()).isEqualTo(10);
        assertThat(lost.seq()).isGreaterThanOrEqualTo(20);
        List<SessionEvent> later = List.of(
                new SessionPaused(B, lost.seq() + 1, SampleEvents.T0, "paused"),
                new SessionResumed(B, lost.seq() + 2, SampleEvents.T0, "resumed"));
        reopened.append(later);

        for (long position = 9; position < lost.seq(); position++) {
            assertThat(reopened.readAfter(B, position, 100))
                    .as("read after %d", position)
                    .containsExactly(lost, later.get(0), later.get(1));
            assertThat(reopened.readAfter(B, position, 1))
                    .as("one event after %d", position)
                    .containsExactly(lost);
        }
        assertThat(reopened.readAfter(B, 8, 2)).containsExactly(kept.get(8), lost);
        assertThat(reopened.readAfter(B, lost.seq(), 100)).containsExactlyElementsOf(later);
        List<SessionEvent> streamed = new ArrayList<>();
        try (var reader = reopened.read(B, 12)) {
            for (List<SessionEvent> chunk = reader.next(1); !chunk.isEmpty(); chunk = reader.next(1)) {
                streamed.addAll(chunk);
            }
        }
        assertThat(streamed).containsExactly(lost, later.get(0), later.get(1));
        String report = reopened.damage().get(B);

        FileJournal again = reopen();
        assertThat(again.readAfter(B, 0, 100)).containsExactlyElementsOf(reopened.readAfter(B, 0, 100));
        assertThat(again.readAfter(B, 15, 100)).containsExactly(lost, later.get(0), later.get(1));
        assertThat(again.damage().get(B)).as("no new damage is found").isEqualTo(report);
        assertThat(journalFile(B).resolveSibling("session-b.journal.damaged.2")).doesNotExist();
    }

    /**
     * Byte 6 is in the checksum itself, byte 40 in the event's timestamp: the record still reads as the session's next
     * event. It is kept as read, with everything after it, and the report says a value in it may be wrong.
     */
    @ParameterizedTest(name = "byte {0} of the record")
    @ValueSource(ints = {6, 40})
    void aDamagedRecordThatStillReadsAsTheNextEventIsKeptWithTheRestAndReported(int byteInRecord) throws Exception {
        log.append(seqs(B, 1, 6));
        journal().close();
        long third = readRaw(journalFile(B)).offsets().get(2);
        flipByte(journalFile(B), third + byteInRecord);
        byte[] damaged = Files.readAllBytes(journalFile(B));

        FileJournal reopened = reopen();

        List<SessionEvent> loaded = reopened.readAfter(B, 0, 100);
        assertThat(loaded).extracting(SessionEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(loaded.get(2)).hasSameClassAs(seqs(B, 3, 3).getFirst());
        assertThat(loaded.subList(3, 6)).containsExactlyElementsOf(seqs(B, 4, 6));
        assertThat(reopened.damage().get(B))
                .contains(
                        "checksum mismatch at byte " + third,
                        "1 record failed its checksum but still reads",
                        "kept all 6 events",
                        "session-b.journal.damaged");
        assertThat(journalFile(B).resolveSibling("session-b.journal.damaged")).hasBinaryContent(damaged);
        assertThat(readRaw(journalFile(B)).events())
                .as("the journal is rewritten whole, so the next start finds no damage in it")
                .hasSize(6);

        reopened.append(seqs(B, 7, 7));
        FileJournal again = reopen();
        assertThat(again.readAfter(B, 6, 100)).containsExactlyElementsOf(seqs(B, 7, 7));
        assertThat(again.damage().get(B)).isEqualTo(reopened.damage().get(B));
        assertThat(journalFile(B).resolveSibling("session-b.journal.damaged.2")).doesNotExist();
    }

    @Test
    void aBitFlipInAJournalOfOneRecordIsDamageNotATornWriteTheSessionLoadsAndTheOriginalIsKept() throws Exception {
        log.append(seqs(A, 1, 1));
        journal().close();
        long size = Files.size(journalFile(A));
        // the last byte of the event: the session's recommended number of groups
        flipByte(journalFile(A), size - 1);
        byte[] damaged = Files.readAllBytes(journalFile(A));

        try (CapturedLogs lines = CapturedLogs.of(JournalRecovery.class.getName())) {
            FileJournal reopened = reopen();

            assertThat(reopened.sessionIds()).containsExactly(A);
            assertThat(reopened.readAfter(A, 0, 10))
                    .singleElement()
                    .isInstanceOf(SessionEvent.SessionCreated.class)
                    .extracting(SessionEvent::seq)
                    .isEqualTo(1L);
            assertThat(reopened.damage().get(A))
                    .contains("checksum mismatch at byte 8", "kept its only event", "session-a.journal.damaged");
            assertThat(lines.visibleRecordsContaining("session-a"))
                    .singleElement()
                    .satisfies(line -> {
                        assertThat(line.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
                        assertThat(line.getThrown()).isNull();
                    });
        }
        assertThat(journalFile(A).resolveSibling("session-a.journal.damaged")).hasBinaryContent(damaged);
    }

    @Test
    void aFlipThatLeavesTheOnlyRecordUnreadableKeepsTheOriginalAndSaysTheSessionCouldNotBeLoaded() throws Exception {
        log.append(seqs(A, 1, 1));
        journal().close();
        // the event's type tag: no event of any kind is left to read
        flipByte(journalFile(A), JournalFormat.HEADER_BYTES + JournalFormat.FRAME_BYTES + 1);
        byte[] damaged = Files.readAllBytes(journalFile(A));

        FileJournal reopened = reopen();

        assertThat(reopened.sessionIds()).isEmpty();
        assertThat(reopened.damage().get(A))
                .contains("checksum mismatch at byte 8", "nothing in it could be read", "session-a.journal.damaged");
        assertThat(journalFile(A).resolveSibling("session-a.journal.damaged")).hasBinaryContent(damaged);
        FileJournal again = reopen();
        assertThat(again.damage()).containsOnlyKeys(A);
        assertThat(journalFile(A).resolveSibling("session-a.journal.damaged.2")).doesNotExist();
    }

    @Test
    void aLengthFlippedToPointPastTheEndIsDamageNotACutAndTheRecordIsStillRead() throws Exception {
        for (int records : List.of(1, 4)) {
            SessionId id = new SessionId("flipped-length-" + records);
            log.append(seqs(id, 1, records));
            journal().close();
            long last = readRaw(journalFile(id)).offsets().getLast();
            // the second byte of the (big-endian) length: the record now claims 64 KiB more than the file holds
            byte[] bytes = Files.readAllBytes(journalFile(id));
            bytes[(int) last + 1] ^= 0x01;
            Files.write(journalFile(id), bytes);

            FileJournal reopened = reopen();

            assertThat(reopened.readAfter(id, 0, 10))
                    .as("%d record(s)", records)
                    .containsExactlyElementsOf(seqs(id, 1, records));
            assertThat(reopened.damage().get(id)).contains("is cut short at byte " + last, "journal.damaged");
            assertThat(journalFile(id).resolveSibling(id.value() + ".journal.damaged"))
                    .hasBinaryContent(bytes);
        }
    }

    @Test
    void aBitFlipInTheLastOfSeveralRecordsIsReportedAndKeptAsideNotCutAwayQuietly() throws Exception {
        log.append(seqs(A, 1, 3));
        journal().close();
        long last = readRaw(journalFile(A)).offsets().getLast();
        // a byte of the event's seq: it reads, but not as event 3 of this session
        flipByte(
                journalFile(A),
                last + JournalFormat.FRAME_BYTES + 2 + 5 + A.value().length() + 7);
        byte[] damaged = Files.readAllBytes(journalFile(A));

        FileJournal reopened = reopen();

        assertThat(reopened.readAfter(A, 0, 2)).containsExactlyElementsOf(seqs(A, 1, 2));
        assertThat(reopened.readAfter(A, 2, 10)).singleElement().isInstanceOfSatisfying(EventsLost.class, lost -> {
            assertThat(lost.firstSeq()).isEqualTo(3);
            assertThat(lost.seq()).isGreaterThanOrEqualTo(3);
        });
        assertThat(reopened.damage().get(A))
                .contains("checksum mismatch at byte " + last, "kept the first 2 events, later ones are lost");
        assertThat(journalFile(A).resolveSibling("session-a.journal.damaged")).hasBinaryContent(damaged);
    }

    /** Far more than the journal may write to keep a damaged one aside: the copy of a sparse file's holes. */
    private static final long A_FEW_MIB = 4L << 20;
    /** A gigabyte and a bit: on disk, a few KiB of holes. */
    private static final long SPARSE_BYTES = (1L << 30) + 4096;
    /**
     * Smaller where records stay: each byte after the damage may have held an event, so the session goes on after some
     * 45 seqs a KiB lost, and every one of them is in the index.
     */
    private static final long SPARSE_AFTER_RECORDS = (256L << 20) + 4096;

    /** A whole record whose checksum does not match: damage, never a torn tail. */
    private static final byte[] BOGUS_RECORD = {0, 0, 0, 4, 0, 0, 0, 0, 1, 2, 3, 4};

    /** The file's identity on disk (its inode), not its name. */
    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
    }

    /** Sets the file's length far past its end without writing a byte: a hole, which costs no disk. */
    private static void growSparse(Path file, long bytes) throws IOException {
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(bytes);
        }
    }

    private static List<Path> everyFileIn(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                    .toList();
        }
    }

    /**
     * A hostile tester's case: a planted journal (a valid header, one bogus record, then {@code truncate -s 2G}: 4 KiB
     * on disk) was copied aside whole, its holes filled in, before the server listened, so one such file filled the
     * learner's disk. The original is kept under a second name for the same file now (a hard link): no byte is
     * copied, and the journal's kept records go to a new file.
     */
    @Test
    void aHugeSparseDamagedJournalIsKeptAsideWithoutCopyingAByteOfIt() throws Exception {
        log.append(seqs(B, 1, 3));
        journal().close();
        Files.write(journalFile(A), JournalFormat.header().array());
        Files.write(journalFile(A), BOGUS_RECORD, StandardOpenOption.APPEND);
        long damageInB = Files.size(journalFile(B));
        Files.write(journalFile(B), BOGUS_RECORD, StandardOpenOption.APPEND);
        growSparse(journalFile(A), SPARSE_BYTES);
        growSparse(journalFile(B), SPARSE_AFTER_RECORDS);
        Object originalA = fileKey(journalFile(A));
        Object originalB = fileKey(journalFile(B));
        Path damagedA = journalFile(A).resolveSibling("session-a.journal.damaged");
        Path damagedB = journalFile(B).resolveSibling("session-b.journal.damaged");

        FileJournal reopened = reopen();

        assertThat(fileKey(damagedA)).as("the original itself, not a copy").isEqualTo(originalA);
        assertThat(fileKey(damagedB)).as("the original itself, not a copy").isEqualTo(originalB);
        assertThat(damagedA).hasSize(SPARSE_BYTES);
        assertThat(damagedB).hasSize(SPARSE_AFTER_RECORDS);
        assertThat(everyFileIn(data()))
                .filteredOn(file -> !file.equals(damagedA) && !file.equals(damagedB))
                .allSatisfy(file -> assertThat(Files.size(file))
                        .as("%s: only the kept records are written", file)
                        .isLessThan(A_FEW_MIB));
        assertThat(reopened.sessionIds()).containsExactly(B);
        assertThat(reopened.damage().get(A))
                .contains("checksum mismatch at byte 8", "nothing in it could be read", "session-a.journal.damaged");
        assertThat(reopened.damage().get(B))
                .contains("checksum mismatch at byte " + damageInB, "kept the first 3 events")
                .contains("session-b.journal.damaged");
        assertThat(fileKey(journalFile(B)))
                .as("the kept records are a new file: the evidence is never changed in place")
                .isNotEqualTo(originalB);
        assertThat(readRaw(journalFile(B)).events()).hasSize(4);

        FileJournal again = reopen();
        assertThat(again.damage()).isEqualTo(reopened.damage());
        assertThat(again.readAfter(B, 0, 10)).isEqualTo(reopened.readAfter(B, 0, 10));
        assertThat(damagedA.resolveSibling("session-a.journal.damaged.2")).doesNotExist();
        assertThat(damagedB.resolveSibling("session-b.journal.damaged.2")).doesNotExist();
    }

    /**
     * Damage too short to have held an event cost no seq: the intact records are kept as they were. They were kept by a
     * truncate of the journal in place, which would now cut the original kept aside under its second name as well.
     */
    @Test
    void aDamagedTailTooShortForAnEventIsCutFromANewFileNeverFromTheOriginalKeptAside() throws Exception {
        log.append(seqs(A, 1, 3));
        journal().close();
        Files.write(journalFile(A), BOGUS_RECORD, StandardOpenOption.APPEND);
        byte[] damaged = Files.readAllBytes(journalFile(A));
        Object original = fileKey(journalFile(A));

        FileJournal reopened = reopen();

        assertThat(reopened.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 3));
        Path kept = journalFile(A).resolveSibling("session-a.journal.damaged");
        assertThat(kept).hasBinaryContent(damaged);
        assertThat(fileKey(kept)).isEqualTo(original);
        assertThat(fileKey(journalFile(A))).isNotEqualTo(original);
        assertThat(journalFile(A)).hasSize(damaged.length - BOGUS_RECORD.length);
        reopened.append(seqs(A, 4, 4));
        assertThat(reopen().readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 4));
        assertThat(kept).hasBinaryContent(damaged);
    }

    /**
     * Where the file system gives no file a second name, the original is copied aside, but never more of it than where
     * reading stopped and 64 MiB past it, and the note says the copy was cut. A journal smaller than that is copied
     * whole, as before.
     */
    @Test
    void withoutHardLinksAHugeDamagedJournalIsCopiedAsideOnlyInPartAndTheNoteSaysSo() throws Exception {
        log.append(seqs(B, 1, 4));
        journal().close();
        flipByte(journalFile(B), readRaw(journalFile(B)).offsets().get(1) + 20);
        byte[] smallDamaged = Files.readAllBytes(journalFile(B));
        Files.write(journalFile(A), JournalFormat.header().array());
        Files.write(journalFile(A), BOGUS_RECORD, StandardOpenOption.APPEND);
        growSparse(journalFile(A), SPARSE_BYTES);
        disk.linksUnsupported = true;

        FileJournal reopened = reopen();

        Path damagedA = journalFile(A).resolveSibling("session-a.journal.damaged");
        long kept = JournalFormat.HEADER_BYTES + (64L << 20);
        assertThat(damagedA).hasSize(kept);
        try (FileChannel copy = FileChannel.open(damagedA)) {
            ByteBuffer start = ByteBuffer.allocate(JournalFormat.HEADER_BYTES + BOGUS_RECORD.length);
            copy.read(start, 0);
            assertThat(Arrays.copyOfRange(start.array(), JournalFormat.HEADER_BYTES, start.capacity()))
                    .isEqualTo(BOGUS_RECORD);
        }
        assertThat(reopened.damage().get(A))
                .contains("nothing in it could be read", "first " + kept + " of its " + SPARSE_BYTES + " bytes")
                .contains("session-a.journal.damaged");
        assertThat(journalFile(B).resolveSibling("session-b.journal.damaged")).hasBinaryContent(smallDamaged);
        assertThat(reopened.damage().get(B)).contains("the original is kept as session-b.journal.damaged");
    }

    /**
     * A hostile tester's case: a forged journal whose SessionCreated holds 30 000 tasks (2 MiB) loaded, the session
     * ran, and 7 000 notes were written into the vault within seconds. A session of more nodes than CONTRACT §1 allows
     * is damage: nothing of it is loaded, the original is kept aside, and the note says why.
     */
    @Test
    void aJournalOfASessionWithMoreNodesThanTheLimitIsDamageAndNothingOfItIsLoaded() throws Exception {
        journal().close();
        List<SessionEvent> forged = new ArrayList<>(seqs(A, 1, 4));
        forged.set(0, SampleEvents.created(A, 30_000));
        List<byte[]> payloads =
                forged.stream().map(new SessionEventCodec()::encode).toList();
        ByteBuffer records = JournalFormat.frame(payloads, new long[payloads.size()]);
        Files.createDirectories(journalFile(A).getParent());
        Files.write(journalFile(A), JournalFormat.header().array());
        Files.write(journalFile(A), Arrays.copyOf(records.array(), records.limit()), StandardOpenOption.APPEND);
        byte[] original = Files.readAllBytes(journalFile(A));
        assertThat(original.length).as("the tester's 2 MiB").isGreaterThan(1 << 20);

        FileJournal reopened = reopen();

        assertThat(reopened.sessionIds()).isEmpty();
        assertThat(reopened.readAfter(A, 0, 10)).isEmpty();
        assertThat(reopened.damage().get(A))
                .contains(
                        "unreadable record at byte 8",
                        "more than 10000 nodes",
                        "a session has at most 10000 nodes",
                        "nothing in it could be read, so the session could not be loaded",
                        "session-a.journal.damaged");
        assertThat(journalFile(A).resolveSibling("session-a.journal.damaged")).hasBinaryContent(original);
        assertThat(journalFile(A)).doesNotExist();
        FileJournal again = reopen();
        assertThat(again.sessionIds()).isEmpty();
        assertThat(again.damage()).containsOnlyKeys(A);
    }

    @Test
    void deletingADamagedSessionRemovesItsFilesAndItsReport() throws Exception {
        log.append(seqs(B, 1, 4));
        journal().close();
        flipByte(journalFile(B), readRaw(journalFile(B)).offsets().get(1) + 20);
        FileJournal reopened = reopen();
        assertThat(reopened.damage()).containsOnlyKeys(B);

        reopened.delete(B);

        assertThat(reopened.damage()).isEmpty();
        try (Stream<Path> left = Files.list(journalFile(B).getParent())) {
            assertThat(left).isEmpty();
        }
        assertThat(reopen().damage()).isEmpty();
    }

    @Test
    void anIntactRecordThisVersionCannotReadIsKeptAsideNotThrownAway() throws Exception {
        log.append(seqs(A, 1, 3));
        journal().close();
        byte[] newer = new SessionEventCodec().encode(SampleEvents.event(A, 4));
        newer[0] = (byte) (SessionEventCodec.VERSION + 1);
        long[] offsets = new long[1];
        ByteBuffer record = JournalFormat.frame(List.of(newer), offsets);
        Files.write(journalFile(A), Arrays.copyOf(record.array(), record.limit()), StandardOpenOption.APPEND);

        FileJournal reopened = reopen();

        assertThat(reopened.readAfter(A, 0, 3)).containsExactlyElementsOf(seqs(A, 1, 3));
        assertThat(reopened.readAfter(A, 3, 10))
                .as("a newer version may have sent seq 4")
                .singleElement()
                .isInstanceOfSatisfying(
                        EventsLost.class, lost -> assertThat(lost.seq()).isGreaterThanOrEqualTo(4));
        assertThat(reopened.damage().get(A)).contains("format " + (SessionEventCodec.VERSION + 1));
        assertThat(journalFile(A).resolveSibling("session-a.journal.damaged")).exists();
    }

    @Test
    void aDataDirectoryThatIsAFileIsRefusedByName() throws Exception {
        Path notADirectory = Files.writeString(temp.resolve("data.txt"), "notes");

        assertThatThrownBy(() -> FileJournal.open(notADirectory))
                .isInstanceOf(EventLogException.class)
                .hasMessageContaining("cannot write to " + notADirectory)
                .hasMessageContaining("not a directory");
    }

    @Test
    void aReadOnlyFileSystemIsRefusedByName() {
        disk.readOnly = true;
        Path elsewhere = temp.resolve("read-only");

        assertThatThrownBy(() -> FileJournal.open(elsewhere, disk))
                .isInstanceOf(EventLogException.class)
                .hasMessage("cannot write to " + elsewhere + ": read-only file system");
    }

    @Test
    void aFullDiskFailsTheAppendPublishesNothingAndLeavesTheJournalAsItWas() throws Exception {
        log.append(seqs(A, 1, 3));
        List<SessionEvent> heard = new CopyOnWriteArrayList<>();
        log.subscribe(A, heard::add);
        long size = Files.size(journalFile(A));
        disk.bytesUntilFull = 10L;

        assertThatThrownBy(() -> log.append(seqs(A, 4, 5)))
                .isInstanceOf(EventLogException.class)
                .hasMessageContaining("session-a")
                .hasMessageContaining("no space left on device");

        assertThat(heard).isEmpty();
        assertThat(Files.size(journalFile(A))).isEqualTo(size);
        assertThat(log.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 3));
        disk.bytesUntilFull = null;
        log.append(seqs(A, 4, 5));
        assertThat(heard).containsExactlyElementsOf(seqs(A, 4, 5));
        FileJournal reopened = reopen();
        assertThat(reopened.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 5));
        assertThat(reopened.damage()).isEmpty();
    }

    @Test
    void aFullDiskIsRefusedWithItsReasonAndFolderAndTheProbeSaysWhenItTakesEventsAgain() throws Exception {
        log.append(seqs(A, 1, 2));
        disk.fill();

        EventLogException refused = catchThrowableOfType(EventLogException.class, () -> log.append(seqs(A, 3, 3)));
        EventLogException probed =
                catchThrowableOfType(EventLogException.class, () -> journal().probeWritable());

        String folder = data().toRealPath().resolve("sessions").toString();
        for (EventLogException failure : List.of(refused, probed)) {
            assertThat(failure.reason()).contains("no space left on device");
            assertThat(failure.location()).contains(folder);
        }
        disk.free();
        journal().probeWritable();
        log.append(seqs(A, 3, 3));
        try (Stream<Path> left = Files.list(journalFile(A).getParent())) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .as("the probe leaves nothing behind")
                    .containsExactly("session-a.journal");
        }
        assertThat(reopen().readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 3));
    }

    @Test
    void aFailedSyncFailsTheAppendAndPublishesNothing() throws Exception {
        log.append(seqs(A, 1, 2));
        List<SessionEvent> heard = new CopyOnWriteArrayList<>();
        log.subscribe(A, heard::add);
        long size = Files.size(journalFile(A));
        disk.failSync = true;

        assertThatThrownBy(() -> log.append(seqs(A, 3, 3)))
                .isInstanceOf(EventLogException.class)
                .hasMessageContaining("input/output error");

        assertThat(heard).isEmpty();
        assertThat(Files.size(journalFile(A))).isEqualTo(size);
        disk.failSync = false;
        log.append(seqs(A, 3, 4));
        assertThat(heard).containsExactlyElementsOf(seqs(A, 3, 4));
        assertThat(reopen().readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 4));
    }

    @Test
    void aWriterFailingWhileAnAppendIsHeardTakesNothingBackThatWasHeard() throws Exception {
        // the writer keeps 128 files open and closes the least recently used one when it opens another
        SessionId oldest = new SessionId("oldest");
        log.append(seqs(oldest, 1, 1));
        for (int i = 1; i < 128; i++) {
            log.append(seqs(new SessionId("session-" + i), 1, 1));
        }
        java.util.concurrent.CountDownLatch hearing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch writerFailed = new java.util.concurrent.CountDownLatch(1);
        Path oldestFile = journalFile(oldest);
        java.util.concurrent.atomic.AtomicBoolean closeFailed = new java.util.concurrent.atomic.AtomicBoolean();
        disk.onClose = path -> {
            if (path.equals(oldestFile)) {
                awaitQuietly(hearing);
                closeFailed.set(true);
                throw new IllegalStateException("a bug closing a file");
            }
            if (closeFailed.get()) {
                // the writer has failed and closes its other files
                writerFailed.countDown();
            }
        };
        List<SessionEvent> heard = new CopyOnWriteArrayList<>();
        log.subscribe(A, event -> {
            heard.add(event);
            hearing.countDown();
            awaitQuietly(writerFailed);
        });

        try (CapturedLogs writer = CapturedLogs.of(GroupCommitWriter.class.getName())) {
            log.append(seqs(A, 1, 1));

            assertThat(writer.recordsContaining("the journal writer failed")).hasSize(1);
        }
        assertThat(heard).containsExactlyElementsOf(seqs(A, 1, 1));
        disk.onClose = path -> {};
        log.append(seqs(A, 2, 2));
        FileJournal reopened = reopen();
        assertThat(reopened.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 2));
        assertThat(reopened.damage()).isEmpty();
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aNewSessionWhoseFirstAppendFailsCanStillStart() {
        disk.bytesUntilFull = 3L;

        assertThatThrownBy(() -> log.append(seqs(A, 1, 2))).isInstanceOf(EventLogException.class);

        disk.bytesUntilFull = null;
        log.append(seqs(A, 1, 2));
        FileJournal reopened = reopen();
        assertThat(reopened.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 2));
        assertThat(reopened.damage()).isEmpty();
    }

    @Test
    void aSubscriberHearsAnEventOnlyOnceItsRecordIsSyncedToTheFile() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        log.subscribe(A, event -> {
            try {
                OnDisk onDisk = readRaw(journalFile(A));
                seen.add(event.seq() + ": on disk " + onDisk.events().contains(event)
                        + ", unsynced bytes " + disk.unsyncedBytes(journalFile(A))
                        + ", readable " + log.readAfter(A, event.seq() - 1, 1).equals(List.of(event)));
            } catch (Exception e) {
                seen.add(event.seq() + ": " + e);
            }
        });

        log.append(seqs(A, 1, 2));
        log.append(seqs(A, 3, 3));

        assertThat(seen)
                .containsExactly(
                        "1: on disk true, unsynced bytes 0, readable true",
                        "2: on disk true, unsynced bytes 0, readable true",
                        "3: on disk true, unsynced bytes 0, readable true");
    }

    @Test
    void moreSessionsThanOpenFilesAllKeepAppending() throws Exception {
        List<SessionId> ids = IntStream.range(0, 300)
                .mapToObj(i -> new SessionId("many-" + i))
                .toList();
        var threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<SessionId> mine = ids.subList(t * 75, (t + 1) * 75);
                done.add(threads.submit(() -> {
                    for (int seq = 1; seq <= 3; seq++) {
                        for (SessionId id : mine) {
                            log.append(seqs(id, seq, seq));
                        }
                    }
                    return null;
                }));
            }
            for (var future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        FileJournal reopened = reopen();
        assertThat(reopened.sessionIds()).hasSize(300);
        for (SessionId id : ids) {
            assertThat(reopened.readAfter(id, 0, 10)).as("session %s", id).containsExactlyElementsOf(seqs(id, 1, 3));
        }
    }

    @Test
    void deletingASessionRemovesItsJournal() {
        log.append(seqs(A, 1, 2));
        assertThat(journalFile(A)).exists();

        log.delete(A);

        assertThat(journalFile(A)).doesNotExist();
        assertThat(reopen().sessionIds()).isEmpty();
    }

    @Test
    void anAppendAfterCloseIsRefused() {
        journal().close();

        assertThatThrownBy(() -> log.append(seqs(A, 1, 1)))
                .isInstanceOf(EventLogException.class)
                .hasMessageContaining("closed");
    }
}
