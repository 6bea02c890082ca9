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
        FileJournal.peek(data(), history -> found.put(history.getFirst().sessionId(), history));
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
        try (Stream<Path> paths = Files.walk(temp)) {
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
    void aDamagedJournalGivesTheEventsBeforeTheDamageAndIsNotRepaired() throws IOException {
        journalOf(A, 5);
        Path file = data().resolve("sessions").resolve(A + ".journal");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 20] ^= 0x5A; // inside the last record
        Files.write(file, bytes);
        Map<String, String> before = everything();

        Map<SessionId, java.util.List<SessionEvent>> peeked = peek();

        assertThat(peeked.get(A)).containsExactlyElementsOf(SampleEvents.history(A, 4));
        assertThat(everything())
                .as("no repair, no damage note, no set-aside copy")
                .isEqualTo(before);
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

        assertThat(peeked.get(A)).as("up to the gap").containsExactlyElementsOf(SampleEvents.history(A, 5));
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
