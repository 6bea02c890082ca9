package org.canvasbatch.adapters.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.Test;

/**
 * The index of a session's records, where one record (an {@code EventsLost}) may take billions of seqs: the bytes a
 * damaged journal lost bound them, and a large planted file makes that bound large. The index holds one entry per
 * record, whatever the seqs, and finds the record of any seq.
 */
class SessionStreamTest {

    private static final long LOST_UP_TO = 5_000_000_002L;

    /** Records at 8, 20, 30 (seqs 3 to 5 000 000 002), 40, 50; the file ends at 60. */
    private final SessionStream stream = SessionStream.recovered(
            new SessionId("s"),
            new long[] {8, 20, 30, 40, 50},
            5,
            60,
            List.of(new SessionStream.Span(2, 3, LOST_UP_TO)));

    @Test
    void theNextSeqComesAfterEverySeqTheLostRecordsCouldHaveHad() {
        assertThat(stream.nextSeq()).isEqualTo(LOST_UP_TO + 3);
        assertThat(stream.count()).isEqualTo(5);
    }

    @Test
    void aReadFromAnySeqStartsAtTheRecordHoldingTheSeqAfterIt() {
        assertThat(stream.range(0, 100)).isEqualTo(new SessionStream.Range(8, 60));
        assertThat(stream.range(1, 1)).isEqualTo(new SessionStream.Range(20, 30));
        assertThat(stream.range(2, 1)).isEqualTo(new SessionStream.Range(30, 40));
        assertThat(stream.range(3, 1)).isEqualTo(new SessionStream.Range(30, 40));
        assertThat(stream.range(4_000_000_000L, 2)).isEqualTo(new SessionStream.Range(30, 50));
        assertThat(stream.range(LOST_UP_TO - 1, 1)).isEqualTo(new SessionStream.Range(30, 40));
        assertThat(stream.range(LOST_UP_TO, 1)).isEqualTo(new SessionStream.Range(40, 50));
        assertThat(stream.range(LOST_UP_TO + 1, 5)).isEqualTo(new SessionStream.Range(50, 60));
        assertThat(stream.range(LOST_UP_TO + 2, 5)).isNull();
    }

    @Test
    void appendsAfterTheLostSeqsAreFoundByTheirSeqs() {
        stream.commit(60, new long[] {0, 10}, 2, 20);

        assertThat(stream.nextSeq()).isEqualTo(LOST_UP_TO + 5);
        assertThat(stream.range(LOST_UP_TO + 2, 1)).isEqualTo(new SessionStream.Range(60, 70));
        assertThat(stream.range(LOST_UP_TO + 3, 1)).isEqualTo(new SessionStream.Range(70, 80));
    }
}
