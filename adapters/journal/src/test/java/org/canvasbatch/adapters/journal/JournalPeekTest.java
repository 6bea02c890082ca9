package org.canvasbatch.adapters.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a dry run reads of a data folder ({@link FileJournal#peek}): the sessions as an open would give them, and not a
 * byte of the folder changed. It opened the journal, which took the folder's lock file and repaired a damaged journal
 * in place, while the dry run said "nothing was written" (a hostile tester).
 */
class JournalPeekTest {

    private static final SessionId A = new SessionId("session-a");
    private static final SessionId B = new SessionId("session-b");

    @TempDir
    Path temp;

    private Path data() {
        return temp.resolve("data");
    }

    private Map<SessionId, java.util.List<SessionEvent>> peek() {
        Map<SessionId, java.util.List<SessionEvent>> found = new TreeMap<>();
        FileJournal.peek(data(), peeked -> {
            if (!peeked.history().isEmpty()) {
                found.put(peeked.history().getFirst().sessionId(), timeOfLossLeftOut(peeked.history()));
            }
        });
        return found;
    }

    private Map<SessionId, java.util.Optional<String>> peekedDamage() {
        Map<SessionId, java.util.Optional<String>> found = new TreeMap<>();
        FileJournal.peek(data(), peeked -> {
            if (!peeked.history().isEmpty()) {
                found.put(peeked.history().getFirst().sessionId(), peeked.damage());
            }
        });
        return found;
    }

    /** A damage's {@code EventsLost} carries the time it was found: a peek and a start find it at two instants. */
    private static java.util.List<SessionEvent> timeOfLossLeftOut(java.util.List<SessionEvent> history) {
        return history.stream()
                .map(event -> event instanceof SessionEvent.EventsLost lost
                        ? new SessionEvent.EventsLost(
                                lost.sessionId(), lost.seq(), java.time.Instant.EPOCH, lost.firstSeq())
                        : event)
                .toList();
    }

    /** What a start keeps of each session: an open of a copy of the folder (the open repairs the copy, not the data). */
    private Map<SessionId, java.util.List<SessionEvent>> recoveredFromACopy() throws IOException {
        Path copy = temp.resolve("copy-" + System.nanoTime());
        try (Stream<Path> paths = Files.walk(data())) {
            for (Path path : paths.toList()) {
                Path target = copy.resolve(data().relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else if (!path.getFileName().toString().equals("owner.lock")) {
                    Files.copy(path, target);
                }
            }
        }
        Map<SessionId, java.util.List<SessionEvent>> found = new TreeMap<>();
        try (FileJournal journal = FileJournal.open(copy)) {
            for (SessionId id : journal.sessionIds()) {
                found.put(id, timeOfLossLeftOut(journal.readAfter(id, 0, Integer.MAX_VALUE)));
            }
        }
        return found;
    }

    private void journalOf(SessionId id, int events) {
        try (FileJournal journal = FileJournal.open(data())) {
            journal.append(SampleEvents.history(id, events));
        }
    }

    /** Every file of the folder with its bytes, and every folder: what "changed nothing" is checked against. */
    private Map<String, String> everything() throws IOException {
        Map<String, String> found = new TreeMap<>();
        if (!Files.exists(data())) {
            return found;
        }
        try (Stream<Path> paths = Files.walk(data())) {
            for (Path path : paths.toList()) {
                found.put(
                        temp.relativize(path).toString(),
                        Files.isRegularFile(path) ? java.util.HexFormat.of().formatHex(Files.readAllBytes(path)) : "/");
            }
        }
        return found;
    }

    @Test
    void givesTheSessionsAnOpenGivesAndChangesNothing() throws IOException {
        journalOf(A, 5);
        journalOf(B, 3);
        Map<String, String> before = everything();

        Map<SessionId, java.util.List<SessionEvent>> peeked = peek();

        assertThat(peeked).containsOnlyKeys(A, B);
        assertThat(peeked.get(A)).containsExactlyElementsOf(SampleEvents.history(A, 5));
        assertThat(peeked.get(B)).containsExactlyElementsOf(SampleEvents.history(B, 3));
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void aDamagedJournalGivesWhatAStartKeepsAndIsNotRepaired() throws IOException {
        journalOf(A, 5);
        Path file = data().resolve("sessions").resolve(A + ".journal");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 20] ^= 0x5A; // inside the last record
        Files.write(file, bytes);
        Map<String, String> before = everything();

        Map<SessionId, java.util.List<SessionEvent>> peeked = peek();

        assertThat(peeked).isEqualTo(recoveredFromACopy());
        assertThat(peekedDamage().get(A)).as("the damage the start reports").isPresent();
        assertThat(everything())
                .as("no repair, no damage note, no set-aside copy")
                .isEqualTo(before);
    }

    /**
     * A second tester's case: recovery keeps a record whose checksum fails but which still reads as the session's next
     * event (and the intact ones after it); the dry run stopped at it, so it counted fewer nodes done than the real
     * run then had.
     */
    @Test
    void aRecordThatFailsItsChecksumButReadsIsKeptAsAStartKeepsIt() throws IOException {
        journalOf(A, 5);
        journalOf(B, 3);
        Path file = data().resolve("sessions").resolve(A + ".journal");
        appendRecordOf(file, SampleEvents.event(A, 6));
        byte[] bytes = Files.readAllBytes(file);
        int sixth = bytes.length - recordBytes(SampleEvents.event(A, 6));
        bytes[sixth + 4] ^= 0x01; // the stored checksum, not the payload
        Files.write(file, bytes);
        appendRecordOf(file, SampleEvents.event(A, 7));

        Map<SessionId, java.util.List<SessionEvent>> peeked = peek();

        assertThat(peeked.get(A)).hasSize(7).isEqualTo(recoveredFromACopy().get(A));
        assertThat(peekedDamage().get(A))
                .as("in words of its own, not the decoded bytes'")
                .hasValueSatisfying(damage -> assertThat(damage)
                        .matches("unreadable from byte \\d+; 1 record\\(s\\) failed a checksum but still read"));
        assertThat(peekedDamage().get(B)).isEmpty();
    }

    /**
     * A reviewer's case: a tail that states a long record at every offset made the search for an intact record beyond
     * a cut sum checksums for minutes (87 s at 8 MiB, hours at 64), in a dry run and at every start. Too much to tell a
     * cut from damage is taken as damage.
     */
    @Test
    void aTailStatingLongRecordsEverywhereIsTakenAsDamageWithoutSearchingItAll() throws IOException {
        journalOf(A, 3);
        Path file = data().resolve("sessions").resolve(A + ".journal");
        int tail = 4 << 20;
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(tail);
        bytes.putInt(tail).putInt(0); // a record that runs past the end, as a cut one does
        while (bytes.hasRemaining()) {
            bytes.put((byte) 0).put((byte) 0x40).put((byte) 0).put((byte) 0);
        }
        Files.write(file, bytes.array(), java.nio.file.StandardOpenOption.APPEND);

        Map<SessionId, java.util.List<SessionEvent>> peeked = peek();

        assertThat(peekedDamage().get(A)).isPresent();
        assertThat(peeked.get(A))
                .startsWith(SampleEvents.history(A, 3).toArray(SessionEvent[]::new))
                .isEqualTo(recoveredFromACopy().get(A));
    }

    /**
     * A reviewer's case: a well-checksummed record claiming seqs up to {@code Long.MAX_VALUE}, damage after it, and the
     * seqs the damage may have held overflowed: every start failed (leaving one more set-aside copy each time) while
     * the dry run showed no batch. Such a seq is damage itself.
     */
    @Test
    void aRecordClaimingSeqsNoJournalWritesIsDamageAndTheStartGoesOn() throws IOException {
        journalOf(A, 3);
        Path file = data().resolve("sessions").resolve(A + ".journal");
        appendRecordOf(file, new SessionEvent.EventsLost(A, Long.MAX_VALUE - 1, java.time.Instant.EPOCH, 4));
        byte[] garbage = new byte[100];
        java.util.Arrays.fill(garbage, (byte) 0x11);
        Files.write(file, garbage, java.nio.file.StandardOpenOption.APPEND);

        Map<SessionId, java.util.List<SessionEvent>> peeked = peek();

        assertThat(peeked.get(A))
                .startsWith(SampleEvents.history(A, 3).toArray(SessionEvent[]::new))
                .isEqualTo(recoveredFromACopy().get(A));
        assertThat(peeked.get(A).getLast().seq()).isLessThan(JournalRecovery.MAX_SEQ);
    }

    /** A start reads on after a header that is not a journal's; so does the dry run. */
    @Test
    void aJournalWhoseHeaderIsDamagedGivesWhatAStartKeeps() throws IOException {
        journalOf(A, 4);
        Path file = data().resolve("sessions").resolve(A + ".journal");
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] ^= 0x7F;
        Files.write(file, bytes);

        assertThat(peek()).isEqualTo(recoveredFromACopy()).isNotEmpty();
    }

    private static int recordBytes(SessionEvent event) {
        return JournalFormat.frame(java.util.List.of(new SessionEventCodec().encode(event)), new long[1])
                .remaining();
    }

    /**
     * A reviewer's cases: recovery trusts a journal only while each record is its own session's and carries the next
     * seq; the dry run followed records past a gap and took another session's copy for this one's.
     */
    @Test
    void aJournalIsTrustedOnlyAsFarAsRecoveryTrustsIt() throws IOException {
        journalOf(A, 5);
        Path sessions = data().resolve("sessions");
        // b's journal holds a copy of a's records: a file of another session
        Files.copy(sessions.resolve(A + ".journal"), sessions.resolve(B + ".journal"));
        // a's journal gets a record whose seq leaves a gap (6 never written)
        appendRecordOf(sessions.resolve(A + ".journal"), SampleEvents.event(A, 7));

        Map<SessionId, java.util.List<SessionEvent>> peeked = peek();

        assertThat(peeked.get(A))
                .as("up to the gap, then the seqs the rest may have held")
                .startsWith(SampleEvents.history(A, 5).toArray(SessionEvent[]::new))
                .isEqualTo(recoveredFromACopy().get(A));
        assertThat(peeked).as("another session's records").doesNotContainKey(B);
    }

    /** Appends {@code event} as one framed record, as the journal writes it. */
    private static void appendRecordOf(Path journal, SessionEvent event) throws IOException {
        byte[] payload = new SessionEventCodec().encode(event);
        var records = JournalFormat.frame(java.util.List.of(payload), new long[1]);
        byte[] bytes = new byte[records.remaining()];
        records.get(bytes);
        Files.write(journal, bytes, java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    void aFolderNotMadeYetHoldsNoSessionAndIsNotMade() throws IOException {
        Map<String, String> before = everything();

        assertThat(peek()).isEmpty();

        assertThat(everything()).isEqualTo(before);
        assertThat(data()).doesNotExist();
    }

    @Test
    void anEmptyFolderGetsNoLockFileNorSessionsFolder() throws IOException {
        Files.createDirectories(data());

        assertThat(peek()).isEmpty();

        try (Stream<Path> inside = Files.list(data())) {
            assertThat(inside).isEmpty();
        }
    }
}
