package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.application.batch.CoreOnAManualExecutor.transientFailure;

import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.junit.jupiter.api.Test;

/**
 * The load a server of a cluster publishes counts the calls a paused batch still has in flight: they hold slots of the
 * server's limit as long as they run, whatever the other batches want.
 */
class CallsWantedWithAPausedBatchTest {

    @Test
    void aPausedBatchsCallsInFlightAddToWhatARunningBatchWants() {
        CoreOnAManualExecutor core = new CoreOnAManualExecutor(CoreSettings.DEFAULT.withGlobalConcurrency(4))
                .then("b1", transientFailure("rate limited"))
                .then("b2", transientFailure("rate limited"));
        SessionId waiting = core.analyze(2, "b1", "b2");
        EventRecorder waitingEvents = core.record(waiting);
        core.start(waiting);
        core.executor.runAll();
        waitingEvents.await(TaskRetryScheduled.class, retry -> retry.nodeId().equals("b2"));
        assertThat(core.core.tasksInFlight()).isZero();
        assertThat(core.core.callsWanted())
                .as("b1 and b2 wait out the rate limit")
                .isEqualTo(2);

        SessionId paused = core.analyze(2, "a1", "a2");
        core.start(paused);
        assertThat(core.executor.waiting()).contains("s2/a1", "s2/a2");
        core.useCases.pause().pause(paused, "user request");
        assertThat(core.executor.waiting())
                .as("a pause lets the calls under way finish")
                .contains("s2/a1", "s2/a2");

        assertThat(core.core.callsWanted())
                .as("a1 and a2 hold two of the four slots, and b1 and b2 want the other two")
                .isEqualTo(4);
    }
}
