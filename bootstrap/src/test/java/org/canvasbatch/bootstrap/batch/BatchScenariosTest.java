package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.canvasbatch.testsupport.EventRecorder.awaitCondition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.http.wire.WireNames;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunFailedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.RunSingleNodeCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.PlannedGroup;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartPlannedBatchCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionCancelled;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.ScriptedAgent.Hang;
import org.canvasbatch.testsupport.ScriptedAgent.WaitFor;
import org.canvasbatch.testsupport.ScriptedAgent.WaitForPermit;
import org.canvasbatch.testsupport.ScriptedAgent.WaitIgnoringInterrupts;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whole batches driven through the use cases, with the real in-memory event log and the real virtual-thread executor,
 * a scripted agent and an in-memory vault. Sequences are asserted exactly where the limits make them deterministic.
 */
class BatchScenariosTest {

    private static final String CANVAS = "study/topics.canvas";

    private final InMemoryEventLog log = new InMemoryEventLog();
    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault vault = new InMemoryVault();
    private final TestClock clock = new TestClock();
    private final AtomicInteger sessionCounter = new AtomicInteger();
    private CanvasBatchCore core;

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    private CanvasBatchCore core(CoreSettings settings) {
        core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        log,
                        agent,
                        vault,
                        executor,
                        clock,
                        () -> new SessionId("s" + sessionCounter.incrementAndGet()),
                        new SplittableRandom(7)),
                settings);
        return core;
    }

    private CanvasBatchCore core() {
        return core(CoreSettings.DEFAULT.withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)));
    }

    private static List<CanvasNode> nodes(String... ids) {
        List<CanvasNode> nodes = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            nodes.add(CanvasNode.text(ids[i], "What is topic " + ids[i] + "?", "1", 0, i * 100, 250, 60));
        }
        return nodes;
    }

    /** Analyses the nodes as one group and starts the session with the given per-session limit. */
    private SessionId startOneGroup(int maxConcurrent, String... ids) {
        vault.withCanvas(new Canvas(CANVAS, nodes(ids), List.of()));
        var analysis = core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        CANVAS,
                        Optional.of(nodes(ids)),
                        Set.of(),
                        1,
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.of(maxConcurrent),
                        Optional.empty()));
        return analysis.session().id();
    }

    private EventRecorder record(SessionId id) {
        EventRecorder recorder = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, recorder::accept).snapshot();
        return recorder;
    }

    private void start(SessionId id) {
        core.useCases().start().start(StartSessionCommand.of(id));
    }

    private List<String> fullTrace(SessionId id) {
        return EventRecorder.describe(log.readAfter(id, 0, 10_000));
    }

    /** The trace of a batch with one slot, in sequential order: see {@link EventRecorder#oneCallAtATime}. */
    private List<String> oneCallAtATimeTrace(SessionId id) {
        return EventRecorder.describe(EventRecorder.oneCallAtATime(log.readAfter(id, 0, 10_000)));
    }

    @Test
    void allNodesSucceedInCanvasOrderAndTheSessionCompletes() {
        core();
        SessionId id = startOneGroup(1, "a", "b", "c");
        EventRecorder events = record(id);
        start(id);
        events.await(SessionFinished.class);

        assertThat(oneCallAtATimeTrace(id))
                .containsExactly(
                        "SessionCreated",
                        "SessionStarted",
                        "TaskStarted(a#1)",
                        "TaskSucceeded(a)",
                        "TaskStarted(b#1)",
                        "TaskSucceeded(b)",
                        "TaskStarted(c#1)",
                        "TaskSucceeded(c)",
                        "SessionFinished(COMPLETED)");
        SessionSnapshot status = core.useCases().status().status(id);
        assertThat(status.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(WireNames.pluginStatus(status.state())).isEqualTo("completed");
        assertThat(status.succeeded()).isEqualTo(3);
        assertThat(vault.notes()).hasSize(3);
        assertThat(events.events()).extracting(SessionEvent::seq).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void aPartialFailureFinishesTheBatchAsPartialFailureAndStillReportsCompletedToThePlugin() {
        core();
        agent.then("b", ScriptedAgent.permanent("The model refused: content policy"));
        SessionId id = startOneGroup(1, "a", "b", "c");
        EventRecorder events = record(id);
        start(id);
        events.await(SessionFinished.class);

        assertThat(oneCallAtATimeTrace(id))
                .containsExactly(
                        "SessionCreated",
                        "SessionStarted",
                        "TaskStarted(a#1)",
                        "TaskSucceeded(a)",
                        "TaskStarted(b#1)",
                        "TaskFailed(b:http_400)",
                        "TaskStarted(c#1)",
                        "TaskSucceeded(c)",
                        "SessionFinished(PARTIAL_FAILURE)");
        SessionSnapshot status = core.useCases().status().status(id);
        assertThat(WireNames.pluginStatus(status.state())).isEqualTo("completed");
        assertThat(status.task("b").orElseThrow().errorMessage()).isEqualTo("The model refused: content policy");
        assertThat(agent.callsOf("b")).as("a permanent failure is not retried").isEqualTo(1);
    }

    @Test
    void whenEveryNodeFailsTheSessionFails() {
        core();
        agent.always("a", ScriptedAgent.permanent("bad request")).always("b", ScriptedAgent.permanent("bad request"));
        SessionId id = startOneGroup(2, "a", "b");
        EventRecorder events = record(id);
        start(id);

        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.FAILED);
        assertThat(WireNames.pluginStatus(core.useCases().status().status(id).state()))
                .isEqualTo("failed");
        assertThat(vault.notes()).isEmpty();
    }

    @Test
    void cancellingMidRunInterruptsRunningCallsAndNeverStartsQueuedNodes() throws Exception {
        core();
        agent.then("a", new Hang()).then("b", new Hang());
        // The two calls start on their own threads in either order: cancelling once b is called could reach a before
        // its call began, and a call never made is never interrupted.
        CountDownLatch aRunning = agent.calledTimes("a", 1);
        CountDownLatch bRunning = agent.calledTimes("b", 1);
        SessionId id = startOneGroup(2, "a", "b", "c", "d");
        EventRecorder events = record(id);
        start(id);
        assertThat(aRunning.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(bRunning.await(10, TimeUnit.SECONDS)).isTrue();
        events.await(TaskStarted.class, e -> e.nodeId().equals("b"));

        core.useCases().cancel().cancel(id, "user request");

        awaitCondition(() -> agent.interruptedCalls().size() == 2, "both running calls were interrupted");
        awaitCondition(() -> core.tasksInFlight() == 0, "no task is in flight");
        assertThat(fullTrace(id))
                .containsExactly(
                        "SessionCreated", "SessionStarted", "TaskStarted(a#1)", "TaskStarted(b#1)", "SessionCancelled");
        assertThat(agent.calls()).containsExactlyInAnyOrder("a", "b");
        SessionSnapshot status = core.useCases().status().status(id);
        assertThat(status.state()).isEqualTo(SessionState.CANCELLED);
        assertThat(WireNames.pluginStatus(status.state())).isEqualTo("failed");
        assertThat(status.tasks()).extracting(t -> t.state()).containsOnly(NodeState.CANCELLED);
    }

    @Test
    void aResultThatArrivesAfterCancelIsDiscardedAndWritesNoNote() throws Exception {
        core();
        CountDownLatch gate = new CountDownLatch(1);
        agent.then("a", new WaitIgnoringInterrupts(gate));
        CountDownLatch running = agent.calledTimes("a", 1);
        SessionId id = startOneGroup(1, "a", "b");
        EventRecorder events = record(id);
        start(id);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

        core.useCases().cancel().cancel(id, "user request");
        events.await(SessionCancelled.class);
        gate.countDown();

        awaitCondition(() -> core.tasksInFlight() == 0, "the stubborn call ended");
        assertThat(fullTrace(id)).last().isEqualTo("SessionCancelled");
        assertThat(vault.notes()).isEmpty();
        assertThat(agent.callsOf("b")).isZero();
    }

    @Test
    void pausingLetsTheRunningNodeFinishButStartsNothingNewUntilResumed() throws Exception {
        core();
        CountDownLatch gate = new CountDownLatch(1);
        agent.then("a", new WaitFor(gate));
        CountDownLatch aRunning = agent.calledTimes("a", 1);
        SessionId id = startOneGroup(1, "a", "b", "c");
        EventRecorder events = record(id);
        start(id);
        assertThat(aRunning.await(10, TimeUnit.SECONDS)).isTrue();

        core.useCases().pause().pause(id, "user request");
        gate.countDown();
        events.await(TaskSucceeded.class, e -> e.nodeId().equals("a"));
        awaitCondition(() -> core.tasksInFlight() == 0, "a's task ended");
        assertThat(agent.callsOf("b")).isZero();
        assertThat(core.useCases().status().status(id).state()).isEqualTo(SessionState.PAUSED);

        core.useCases().resume().resume(id, "user request");
        events.await(SessionFinished.class);

        assertThat(oneCallAtATimeTrace(id))
                .containsExactly(
                        "SessionCreated",
                        "SessionStarted",
                        "TaskStarted(a#1)",
                        "SessionPaused",
                        "TaskSucceeded(a)",
                        "SessionResumed",
                        "TaskStarted(b#1)",
                        "TaskSucceeded(b)",
                        "TaskStarted(c#1)",
                        "TaskSucceeded(c)",
                        "SessionFinished(COMPLETED)");
    }

    @Test
    void raisingAGroupsPriorityMidRunMakesItsNodesGoNext() throws Exception {
        core();
        vault.withCanvas(new Canvas(CANVAS, nodes("a1", "a2", "a3", "b1", "b2"), List.of()));
        CountDownLatch gate = new CountDownLatch(1);
        agent.then("a1", new WaitFor(gate));
        CountDownLatch a1Running = agent.calledTimes("a1", 1);
        var started = core.useCases()
                .start()
                .startPlanned(new StartPlannedBatchCommand(
                        CANVAS,
                        List.of(
                                new PlannedGroup(
                                        "first",
                                        AgentChoice.named(AgentId.ORAL_EXPLANATION),
                                        List.of("a1", "a2", "a3")),
                                new PlannedGroup(
                                        "second", AgentChoice.named(AgentId.COMPARISON_TABLE), List.of("b1", "b2"))),
                        Optional.of(1),
                        Optional.empty()));
        SessionId id = started.session().id();
        EventRecorder events = record(id);
        assertThat(a1Running.await(10, TimeUnit.SECONDS)).isTrue();

        core.useCases().changePriority().changePriority(id, 2, Priority.URGENT);
        gate.countDown();
        events.await(SessionFinished.class);

        assertThat(oneCallAtATimeTrace(id))
                .containsExactly(
                        "SessionCreated",
                        "SessionStarted",
                        "TaskStarted(a1#1)",
                        "GroupPriorityChanged(2:URGENT)",
                        "TaskSucceeded(a1)",
                        "TaskStarted(b1#1)",
                        "TaskSucceeded(b1)",
                        "TaskStarted(b2#1)",
                        "TaskSucceeded(b2)",
                        "TaskStarted(a2#1)",
                        "TaskSucceeded(a2)",
                        "TaskStarted(a3#1)",
                        "TaskSucceeded(a3)",
                        "SessionFinished(COMPLETED)");
        assertThat(vault.notes()).containsKey("study/topics-notes/What is topic b1 (comparison-table).md");
    }

    @Test
    void aNodeThatHangsPastItsTimeoutIsRetriedThenFailsWithTimeout() {
        core(CoreSettings.DEFAULT
                .withRetryBackoff(Duration.ZERO, Duration.ZERO)
                .withSessionDefaults(new SessionSettings(2, Duration.ofMinutes(5), Duration.ofMillis(150), 3)));
        agent.always("slow", new Hang());
        SessionId id = startOneGroup(2, "slow", "fast");
        EventRecorder events = record(id);
        start(id);
        events.await(SessionFinished.class);

        assertThat(fullTrace(id))
                .filteredOn(line -> line.contains("slow"))
                .containsExactly(
                        "TaskStarted(slow#1)",
                        "TaskRetryScheduled(slow)",
                        "TaskStarted(slow#2)",
                        "TaskRetryScheduled(slow)",
                        "TaskStarted(slow#3)",
                        "TaskFailed(slow:timeout)");
        // only slow's calls: "fast" answers at once, but a cold JVM may take past the 150 ms to turn it into a note
        assertThat(agent.interruptedCalls()).filteredOn("slow"::equals).hasSize(3);
        assertThat(core.useCases().status().status(id).state()).isEqualTo(SessionState.PARTIAL_FAILURE);
    }

    @Test
    void aBatchPastItsTimeoutFailsEveryUnfinishedNodeAndEndsFailed() {
        // 3 s: a's call and note must fit in it before the batch times out, even on a cold JVM on a loaded machine
        core(CoreSettings.DEFAULT.withSessionDefaults(
                new SessionSettings(1, Duration.ofSeconds(3), Duration.ofMinutes(2), 3)));
        agent.then("b", new Hang());
        SessionId id = startOneGroup(1, "a", "b", "c");
        EventRecorder events = record(id);
        start(id);
        events.await(SessionFinished.class);

        assertThat(oneCallAtATimeTrace(id))
                .containsExactly(
                        "SessionCreated",
                        "SessionStarted",
                        "TaskStarted(a#1)",
                        "TaskSucceeded(a)",
                        "TaskStarted(b#1)",
                        "BatchFailed",
                        "TaskFailed(b:timeout)",
                        "TaskFailed(c:timeout)",
                        "SessionFinished(FAILED)");
        assertThat(events.await(SessionEvent.BatchFailed.class).message()).contains("exceeded its timeout");
        awaitCondition(() -> agent.interruptedCalls().contains("b"), "the hanging call was interrupted");
    }

    @Test
    void transientFailuresWaitForRetryAfterBeforeTheNextAttempt() {
        core(CoreSettings.DEFAULT.withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(2)));
        agent.then("a", ScriptedAgent.transientFailure("429 Too Many Requests", Duration.ofSeconds(5)));
        SessionId id = startOneGroup(1, "a");
        EventRecorder events = record(id);
        start(id);

        TaskRetryScheduled retry = events.await(TaskRetryScheduled.class);
        assertThat(retry.retryAt()).isEqualTo(retry.at().plusSeconds(5));
        core.dispatchDue();
        assertThat(agent.callsOf("a")).as("still waiting out Retry-After").isEqualTo(1);

        clock.advance(Duration.ofSeconds(5));
        core.dispatchDue();
        events.await(SessionFinished.class);
        assertThat(fullTrace(id))
                .containsExactly(
                        "SessionCreated",
                        "SessionStarted",
                        "TaskStarted(a#1)",
                        "TaskRetryScheduled(a)",
                        "TaskStarted(a#2)",
                        "TaskSucceeded(a)",
                        "SessionFinished(COMPLETED)");
    }

    @Test
    void transientFailuresStopAfterThreeAttempts() {
        core();
        agent.always("a", ScriptedAgent.transientFailure("503 overloaded", null));
        SessionId id = startOneGroup(1, "a");
        EventRecorder events = record(id);
        start(id);
        for (int attempt = 1; attempt <= 2; attempt++) {
            final int n = attempt;
            events.await(TaskRetryScheduled.class, e -> e.attempt() == n);
            clock.advance(Duration.ofSeconds(1));
            core.dispatchDue();
        }
        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.FAILED);
        assertThat(agent.callsOf("a")).isEqualTo(3);
    }

    @Test
    void retryingAFailedNodeAfterTheBatchRecordsTheNewOutcomeInTheSession() {
        core();
        agent.then("b", ScriptedAgent.permanent("first try failed"));
        SessionId id = startOneGroup(1, "a", "b");
        EventRecorder events = record(id);
        start(id);
        events.await(SessionFinished.class, e -> e.state() == SessionState.PARTIAL_FAILURE);

        var result = core.useCases()
                .runSingleNode()
                .run(new RunSingleNodeCommand(CANVAS, "b", Optional.of(AgentId.EXAMPLE_TEACHING), Optional.empty()));

        assertThat(result.recordedIn()).contains(id);
        assertThat(result.filePath()).isEqualTo("study/topics-notes/What is topic b (example-teaching).md");
        assertThat(vault.notes()).containsKey(result.filePath());
        events.await(SessionFinished.class, e -> e.state() == SessionState.COMPLETED);
        assertThat(fullTrace(id))
                .endsWith(
                        "SessionFinished(PARTIAL_FAILURE)",
                        "TaskRequeued(b)",
                        "TaskStarted(b#2)",
                        "TaskSucceeded(b)",
                        "SessionFinished(COMPLETED)");
        assertThat(core.useCases().status().status(id).failed()).isZero();
    }

    @Test
    void aSingleNodeRetryThatFailsAgainReportsTheAgentsReason() {
        core();
        agent.always("b", ScriptedAgent.permanent("still broken"));
        SessionId id = startOneGroup(1, "a", "b");
        EventRecorder events = record(id);
        start(id);
        events.await(SessionFinished.class);

        assertThatThrownBy(() -> core.useCases()
                        .runSingleNode()
                        .run(new RunSingleNodeCommand(CANVAS, "b", Optional.empty(), Optional.of(id))))
                .isInstanceOf(NodeRunFailedException.class)
                .hasMessage("still broken");
        assertThat(core.useCases().status().status(id).task("b").orElseThrow().attempts())
                .isEqualTo(2);
        assertThat(core.useCases().status().status(id).state()).isEqualTo(SessionState.PARTIAL_FAILURE);
    }

    @Test
    void aFailedNodeRequeuedWhileTheBatchRunsIsProcessedAgain() throws Exception {
        core();
        CountDownLatch gate = new CountDownLatch(1);
        agent.then("a", ScriptedAgent.permanent("flaky")).then("b", new WaitFor(gate));
        CountDownLatch bRunning = agent.calledTimes("b", 1);
        SessionId id = startOneGroup(1, "a", "b");
        EventRecorder events = record(id);
        start(id);
        assertThat(bRunning.await(10, TimeUnit.SECONDS)).isTrue();
        // b's call may start before a's failure is journaled (the slot is the agent call's): retry a once it failed
        events.await(SessionEvent.TaskFailed.class, e -> e.nodeId().equals("a"));

        core.useCases().retryNode().retry(id, "a");
        gate.countDown();
        events.await(SessionFinished.class);

        assertThat(oneCallAtATimeTrace(id))
                .containsExactly(
                        "SessionCreated",
                        "SessionStarted",
                        "TaskStarted(a#1)",
                        "TaskFailed(a:http_400)",
                        "TaskStarted(b#1)",
                        "TaskRequeued(a)",
                        "TaskSucceeded(b)",
                        "TaskStarted(a#2)",
                        "TaskSucceeded(a)",
                        "SessionFinished(COMPLETED)");
    }

    @Test
    void aSmallBatchStartedAfterAHugeOneGetsTheNextFreeSlot() throws Exception {
        core(CoreSettings.DEFAULT.withGlobalConcurrency(2));
        String[] big = new String[30];
        Semaphore bigPermits = new Semaphore(0);
        for (int i = 0; i < big.length; i++) {
            big[i] = "big" + i;
            agent.then(big[i], new WaitForPermit(bigPermits));
        }
        CountDownLatch big0Called = agent.calledTimes("big0", 1);
        CountDownLatch big1Called = agent.calledTimes("big1", 1);
        SessionId huge = startOneGroup(12, big);
        EventRecorder bothSessions = new EventRecorder();
        core.useCases().subscriptions().subscribe(huge, bothSessions::accept);
        start(huge);
        assertThat(big0Called.await(10, TimeUnit.SECONDS) && big1Called.await(10, TimeUnit.SECONDS))
                .isTrue();

        SessionId small = startOneGroup(12, "s1", "s2", "s3");
        core.useCases().subscriptions().subscribe(small, bothSessions::accept);
        start(small);
        assertThat(agent.calls()).as("the global limit is full").containsExactlyInAnyOrder("big0", "big1");
        assertThat(core.useCases().status().status(small).running()).isZero();

        bigPermits.release(); // one slot frees: it goes to the small batch, and so does every slot it frees itself
        bothSessions.await(SessionFinished.class, e -> e.sessionId().equals(small));
        bigPermits.release(big.length);
        bothSessions.await(SessionFinished.class, e -> e.sessionId().equals(huge));

        List<String> starts = bothSessions.events().stream()
                .filter(TaskStarted.class::isInstance)
                .map(e -> ((TaskStarted) e).nodeId())
                .toList();
        assertThat(starts.subList(0, 2)).containsExactlyInAnyOrder("big0", "big1");
        assertThat(starts.subList(2, 5))
                .as("dispatch order across both sessions: %s", starts)
                .containsExactly("s1", "s2", "s3");
        assertThat(core.useCases().status().status(huge).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(core.useCases().status().status(huge).progress().peakRunning())
                .isLessThanOrEqualTo(2);
    }

    @Test
    void aPendingSessionExpiresAfterThirtyMinutesAndAFinishedOneThirtyMinutesAfterItEnds() {
        core(CoreSettings.DEFAULT.withRetention(Duration.ofMinutes(30), Duration.ofMinutes(30)));
        SessionId neverConfirmed = startOneGroup(1, "p1");
        SessionId finished = startOneGroup(1, "f1");
        EventRecorder events = record(finished);
        start(finished);
        events.await(SessionFinished.class);

        clock.advance(Duration.ofMinutes(29));
        assertThat(core.sweepExpired()).isEmpty();
        assertThat(core.useCases().status().status(neverConfirmed).state()).isEqualTo(SessionState.PENDING);

        clock.advance(Duration.ofMinutes(1));
        assertThat(core.sweepExpired()).containsExactlyInAnyOrder(neverConfirmed, finished);
        assertThatThrownBy(() -> core.useCases().status().status(neverConfirmed))
                .isInstanceOf(org.canvasbatch.application.port.in.SessionNotFoundException.class);
        assertThatThrownBy(() -> core.useCases().status().status(finished))
                .isInstanceOf(org.canvasbatch.application.port.in.SessionNotFoundException.class);
        assertThat(log.sessionIds()).as("their events left the log too").isEmpty();
    }

    @Test
    void aRunningSessionIsNeverForgottenHoweverOld() throws Exception {
        core(CoreSettings.DEFAULT.withRetention(Duration.ofMinutes(30), Duration.ofMinutes(30)));
        CountDownLatch gate = new CountDownLatch(1);
        agent.then("slow", new WaitFor(gate));
        SessionId running = startOneGroup(1, "slow");
        EventRecorder events = record(running);
        start(running);
        clock.advance(Duration.ofHours(5));
        assertThat(core.sweepExpired()).isEmpty();
        gate.countDown();
        events.await(SessionFinished.class);
    }

    @Test
    void aStartTheJournalRefusesLeavesTheNodeQueuedAndTheBatchGoesOnWhenStorageRecovers() {
        java.util.concurrent.atomic.AtomicBoolean diskFull = new java.util.concurrent.atomic.AtomicBoolean();
        var refusing = new ForwardingEventLog(log) {
            @Override
            public void append(List<SessionEvent> events) {
                if (diskFull.get() && events.getFirst() instanceof TaskStarted) {
                    throw new org.canvasbatch.application.port.out.EventLogException("No space left on device");
                }
                super.append(events);
            }
        };
        core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        refusing,
                        agent,
                        vault,
                        executor,
                        clock,
                        () -> new SessionId("s" + sessionCounter.incrementAndGet()),
                        new SplittableRandom(7)),
                CoreSettings.DEFAULT);
        SessionId id = startOneGroup(1, "a", "b");
        EventRecorder events = record(id);
        diskFull.set(true);
        start(id);

        assertThat(core.useCases().status().status(id).task("a").orElseThrow().state())
                .isEqualTo(NodeState.QUEUED);
        assertThat(agent.calls()).isEmpty();
        diskFull.set(false);
        core.dispatchDue();
        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(oneCallAtATimeTrace(id))
                .containsExactly(
                        "SessionCreated",
                        "SessionStarted",
                        "TaskStarted(a#1)",
                        "TaskSucceeded(a)",
                        "TaskStarted(b#1)",
                        "TaskSucceeded(b)",
                        "SessionFinished(COMPLETED)");
    }

    @Test
    void aSingleNodeOfACanvasNoSessionHoldsRunsStandaloneAndItsFailureCarriesTheReason() {
        core();
        vault.withCanvas(new Canvas(CANVAS, nodes("x", "y"), List.of()));
        agent.then("y", ScriptedAgent.permanent("the model is down"));

        var result = core.useCases()
                .runSingleNode()
                .run(new RunSingleNodeCommand(CANVAS, "x", Optional.of(AgentId.MEMORY_ANCHOR), Optional.empty()));

        assertThat(result.recordedIn()).isEmpty();
        assertThat(result.filePath()).isEqualTo("study/topics-notes/What is topic x (memory-anchor).md");
        assertThat(vault.notes()).containsKey(result.filePath());
        assertThatThrownBy(() -> core.useCases()
                        .runSingleNode()
                        .run(new RunSingleNodeCommand(CANVAS, "y", Optional.empty(), Optional.empty())))
                .isInstanceOf(NodeRunFailedException.class)
                .hasMessage("the model is down");
        assertThatThrownBy(() -> core.useCases()
                        .runSingleNode()
                        .run(new RunSingleNodeCommand(CANVAS, "nope", Optional.empty(), Optional.empty())))
                .isInstanceOf(org.canvasbatch.application.port.in.InvalidCommandException.class)
                .hasMessageContaining("has no node 'nope'");
    }
}
