package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.testsupport.EventRecorder.awaitCondition;

import java.util.concurrent.CountDownLatch;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent.WaitFor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dispatcher's count of global slots stays true however a task ends. */
class DispatchSlotsTest {

    /** The core may hand over two tasks at once, the executor runs one: the second waits inside the executor. */
    private final CoreHarness harness = new CoreHarness(CoreHarness.DEFAULT_SETTINGS.withGlobalConcurrency(2), 1);

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void aNodeCancelledBeforeItsTaskBeganGivesItsSlotBack() {
        CountDownLatch gate = new CountDownLatch(1);
        harness.agent.then("x", new WaitFor(gate));
        SessionId holding = harness.analyzeOneGroup(1, "x");
        EventRecorder holdingEvents = harness.record(holding);
        harness.start(holding);
        awaitCondition(() -> harness.agent.inFlight() == 1, "x runs and holds the executor");
        SessionId waiting = harness.analyzeOneGroup(1, "y");
        EventRecorder waitingEvents = harness.record(waiting);
        harness.start(waiting);
        waitingEvents.await(TaskStarted.class);

        harness.core.useCases().cancel().cancel(waiting, "user request");
        gate.countDown();
        holdingEvents.await(SessionFinished.class);

        awaitCondition(() -> harness.core.tasksInFlight() == 0, "both slots are free again");
        assertThat(harness.agent.callsOf("y")).isZero();
        CountDownLatch nextGate = new CountDownLatch(1);
        harness.agent.then("z1", new WaitFor(nextGate)).then("z2", new WaitFor(nextGate));
        SessionId next = harness.analyzeOneGroup(2, "z1", "z2");
        EventRecorder nextEvents = harness.record(next);
        harness.start(next);
        assertThat(harness.core.useCases().status().status(next).running())
                .as("both global slots were free to use")
                .isEqualTo(2);
        nextGate.countDown();
        assertThat(nextEvents.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
    }
}
