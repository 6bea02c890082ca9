package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.canvasbatch.bootstrap.batch.CoreHarness.CANVAS;
import static org.canvasbatch.bootstrap.batch.CoreHarness.RETRY_STEP;
import static org.canvasbatch.testsupport.EventRecorder.awaitCondition;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunFailedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunNotFinishedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.SingleNodeResult;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.SessionConflict;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.ScriptedAgent.Hang;
import org.canvasbatch.testsupport.ScriptedAgent.WaitFor;
import org.canvasbatch.testsupport.ScriptedAgent.WaitForPermit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A person's run of one node (the plugin's retry button, the socket's retry) against everything else the server does:
 * the limits, the retry policy, a batch running the same node, a cancel, the batch timeout and retention. Timers fire
 * only when the test moves the clock.
 */
class SingleNodeRunsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final Duration CALL_BOUND =
            CoreSettings.DEFAULT.singleNodeWait(CoreSettings.DEFAULT.sessionDefaults());

    private CoreHarness harness = new CoreHarness();

    @AfterEach
    void stop() {
        harness.close();
    }

    /** One global slot, and batches that outlive the call's bound: only the call's own deadline can come due. */
    private static final CoreSettings ONE_SLOT = CoreHarness.DEFAULT_SETTINGS
            .withGlobalConcurrency(1)
            .withSessionDefaults(CoreSettings.DEFAULT.sessionDefaults().withBatchTimeout(Duration.ofHours(1)));

    private void use(CoreSettings settings) {
        harness.close();
        harness = new CoreHarness(settings);
    }

    /** A finished session in which {@code failing} failed (a permanent error) and the other nodes succeeded. */
    private SessionId finishedWithAFailure(String failing, String... ids) {
        harness.agent.then(failing, ScriptedAgent.permanent("The model refused: content policy"));
        SessionId id = harness.analyzeOneGroup(12, ids);
        EventRecorder events = harness.record(id);
        harness.start(id);
        events.await(SessionFinished.class);
        return id;
    }

    private static <T> T outcome(CompletableFuture<T> call) throws Exception {
        return call.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> call) {
        Throwable thrown = catchThrowable(() -> call.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        return thrown.getCause();
    }

    /** Moves the clock in backoff-sized steps until the call has its answer: each step lets due retries start. */
    private void stepUntilAnswered(CompletableFuture<?> call) {
        awaitCondition(
                () -> {
                    harness.timers.advance(RETRY_STEP);
                    return call.isDone();
                },
                "the single-node call answered");
    }

    // ------------------------------------------------------------------ the retry policy (issue 9 item 8)

    @Test
    void aRetryOfASessionsNodeIsTriedAgainOnTransientFailuresLikeABatchNode() throws Exception {
        SessionId id = finishedWithAFailure("b", "a", "b");
        harness.agent
                .then("b", ScriptedAgent.transientFailure("HTTP 503: overloaded", null))
                .then("b", ScriptedAgent.transientFailure("HTTP 429: slow down", null));

        var call = harness.runSingleNode("b", AgentId.EXAMPLE_TEACHING);
        stepUntilAnswered(call);

        SingleNodeResult result = outcome(call);
        assertThat(result.recordedIn()).contains(id);
        assertThat(result.agent()).isEqualTo(AgentId.EXAMPLE_TEACHING);
        assertThat(harness.agent.callsOf("b"))
                .as("the batch's attempt and three of the retry")
                .isEqualTo(4);
        assertThat(harness.trace(id))
                .endsWith(
                        "SessionFinished(PARTIAL_FAILURE)",
                        "TaskRequeued(b)",
                        "TaskStarted(b#2)",
                        "TaskRetryScheduled(b)",
                        "TaskStarted(b#3)",
                        "TaskRetryScheduled(b)",
                        "TaskStarted(b#4)",
                        "TaskSucceeded(b)",
                        "SessionFinished(COMPLETED)");
    }

    @Test
    void aRetryWhoseThreeAttemptsAllFailTransientlyReportsTheLastReason() throws Exception {
        SessionId id = finishedWithAFailure("b", "a", "b");
        harness.agent.always("b", ScriptedAgent.transientFailure("HTTP 503: still overloaded", null));

        var call = harness.runSingleNode("b", null);
        stepUntilAnswered(call);

        assertThat(failureOf(call)).isInstanceOf(NodeRunFailedException.class).hasMessage("HTTP 503: still overloaded");
        assertThat(harness.agent.callsOf("b")).isEqualTo(4);
        assertThat(harness.core
                        .useCases()
                        .status()
                        .status(id)
                        .task("b")
                        .orElseThrow()
                        .attempts())
                .isEqualTo(4);
    }

    @Test
    void aRunOfANodeNoSessionHoldsIsTriedAgainOnTransientFailuresToo() throws Exception {
        harness.vault.withCanvas(new Canvas(CANVAS, CoreHarness.nodes("x"), List.of()));
        harness.agent
                .then("x", ScriptedAgent.transientFailure("connection reset", null))
                .then("x", ScriptedAgent.transientFailure("HTTP 502: bad gateway", null));

        var call = harness.runSingleNode("x", AgentId.MEMORY_ANCHOR);
        stepUntilAnswered(call);

        SingleNodeResult result = outcome(call);
        assertThat(result.recordedIn()).isEmpty();
        assertThat(harness.vault.notes()).containsKey(result.filePath());
        assertThat(harness.agent.callsOf("x")).isEqualTo(3);
    }

    // ------------------------------------------------------------------ the limits

    @Test
    void reRunsOfAFinishedSessionsNodesWaitForTheSlotsABatchHolds() throws Exception {
        use(CoreHarness.DEFAULT_SETTINGS.withGlobalConcurrency(2));
        SessionId finished = finishedWithAFailure("f1", "f1", "f2");
        Semaphore busyPermits = new Semaphore(0);
        harness.agent.always("h1", new WaitForPermit(busyPermits)).always("h2", new WaitForPermit(busyPermits));
        SessionId busy = harness.analyzeOneGroup(12, "h1", "h2");
        EventRecorder busyEvents = harness.record(busy);
        harness.start(busy);
        awaitCondition(() -> harness.agent.inFlight() == 2, "the busy batch holds both global slots");

        var call = harness.runSingleNode("f1", null);
        awaitCondition(
                () -> harness.core
                                .useCases()
                                .status()
                                .status(finished)
                                .task("f1")
                                .orElseThrow()
                                .state()
                        != NodeState.FAILED,
                "the retry reached the session");

        assertThat(harness.agent.callsOf("f1")).as("no slot is free").isEqualTo(1);
        assertThat(harness.core
                        .useCases()
                        .status()
                        .status(finished)
                        .task("f1")
                        .orElseThrow()
                        .state())
                .isEqualTo(NodeState.QUEUED);
        busyPermits.release(2);
        assertThat(outcome(call).recordedIn()).contains(finished);
        busyEvents.await(SessionFinished.class);
        assertThat(harness.agent.peakInFlight()).isEqualTo(2);
    }

    @Test
    void aCallThatGetsNoSlotWithinItsBoundIsAnsweredAsNotFinishedAndTheSessionStillRecordsTheRun() throws Exception {
        use(ONE_SLOT);
        SessionId finished = finishedWithAFailure("f", "f");
        EventRecorder events = harness.record(finished);
        CountDownLatch gate = new CountDownLatch(1);
        harness.agent.then("h", new WaitFor(gate));
        SessionId busy = harness.analyzeOneGroup(1, "h");
        harness.start(busy);
        awaitCondition(() -> harness.agent.inFlight() == 1, "the busy batch holds the only slot");
        int timersBefore = harness.timers.pending();
        var call = harness.runSingleNode("f", null);
        // the retry is queued first and the call's deadline armed just after: the clock must not move in between
        awaitCondition(() -> harness.timers.pending() > timersBefore, "the call armed its deadline");
        awaitCondition(
                () -> harness.core
                                .useCases()
                                .status()
                                .status(finished)
                                .task("f")
                                .orElseThrow()
                                .state()
                        == NodeState.QUEUED,
                "the retry is queued");

        harness.timers.advance(CALL_BOUND);

        assertThat(failureOf(call))
                .isInstanceOf(NodeRunNotFinishedException.class)
                .hasMessageContaining("waiting for a free slot")
                .hasMessageContaining("will record its outcome");
        assertThat(harness.agent.callsOf("f")).isEqualTo(1);
        gate.countDown();
        assertThat(events.await(TaskSucceeded.class, e -> e.nodeId().equals("f"))
                        .attempt())
                .isEqualTo(2);
        assertThat(events.await(SessionFinished.class, e -> e.state() == SessionState.COMPLETED))
                .isNotNull();
    }

    @Test
    void aRunOfANodeNoSessionHoldsThatGetsNoSlotWithinItsBoundIsWithdrawnAndNeverCallsTheModel() throws Exception {
        use(ONE_SLOT);
        harness.vault.withCanvas(new Canvas(CANVAS, CoreHarness.nodes("x"), List.of()));
        CountDownLatch gate = new CountDownLatch(1);
        harness.agent.then("h", new WaitFor(gate));
        SessionId busy = harness.analyzeOneGroup(1, "h");
        EventRecorder busyEvents = harness.record(busy);
        harness.start(busy);
        awaitCondition(() -> harness.agent.inFlight() == 1, "the busy batch holds the only slot");
        int timersBefore = harness.timers.pending();
        var call = harness.runSingleNode("x", null);
        awaitCondition(() -> harness.timers.pending() > timersBefore, "the call armed its deadline");

        harness.timers.advance(CALL_BOUND);

        assertThat(failureOf(call))
                .isInstanceOf(NodeRunNotFinishedException.class)
                .hasMessageContaining("the server is busy");
        gate.countDown();
        busyEvents.await(SessionFinished.class);
        awaitCondition(() -> harness.core.tasksInFlight() == 0, "every slot is free");
        assertThat(harness.agent.callsOf("x")).isZero();
    }

    @Test
    void tooManyWaitingRunsOfNodesNoSessionHoldsAreRefusedAtOnceAsBusy() throws Exception {
        use(CoreHarness.DEFAULT_SETTINGS.withGlobalConcurrency(1).withSingleNodeLimits(Duration.ofMinutes(5), 2));
        harness.vault.withCanvas(new Canvas(CANVAS, CoreHarness.nodes("x1", "x2", "x3"), List.of()));
        CountDownLatch gate = new CountDownLatch(1);
        harness.agent.then("h", new WaitFor(gate));
        harness.start(harness.analyzeOneGroup(1, "h"));
        awaitCondition(() -> harness.agent.inFlight() == 1, "the busy batch holds the only slot");
        int timersBefore = harness.timers.pending();
        var first = harness.runSingleNode("x1", null);
        var second = harness.runSingleNode("x2", null);
        awaitCondition(() -> harness.timers.pending() == timersBefore + 2, "two runs wait");

        var third = harness.runSingleNode("x3", null);

        assertThat(failureOf(third))
                .isInstanceOf(NodeRunNotFinishedException.class)
                .hasMessageContaining("2 single-node runs are waiting already");
        gate.countDown();
        assertThat(outcome(first).filePath()).contains("x1");
        assertThat(outcome(second).filePath()).contains("x2");
        assertThat(harness.agent.callsOf("x3")).isZero();
    }

    @Test
    void aRetryAfterLongerThanTheCallMayWaitIsAnsweredAtOnceWithThatWaitAndTheSessionKeepsTheRetry() {
        SessionId id = finishedWithAFailure("b", "a", "b");
        harness.agent.then("b", ScriptedAgent.transientFailure("HTTP 429: quota", Duration.ofHours(1)));

        var call = harness.runSingleNode("b", null);

        Throwable failure = failureOf(call);
        assertThat(failure).isInstanceOf(NodeRunNotFinishedException.class).hasMessageContaining("HTTP 429: quota");
        assertThat(((NodeRunNotFinishedException) failure).retryAfter()).isEqualTo(Duration.ofHours(1));
        var node = harness.core.useCases().status().status(id).task("b").orElseThrow();
        assertThat(node.state()).isEqualTo(NodeState.QUEUED);
        assertThat(node.retryAt()).isEqualTo(harness.clock.now().plus(Duration.ofHours(1)));
    }

    // ------------------------------------------------------------------ races with the batch

    @Test
    void theSameNodeAskedForWhileTheBatchRunsItIsRunOnceAndTheCallGetsThatRunsOutcome() throws Exception {
        harness.vault.withCanvas(new Canvas(CANVAS, CoreHarness.nodes("a", "b"), List.of()));
        CountDownLatch gate = new CountDownLatch(1);
        harness.agent.then("a", new WaitFor(gate));
        SessionId id = harness.analyzeOneGroup(1, "a", "b");
        EventRecorder events = harness.record(id);
        harness.start(id);
        events.await(TaskStarted.class, e -> e.nodeId().equals("a"));
        int subscribed = harness.subscriptions();

        var call = harness.runSingleNode("a", null);
        awaitCondition(
                () -> harness.subscriptions() > subscribed || harness.agent.callsOf("a") > 1,
                "the call waits for the batch's run (or, wrongly, runs the node a second time)");
        gate.countDown();

        SingleNodeResult result = outcome(call);
        assertThat(result.recordedIn()).contains(id);
        assertThat(harness.agent.callsOf("a")).as("one agent call for one node").isEqualTo(1);
        events.await(SessionFinished.class);
        assertThat(harness.trace(id))
                .filteredOn(line -> line.contains("(a"))
                .containsExactly("TaskStarted(a#1)", "TaskSucceeded(a)");
    }

    @Test
    void aNodeWaitingForItsNextAttemptInAPausedBatchIsRunAtOnceWhenAPersonAsksForIt() throws Exception {
        harness.agent.then("a", ScriptedAgent.transientFailure("HTTP 429: slow down", Duration.ofSeconds(30)));
        SessionId id = harness.analyzeOneGroup(1, "a");
        EventRecorder events = harness.record(id);
        harness.start(id);
        events.await(TaskRetryScheduled.class, e -> e.nodeId().equals("a"));
        harness.core.useCases().pause().pause(id, "paused from the dashboard");
        harness.timers.advance(Duration.ofSeconds(31)); // its backoff is over; the paused batch holds it back

        var call = harness.runSingleNode("a", null);

        // CONTRACT §2.5: a person's run goes ahead of the batch's own queue, also while the batch is paused. Here the
        // call joined the paused batch's own next attempt, which nothing starts: the learner's retry spun until the
        // call's bound (12 minutes) and then said the server was busy, while the model was never asked
        awaitCondition(call::isDone, "the person's call for the node answered while the batch is paused");
        SingleNodeResult result = outcome(call);
        assertThat(result.recordedIn()).contains(id);
        assertThat(harness.agent.callsOf("a"))
                .as("the batch's failed attempt and the person's")
                .isEqualTo(2);
        assertThat(harness.core.useCases().status().status(id).state())
                .as("the paused batch had nothing else to do: it ends, not paused for ever")
                .isEqualTo(SessionState.COMPLETED);
    }

    @Test
    void aNodeTheBatchRunsCannotBeAskedForWithAnotherAgentUntilThatRunEnds() {
        CountDownLatch gate = new CountDownLatch(1);
        harness.agent.then("a", new WaitFor(gate));
        SessionId id = harness.analyzeOneGroup(1, "a");
        EventRecorder events = harness.record(id);
        harness.start(id);
        events.await(TaskStarted.class);

        Throwable refused = failureOf(harness.runSingleNode("a", AgentId.COMPARISON_TABLE));

        assertThat(refused)
                .isInstanceOf(SessionConflict.class)
                .hasMessageContaining("is being run with agent")
                .hasMessageContaining("comparison-table");
        gate.countDown();
        events.await(SessionFinished.class);
        assertThat(harness.agent.callsOf("a")).isEqualTo(1);
    }

    @Test
    void twoClicksOnRetryRunTheNodeOnceAndBothAreAnsweredWithItsOutcome() throws Exception {
        harness.vault.withCanvas(new Canvas(CANVAS, CoreHarness.nodes("a", "b"), List.of()));
        SessionId id = finishedWithAFailure("b", "a", "b");
        CountDownLatch gate = new CountDownLatch(1);
        harness.agent.then("b", new WaitFor(gate));
        CountDownLatch rerunCalled = harness.agent.calledTimes("b", 2);
        var first = harness.runSingleNode("b", null);
        assertThat(rerunCalled.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        int subscribed = harness.subscriptions();

        var second = harness.runSingleNode("b", null);
        awaitCondition(
                () -> harness.subscriptions() > subscribed || harness.agent.callsOf("b") > 2,
                "the second call waits for the first one's run (or, wrongly, runs the node again)");
        gate.countDown();

        assertThat(outcome(first)).isEqualTo(outcome(second));
        assertThat(harness.agent.callsOf("b")).isEqualTo(2);
        assertThat(harness.trace(id))
                .filteredOn(line -> line.contains("(b"))
                .containsExactly(
                        "TaskStarted(b#1)",
                        "TaskFailed(b:http_400)",
                        "TaskRequeued(b)",
                        "TaskStarted(b#2)",
                        "TaskSucceeded(b)");
    }

    @Test
    void cancellingTheSessionInterruptsASingleNodeRunInItAndNoNoteIsWritten() {
        harness.agent.then("a", new Hang()).then("b", ScriptedAgent.permanent("refused"));
        SessionId id = harness.analyzeOneGroup(2, "a", "b");
        EventRecorder events = harness.record(id);
        harness.start(id);
        events.await(SessionEvent.TaskFailed.class, e -> e.nodeId().equals("b"));
        harness.agent.then("b", new Hang());
        CountDownLatch rerunCalled = harness.agent.calledTimes("b", 2);
        var call = harness.runSingleNode("b", null);
        awaitCondition(() -> rerunCalled.getCount() == 0, "the rerun called the agent");

        harness.core.useCases().cancel().cancel(id, "user request");

        awaitCondition(() -> harness.agent.interruptedCalls().contains("b"), "the rerun's agent call was interrupted");
        assertThat(failureOf(call)).isInstanceOf(NodeRunFailedException.class).hasMessageContaining("cancelled");
        awaitCondition(() -> harness.core.tasksInFlight() == 0, "no task is in flight");
        assertThat(harness.vault.notes()).isEmpty();
        assertThat(harness.core.useCases().status().status(id).state()).isEqualTo(SessionState.CANCELLED);
    }

    @Test
    void aRunOfANodeOfACancelledSessionIsRecordedAndTheSessionStaysCancelled() throws Exception {
        harness.agent.then("a", new Hang());
        SessionId id = harness.analyzeOneGroup(1, "a", "b");
        EventRecorder events = harness.record(id);
        harness.start(id);
        events.await(TaskStarted.class);
        harness.core.useCases().cancel().cancel(id, "user request");

        SingleNodeResult result = outcome(harness.runSingleNode("b", null));

        assertThat(result.recordedIn()).contains(id);
        var status = harness.core.useCases().status().status(id);
        assertThat(status.state()).as("CONTRACT §4: cancelled if cancelled").isEqualTo(SessionState.CANCELLED);
        assertThat(status.task("b").orElseThrow().state()).isEqualTo(NodeState.SUCCEEDED);
        assertThat(harness.trace(id))
                .endsWith("SessionCancelled", "TaskRequeued(b)", "TaskStarted(b#1)", "TaskSucceeded(b)");
    }

    @Test
    void aCompletedSessionWhoseNodeFailsOnARunWithAnotherAgentIsFinishedAgainAsPartialFailure() {
        SessionId id = harness.analyzeOneGroup(2, "a", "b");
        EventRecorder events = harness.record(id);
        harness.start(id);
        events.await(SessionFinished.class);
        harness.agent.then("a", ScriptedAgent.permanent("no tables for this one"));

        assertThat(failureOf(harness.runSingleNode("a", AgentId.COMPARISON_TABLE)))
                .isInstanceOf(NodeRunFailedException.class)
                .hasMessage("no tables for this one");
        assertThat(events.await(SessionFinished.class, e -> e.state() == SessionState.PARTIAL_FAILURE))
                .isNotNull();
    }

    // ------------------------------------------------------------------ timers of a session that ended

    @Test
    void theBatchTimeoutOfASessionThatEndedDoesNotInterruptARunOfItsNode() throws Exception {
        SessionId id = finishedWithAFailure("b", "a", "b");
        CountDownLatch gate = new CountDownLatch(1);
        harness.agent.then("b", new WaitFor(gate));
        CountDownLatch rerunCalled = harness.agent.calledTimes("b", 2);
        var call = harness.runSingleNode("b", null);
        assertThat(rerunCalled.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

        harness.timers.advance(CoreSettings.DEFAULT.sessionDefaults().batchTimeout());
        gate.countDown();

        assertThat(outcome(call).recordedIn()).contains(id);
        assertThat(harness.agent.interruptedCalls()).isEmpty();
    }

    @Test
    void retentionKeepsAFinishedSessionWhileARunOfItsNodeIsInFlightAndForgetsItAfterwards() throws Exception {
        SessionId id = finishedWithAFailure("b", "a", "b");
        CountDownLatch gate = new CountDownLatch(1);
        harness.agent.then("b", new WaitFor(gate));
        CountDownLatch rerunCalled = harness.agent.calledTimes("b", 2);
        var call = harness.runSingleNode("b", null);
        assertThat(rerunCalled.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

        harness.clock.advance(CoreSettings.DEFAULT.terminalRetention().plusMinutes(1));
        assertThat(harness.core.sweepExpired()).as("the rerun is still running").isEmpty();
        gate.countDown();

        assertThat(outcome(call).recordedIn()).contains(id);
        assertThat(harness.core.useCases().status().status(id).state()).isEqualTo(SessionState.COMPLETED);
        harness.clock.advance(CoreSettings.DEFAULT.terminalRetention());
        assertThat(harness.core.sweepExpired()).containsExactly(id);
    }

    @Test
    void aRunOfANodeOfAFinishedSessionCutShortByARestartIsRunAgainAfterIt() {
        SessionId id = finishedWithAFailure("b", "a", "b");
        harness.agent.then("b", new Hang());
        CountDownLatch rerunCalled = harness.agent.calledTimes("b", 2);
        harness.runSingleNode("b", null); // the process "dies" with this call in flight
        awaitCondition(() -> rerunCalled.getCount() == 0, "the rerun called the agent");

        var restarted = harness.restartedCore();
        restarted.recover();

        awaitCondition(
                () -> restarted
                                .useCases()
                                .status()
                                .status(id)
                                .task("b")
                                .orElseThrow()
                                .state()
                        == NodeState.SUCCEEDED,
                "the interrupted rerun ran again");
        var status = restarted.useCases().status().status(id);
        assertThat(status.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(status.running()).isZero();
        assertThat(harness.trace(id))
                .endsWith(
                        "TaskRequeued(b)",
                        "TaskStarted(b#2)",
                        "TaskRetryScheduled(b)",
                        "TaskStarted(b#3)",
                        "TaskSucceeded(b)",
                        "SessionFinished(COMPLETED)");
    }

    // ------------------------------------------------------------------ the socket's retry

    @Test
    void theSocketRetryOfAFinishedSessionsNodeWaitsForASlotLikeAnyNode() {
        use(CoreHarness.DEFAULT_SETTINGS.withGlobalConcurrency(1));
        SessionId finished = finishedWithAFailure("f", "f");
        EventRecorder events = harness.record(finished);
        Semaphore permits = new Semaphore(0);
        harness.agent.then("h", new WaitForPermit(permits));
        harness.start(harness.analyzeOneGroup(1, "h"));
        awaitCondition(() -> harness.agent.inFlight() == 1, "the busy batch holds the only slot");

        var snapshot = harness.core.useCases().retryNode().retry(finished, "f");

        assertThat(snapshot.task("f").orElseThrow().state()).isEqualTo(NodeState.QUEUED);
        assertThat(harness.agent.callsOf("f")).isEqualTo(1);
        permits.release();
        events.await(SessionFinished.class, e -> e.state() == SessionState.COMPLETED);
        assertThat(harness.agent.peakInFlight()).isEqualTo(1);
    }

    @Test
    void theSocketRetryOfANodeThatUsedUpItsAttemptsGetsThreeMoreLikeABatchNode() {
        harness.agent.always("a", ScriptedAgent.transientFailure("HTTP 503: overloaded", null));
        CountDownLatch gate = new CountDownLatch(1);
        harness.agent.then("b", new WaitFor(gate));
        SessionId id = harness.analyzeOneGroup(2, "a", "b");
        EventRecorder events = harness.record(id);
        harness.start(id);
        awaitCondition(
                () -> {
                    harness.timers.advance(RETRY_STEP);
                    return harness.core
                                    .useCases()
                                    .status()
                                    .status(id)
                                    .task("a")
                                    .orElseThrow()
                                    .state()
                            == NodeState.FAILED;
                },
                "a used up its three attempts");

        harness.core.useCases().retryNode().retry(id, "a");
        awaitCondition(
                () -> {
                    harness.timers.advance(RETRY_STEP);
                    return harness.core
                                    .useCases()
                                    .status()
                                    .status(id)
                                    .task("a")
                                    .orElseThrow()
                                    .state()
                            == NodeState.FAILED;
                },
                "a's retry ended");

        assertThat(harness.agent.callsOf("a")).isEqualTo(6);
        assertThat(events.events())
                .filteredOn(TaskRetryScheduled.class::isInstance)
                .as("two backoffs in each run of three attempts")
                .hasSize(4);
        gate.countDown();
        events.await(SessionFinished.class);
    }
}
