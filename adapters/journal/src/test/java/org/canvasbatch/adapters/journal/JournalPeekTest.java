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

        Map<SessionId, java.util.List<SessionEvent>> peeked = FileJournal.peek(data());

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

        Map<SessionId, java.util.List<SessionEvent>> peeked = FileJournal.peek(data());

        assertThat(peeked.get(A)).containsExactlyElementsOf(SampleEvents.history(A, 4));
        assertThat(everything())
                .as("no repair, no damage note, no set-aside copy")
                .isEqualTo(before);
    }

    @Test
    void aFolderNotMadeYetHoldsNoSessionAndIsNotMade() throws IOException {
        Map<String, String> before = everything();

        assertThat(FileJournal.peek(data())).isEmpty();

        assertThat(everything()).isEqualTo(before);
        assertThat(data()).doesNotExist();
    }

    @Test
    void anEmptyFolderGetsNoLockFileNorSessionsFolder() throws IOException {
        Files.createDirectories(data());

        assertThat(FileJournal.peek(data())).isEmpty();

        try (Stream<Path> inside = Files.list(data())) {
            assertThat(inside).isEmpty();
        }
    }
}
