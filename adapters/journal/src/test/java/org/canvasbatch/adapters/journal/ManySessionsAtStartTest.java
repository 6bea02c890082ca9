package org.canvasbatch.adapters.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data folder of many sessions is read before the server listens: with a million it printed nothing for three
 * minutes, which looks like a hang (a hostile tester's generated folder). Many sessions are now said, and how far the
 * reading got every ten seconds.
 */
class ManySessionsAtStartTest {

    @TempDir
    Path data;

    @Test
    void aStartThatReadsManySessionsSaysSoFirst() {
        try (FileJournal journal = FileJournal.open(data)) {
            for (int i = 0; i < FileJournal.MANY_SESSIONS; i++) {
                SessionId id = new SessionId("session-" + i);
                journal.append(List.of(SampleEvents.created(id, 1)));
            }
        }

        try (CapturedLogs logs = CapturedLogs.of(FileJournal.class.getName());
                FileJournal reopened = FileJournal.open(data)) {
            assertThat(logs.visibleLines())
                    .anySatisfy(line -> assertThat(line)
                            .contains("reading the " + FileJournal.MANY_SESSIONS + " sessions kept in")
                            .contains("the server listens once they are read"));
            assertThat(reopened.sessionIds()).hasSize(FileJournal.MANY_SESSIONS);
        }
    }

    @Test
    void aStartOfAFewSessionsSaysNothingAboutReadingThem() {
        try (FileJournal journal = FileJournal.open(data)) {
            journal.append(List.of(SampleEvents.created(new SessionId("session-1"), 1)));
        }

        try (CapturedLogs logs = CapturedLogs.of(FileJournal.class.getName());
                FileJournal reopened = FileJournal.open(data)) {
            assertThat(logs.visibleLines()).noneMatch(line -> line.contains("sessions kept in"));
            assertThat(reopened.sessionIds()).hasSize(1);
        }
    }
}
