package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.testsupport.EventRecorder.awaitCondition;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.ScriptedAgent.WaitFor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load a server of a cluster publishes is the calls its batches want, not only those in flight: a batch waiting out
 * a rate limit (or just started, before its first calls are under way) fills the server as much as one whose calls run,
 * and the next batch confirmed goes to a server that is really idle.
 */
class WantedCallsTest {

    private final CoreHarness harness = new CoreHarness(CoreHarness.DEFAULT_SETTINGS.withGlobalConcurrency(4), 4);

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void aBatchWaitingOutARateLimitIsWantedUpToItsLimitAndAPausedOneIsNot() {
        for (String node : new String[] {"a1", "a2", "a3"}) {
            harness.agent.then(node, ScriptedAgent.transientFailure("rate limited", Duration.ofMinutes(10)));
        }
        SessionId limited = harness.analyzeOneGroup(2, "a1", "a2", "a3");
        EventRecorder limitedEvents = harness.record(limited);
        harness.start(limited);
        limitedEvents.await(TaskRetryScheduled.class, retry -> retry.nodeId().equals("a3"));
        awaitCondition(() -> harness.core.tasksInFlight() == 0, "every call has come back");

        assertThat(harness.core.callsWanted())
                .as("three nodes wait out the rate limit; the batch may run two at once")
                .isEqualTo(2);

        harness.core.useCases().pause().pause(limited, "user request");
        assertThat(harness.core.callsWanted()).as("paused, it wants nothing").isZero();

        CountDownLatch gate = new CountDownLatch(1);
        harness.agent
                .then("b1", new WaitFor(gate))
                .then("b2", new WaitFor(gate))
                .then("b3", new WaitFor(gate));
        SessionId running = harness.analyzeOneGroup(3, "b1", "b2", "b3");
        EventRecorder runningEvents = harness.record(running);
        harness.start(running);
        awaitCondition(() -> harness.agent.inFlight() == 3, "b1..b3 are with the model");
        harness.core.useCases().resume().resume(limited, "user request");

        assertThat(harness.core.callsWanted())
                .as("3 in flight and 2 wanted, up to the server's limit of 4")
                .isEqualTo(4);
        gate.countDown();
        assertThat(runningEvents.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
    }
}
