package org.canvasbatch.adapters.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.EventsLost;
import org.canvasbatch.domain.session.SessionEvent.SessionPaused;
import org.canvasbatch.domain.session.SessionEvent.SessionResumed;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reviewer's case: a journal that already holds an EventsLost damaged a second time, before or at that record. Its
 * bytes counted as one seq, so the session went on thousands of seqs below those already sent (4429 then 30).
 */
class SecondDamageTest {

    private static final SessionId B = new SessionId("session-b");

    @TempDir
    Path temp;

    private static List<Long> offsets(Path file) throws Exception {
        List<Long> offsets = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            var reader = new RecordReader(channel, JournalFormat.HEADER_BYTES, channel.size());
            while (reader.next() instanceof RecordReader.Intact intact) {
                offsets.add(intact.offset());
            }
        }
        return offsets;
    }

    private static void flip(Path file, long at) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) at] ^= 0x5A;
        Files.write(file, bytes);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "second damage at record {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {4, 9})
    void aSecondDamageBeforeTheEventsLostNeverIssuesItsSeqsAgain(int record) throws Exception {
        Path data = temp.resolve("data");
        Path file = data.resolve("sessions").resolve(B + ".journal");
        FileJournal log = FileJournal.open(data);
        log.append(SampleEvents.history(B, 1000));
        log.close();
        // first damage: the length of record 10, so seqs 10.. are lost
        flip(file, offsets(file).get(9));

        log = FileJournal.open(data);
        List<SessionEvent> afterFirst = log.readAfter(B, 0, 10_000);
        EventsLost first = (EventsLost) afterFirst.getLast();
        assertThat(first.seq()).isGreaterThanOrEqualTo(1000);
        // the session goes on after the lost seqs, and clients are sent these
        log.append(List.of(
                new SessionPaused(B, first.seq() + 1, SampleEvents.T0, "paused"),
                new SessionResumed(B, first.seq() + 2, SampleEvents.T0, "resumed")));
        long issued = first.seq() + 2;
        log.close();

        // second damage, at rest again: the length of record 5, before the EventsLost
        assertThat(offsets(file)).hasSize(12);
        flip(file, offsets(file).get(record));
        log = FileJournal.open(data);
        List<SessionEvent> afterSecond = log.readAfter(B, 0, 10_000);
        long goesOnFrom = afterSecond.getLast().seq() + 1;
        log.close();
        assertThat(goesOnFrom)
                .as("seqs up to %d were issued (and sent) before the second damage", issued)
                .isGreaterThan(issued);
    }
}
