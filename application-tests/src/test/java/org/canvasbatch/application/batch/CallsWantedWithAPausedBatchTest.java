package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.application.batch.CoreOnAManualExecutor.transientFailure;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.RunSingleNodeCommand;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
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

    /** Single-node runs get at most a session's limit of the slots at once, however many wait: so much is wanted. */
    @Test
    void singleNodeRunsAreWantedUpToTheirShareOfTheSlots() throws Exception {
        CoreOnAManualExecutor core = new CoreOnAManualExecutor(CoreSettings.DEFAULT
                        .withGlobalConcurrency(8)
                        .withSessionDefaults(SessionSettings.DEFAULT.withMaxConcurrent(2)))
                .withCanvas("a", "b", "c", "d");
        List<Thread> buttons = new ArrayList<>();
        for (String node : List.of("a", "b", "c", "d")) {
            Thread button = new Thread(() -> {
                try {
                    core.useCases
                            .runSingleNode()
                            .run(new RunSingleNodeCommand(
                                    CoreOnAManualExecutor.CANVAS, node, Optional.empty(), Optional.empty()));
                } catch (RuntimeException stoppedAtTheEnd) {
                    // the test ends while the run waits
                }
            });
            button.setDaemon(true);
            button.start();
            buttons.add(button);
        }
        // each click waits for its outcome once its run is queued or under way
        EventRecorder.awaitCondition(
                () -> buttons.stream()
                        .allMatch(b ->
                                b.getState() == Thread.State.TIMED_WAITING || b.getState() == Thread.State.WAITING),
                "the four clicks wait for their outcomes");
        assertThat(core.executor.waiting()).as("two runs went to the executor").hasSize(2);

        assertThat(core.core.callsWanted())
                .as("two under way and two waiting, of a share of two")
                .isEqualTo(2);
        buttons.forEach(Thread::interrupt);
    }
}
