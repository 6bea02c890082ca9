package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.CapturedLogs;
import org.canvasbatch.testsupport.EventRecorder;
import org.junit.jupiter.api.Test;

/**
 * In a cluster, a finished batch gives its lease back after its last outcome is stored. That outcome is durable by
 * then: whatever giving the lease back throws (the lease simply runs out later), the learner sees the batch as it was
 * stored, and the operator reads one line.
 */
class LeaseReleaseFailureTest {

    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor(CoreSettings.DEFAULT, true);

    @Test
    void aLeaseThatCannotBeGivenBackLeavesTheStoredOutcomesAsStoredAndIsLoggedOnceWithoutAStackTrace() {
        core.releaseFailure = new IllegalStateException("the connection pool is closed");
        SessionId id = core.analyze(2, "a", "b");
        EventRecorder heard = core.record(id);

        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch.application")) {
            core.start(id);
            core.executor.runAll();

            var status = core.useCases.status().status(id);
            assertThat(status.state()).isEqualTo(SessionState.COMPLETED);
            assertThat(status.tasks())
                    .allSatisfy(task -> assertThat(task.state()).isEqualTo(NodeState.SUCCEEDED));
            assertThat(core.trace(id))
                    .as("no outcome recorded twice, no failure made up")
                    .noneMatch(event -> event.startsWith("TaskFailed") || event.startsWith("TaskRetry"))
                    .filteredOn(event -> event.startsWith("TaskSucceeded"))
                    .hasSize(2);
            assertThat(EventRecorder.describe(heard.events())).last().isEqualTo("SessionFinished(COMPLETED)");
            assertThat(logs.visibleRecords())
                    .as("one line saying the lease was not given back, no stack trace")
                    .filteredOn(r -> r.getMessage().contains("lease"))
                    .singleElement()
                    .satisfies(r -> assertThat(r.getThrown()).isNull());
            assertThat(logs.visibleRecords())
                    .allSatisfy(r -> assertThat(r.getThrown()).isNull());
        }
    }

    @Test
    void aCancelStoredBeforeTheLeaseCouldNotBeGivenBackIsAnsweredAsDone() {
        core.releaseFailure = new IllegalStateException("the connection pool is closed");
        SessionId id = core.analyze(1, "a", "b");
        var cancelAnswer = new java.util.concurrent.atomic.AtomicReference<Object>();
        core.then("a", request -> {
            try {
                core.useCases.cancel().cancel(id, "enough");
                cancelAnswer.set("done");
            } catch (RuntimeException e) {
                cancelAnswer.set(e);
            }
            return new org.canvasbatch.application.port.out.AgentAnswer("# late", "scripted");
        });
        core.start(id);

        core.executor.runAll();

        assertThat(cancelAnswer.get())
                .as("the cancel is stored: the person is told so")
                .isEqualTo("done");
        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.CANCELLED);
    }
}
