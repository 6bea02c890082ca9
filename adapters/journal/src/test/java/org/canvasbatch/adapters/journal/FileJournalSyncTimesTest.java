package org.canvasbatch.adapters.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hook the fsync latency metric hangs on: every append is made durable by a timed sync. */
class FileJournalSyncTimesTest {

    @TempDir
    Path temp;

    @Test
    void everyAppendIsReportedWithTheTimeItsSyncTook() {
        List<Long> syncs = new CopyOnWriteArrayList<>();
        try (FileJournal journal = FileJournal.open(temp.resolve("data"))) {
            journal.onSync(syncs::add);
            SessionId id = new SessionId("timed");
            List<org.canvasbatch.domain.session.SessionEvent> history = SampleEvents.history(id, 3);
            for (var event : history) {
                journal.append(List.of(event));
            }

            // the appender returns only after its sync, so the reports are all in by now
            assertThat(syncs).hasSize(3).allSatisfy(nanos -> assertThat(nanos).isPositive());
            assertThat(journal.directory())
                    .isEqualTo(temp.resolve("data").toAbsolutePath().normalize());
        }
    }

    @Test
    void aListenerThatThrowsDoesNotFailTheAppend() {
        try (FileJournal journal = FileJournal.open(temp.resolve("data"))) {
            journal.onSync(nanos -> {
                throw new IllegalStateException("metrics are broken");
            });
            SessionId id = new SessionId("still-durable");

            journal.append(List.of(SampleEvents.history(id, 1).getFirst()));

            assertThat(journal.readAfter(id, 0, 10)).hasSize(1);
        }
    }
}
