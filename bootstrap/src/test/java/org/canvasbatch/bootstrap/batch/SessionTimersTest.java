package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.testsupport.EventRecorder.awaitCondition;

import java.time.Duration;
import java.util.List;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.domain.session.SessionEvent.BatchFailed;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.CapturedLogs;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent.Hang;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The timers a session arms (its batch timeout, the retention sweep) driven by a hand-moved clock: a timer that comes
 * due after its session already ended changes nothing and says nothing.
 */
class SessionTimersTest {

    private static final Duration BATCH_TIMEOUT =
            CoreSettings.DEFAULT.sessionDefaults().batchTimeout();

    private final CoreHarness harness = new CoreHarness();

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void aBatchTimeoutThatComesDueAfterTheSessionFinishedWritesNoEventAndNoLogLine() {
        SessionId id = harness.analyzeOneGroup(2, "a", "b");
        EventRecorder events = harness.record(id);
        harness.start(id);
        events.await(SessionFinished.class);
        List<String> before = harness.trace(id);

        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch")) {
            harness.timers.advance(BATCH_TIMEOUT.plusMinutes(1));

            assertThat(logs.visibleLines()).as("nothing to tell an operator").isEmpty();
        }
        assertThat(harness.trace(id)).isEqualTo(before);
        assertThat(harness.core.useCases().status().status(id).state()).isEqualTo(SessionState.COMPLETED);
    }

    @Test
    void aBatchTimeoutOfACancelledSessionWritesNoEventAndNoLogLine() {
        harness.agent.always("a", new Hang());
        SessionId id = harness.analyzeOneGroup(1, "a", "b");
        EventRecorder events = harness.record(id);
        harness.start(id);
        events.await(TaskStarted.class);
        harness.core.useCases().cancel().cancel(id, "user request");
        awaitCondition(() -> harness.core.tasksInFlight() == 0, "the hanging call was interrupted");
        List<String> before = harness.trace(id);

        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch")) {
            harness.timers.advance(BATCH_TIMEOUT.plusMinutes(1));

            assertThat(logs.visibleLines()).isEmpty();
        }
        assertThat(harness.trace(id)).isEqualTo(before);
    }

    @Test
    void aBatchStillRunningAtItsTimeoutFailsWithOneWarning() {
        harness.agent.always("a", new Hang());
        SessionId id = harness.analyzeOneGroup(1, "a", "b");
        EventRecorder events = harness.record(id);
        harness.start(id);
        events.await(TaskStarted.class);

        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch")) {
            harness.timers.advance(BATCH_TIMEOUT);

            assertThat(logs.visibleLines())
                    .singleElement()
                    .asString()
                    .contains("session " + id + " exceeded its batch timeout");
        }
        assertThat(events.await(BatchFailed.class).message()).contains("exceeded its timeout");
        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.FAILED);
    }

    @Test
    void thePendingExpiryOfASessionConfirmedInTimeForgetsNothingAndSaysNothing() {
        harness.core.sweepEvery(Duration.ofMinutes(1));
        SessionId id = harness.analyzeOneGroup(1, "a");
        harness.timers.advance(Duration.ofMinutes(29));
        EventRecorder events = harness.record(id);
        harness.start(id);
        events.await(SessionFinished.class);

        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch")) {
            harness.timers.advance(Duration.ofMinutes(2));

            assertThat(logs.visibleLines()).isEmpty();
        }
        assertThat(harness.core.useCases().status().status(id).state()).isEqualTo(SessionState.COMPLETED);

        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch")) {
            harness.timers.advance(Duration.ofMinutes(30));

            assertThat(logs.visibleLines())
                    .as("retention, 30 minutes after the end")
                    .singleElement()
                    .asString()
                    .contains("forgot 1 expired session(s)");
        }
        assertThat(harness.core.useCases().status().sessions()).isEmpty();
    }
}
