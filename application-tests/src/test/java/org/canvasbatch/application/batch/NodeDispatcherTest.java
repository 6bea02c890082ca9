package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.application.batch.CoreOnAManualExecutor.permanentFailure;
import static org.canvasbatch.application.batch.CoreOnAManualExecutor.transientFailure;

import java.time.Duration;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.junit.jupiter.api.Test;

/** What starts when, under which limits, and what becomes of an attempt: the dispatcher and the execution it owns. */
class NodeDispatcherTest {

    @Test
    void aSessionNeverHasMoreCallsAtOnceThanItsLimitAndTheNextNodeStartsWhenOnesAgentAnswers() {
        CoreOnAManualExecutor core = new CoreOnAManualExecutor();
        SessionId id = core.analyze(2, "a", "b", "c");

        core.start(id);

        assertThat(core.executor.waiting()).containsExactly("s1/a", "s1/b");
        core.executor.runNext();
        assertThat(core.executor.waiting()).containsExactly("s1/b", "s1/c");
        core.executor.runAll();
        // the slot is the agent call's: c starts as soon as a's agent answered, before a's note and outcome
        assertThat(core.trace(id))
                .containsExactly(
                        "SessionCreated",
                        "SessionStarted",
                        "TaskStarted(a#1)",
                        "TaskStarted(b#1)",
                        "TaskStarted(c#1)",
                        "TaskSucceeded(a)",
                        "TaskSucceeded(b)",
                        "TaskSucceeded(c)",
                        "SessionFinished(COMPLETED)");
    }

    @Test
    void theStartsOfOneRoundGoToTheJournalInOneAppend() {
        CoreOnAManualExecutor core = new CoreOnAManualExecutor();
        SessionId id = core.analyze(3, "a", "b", "c", "d");

        core.start(id);

        assertThat(core.executor.waiting()).containsExactly("s1/a", "s1/b", "s1/c");
        assertThat(core.appends)
                .as("one journal sync for the three starts, not one each")
                .last()
                .satisfies(append -> assertThat(EventRecorder.describe(append))
                        .containsExactly("TaskStarted(a#1)", "TaskStarted(b#1)", "TaskStarted(c#1)"));
    }

    @Test
    void theServersLimitIsSharedAndAFreeSlotGoesToTheSessionWithFewestCallsInFlight() {
        CoreOnAManualExecutor core = new CoreOnAManualExecutor(CoreSettings.DEFAULT.withGlobalConcurrency(2));
        SessionId big = core.analyze(2, "a", "b", "c", "d");
        SessionId small = core.analyze(2, "x");
        core.start(big);
        core.start(small);
        assertThat(core.executor.waiting()).as("the server's two slots").containsExactly("s1/a", "s1/b");

        core.executor.runNext();

        assertThat(core.executor.waiting())
                .as("the small batch started after the big one gets the next free slot")
                .containsExactly("s1/b", "s2/x");
    }

    @Test
    void aTransientFailureWaitsOutItsBackoffWithoutASlotAndRunsAgainWhenTheClockGetsThere() {
        CoreOnAManualExecutor core = new CoreOnAManualExecutor().then("a", transientFailure("overloaded"));
        SessionId id = core.analyze(1, "a", "b");
        EventRecorder events = core.record(id);
        core.start(id);

        core.executor.runNext();
        TaskRetryScheduled retry = events.await(TaskRetryScheduled.class);
        assertThat(core.executor.waiting()).as("b took the slot a gave back").containsExactly("s1/b");
        core.executor.runNext();
        assertThat(core.executor.waiting()).as("a is not due yet").isEmpty();

        core.executor.advance(Duration.between(core.clock.now(), retry.retryAt()));

        assertThat(core.executor.waiting()).containsExactly("s1/a");
        core.executor.runAll();
        assertThat(core.trace(id))
                .containsSubsequence(
                        "TaskRetryScheduled(a)", "TaskSucceeded(b)", "TaskStarted(a#2)", "TaskSucceeded(a)")
                .endsWith("SessionFinished(COMPLETED)");
    }

    @Test
    void aNodeThatKeepsFailingTransientlyFailsForGoodAfterItsThirdAttempt() {
        CoreOnAManualExecutor core = new CoreOnAManualExecutor();
        for (int i = 0; i < 3; i++) {
            core.then("a", transientFailure("overloaded"));
        }
        SessionId id = core.analyze(1, "a");
        core.start(id);

        for (int attempt = 0; attempt < 3; attempt++) {
            core.executor.runAll();
            core.waitOutBackoff();
        }

        assertThat(core.calls).containsExactly("a", "a", "a");
        NodeTask a = core.useCases.status().status(id).task("a").orElseThrow();
        assertThat(a.attempts()).isEqualTo(3);
        assertThat(a.errorType()).isEqualTo("http_503");
        assertThat(core.trace(id)).endsWith("TaskFailed(a:http_503)", "SessionFinished(FAILED)");
    }

    @Test
    void aCallLongerThanTheNodeTimeoutIsStoppedAndTriedAgainAsATimeout() {
        CoreOnAManualExecutor core = new CoreOnAManualExecutor();
        Duration nodeTimeout = core.settings.sessionDefaults().nodeTimeout();
        core.then("a", request -> {
            core.executor.advance(nodeTimeout.plusSeconds(1)); // the model takes its time
            if (Thread.interrupted()) {
                throw new InterruptedException("stopped");
            }
            return new AgentAnswer("# too late", "scripted");
        });
        SessionId id = core.analyze(1, "a");
        EventRecorder events = core.record(id);
        core.start(id);

        core.executor.runNext();

        TaskRetryScheduled retry = events.await(TaskRetryScheduled.class);
        assertThat(retry.errorType()).isEqualTo("timeout");
        assertThat(retry.errorMessage()).isEqualTo("The agent did not answer within 120 s");
        core.waitOutBackoff();
        core.executor.runAll();
        assertThat(core.trace(id)).endsWith("TaskSucceeded(a)", "SessionFinished(COMPLETED)");
        assertThat(core.vault.notes()).hasSize(1);
    }

    @Test
    void aPermanentFailureFailsTheNodeAtOnceAndTheOthersGoOn() {
        CoreOnAManualExecutor core =
                new CoreOnAManualExecutor().then("a", permanentFailure("The model refused: content policy"));
        SessionId id = core.analyze(1, "a", "b");
        core.start(id);

        core.executor.runAll();

        assertThat(core.calls).containsExactly("a", "b");
        assertThat(core.trace(id)).contains("TaskFailed(a:http_400)").endsWith("SessionFinished(PARTIAL_FAILURE)");
        assertThat(core.useCases.status().status(id).task("a").orElseThrow().errorMessage())
                .isEqualTo("The model refused: content policy");
    }

    @Test
    void aNoteTheVaultCannotWriteFailsItsNodeWithTheVaultsReasonAndIsNotTriedAgain() {
        CoreOnAManualExecutor core = new CoreOnAManualExecutor();
        core.unwritableNotes.add("a");
        SessionId id = core.analyze(1, "a");
        EventRecorder events = core.record(id);
        core.start(id);

        core.executor.runAll();

        TaskFailed failed = events.await(TaskFailed.class);
        assertThat(failed.errorType()).isEqualTo("vault_io");
        assertThat(failed.retryable()).isFalse();
        assertThat(core.calls).containsExactly("a");
    }

    @Test
    void aTaskCancelledBeforeItRanStillGivesItsSlotBack() {
        CoreOnAManualExecutor core = new CoreOnAManualExecutor();
        SessionId first = core.analyze(1, "a");
        SessionId second = core.analyze(1, "x");
        core.start(first);
        core.start(second);
        assertThat(core.executor.waiting()).containsExactly("s1/a", "s2/x");

        core.useCases.cancel().cancel(first, "changed my mind");
        core.executor.runAll();

        assertThat(core.calls).as("the cancelled task never called its agent").containsExactly("x");
        assertThat(core.core.tasksInFlight()).isZero();
    }

    @Test
    void aFaultEscapingOneRoundsStartsStillStartsWhatOtherThreadsAskedForMeanwhile() throws Exception {
        CoreOnAManualExecutor core = new CoreOnAManualExecutor();
        SessionId first = core.analyze(1, "a");
        SessionId second = core.analyze(1, "x");
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicReference<Throwable> secondStart =
                new java.util.concurrent.atomic.AtomicReference<>();
        core.beforeAppend = events -> {
            if (events.getFirst().sessionId().equals(first)
                    && events.getFirst() instanceof org.canvasbatch.domain.session.SessionEvent.TaskStarted
                    && broken.getAndSet(false)) {
                // while this thread starts the first batch's node, the learner starts the second batch: its pump
                // finds this one pumping and leaves it a wish; then the port fails with no journal exception
                Thread starter = new Thread(() -> {
                    try {
                        core.start(second);
                    } catch (Throwable t) {
                        secondStart.set(t);
                    }
                });
                starter.start();
                try {
                    starter.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                throw new IllegalStateException("the port broke");
            }
        };

        Throwable firstStart = org.assertj.core.api.Assertions.catchThrowable(() -> core.start(first));
        core.executor.runAll();

        assertThat(secondStart.get()).isNull();
        assertThat(core.trace(second))
                .as("the second batch does not hang as running: its node was started after all")
                .endsWith("TaskSucceeded(x)", "SessionFinished(COMPLETED)");
        assertThat(core.trace(first))
                .as("the node whose start failed stays queued and starts on the next look")
                .endsWith("TaskSucceeded(a)", "SessionFinished(COMPLETED)");
        assertThat(firstStart)
                .as("the batch was started; the learner is not told otherwise")
                .isNull();
    }
}
