package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.domain.session.TrackedSession.PLANNED_AGENT;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionConflict.Kind;
import org.canvasbatch.domain.session.SessionEvent.BatchFailed;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskRequeued;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The batch timeout, a person's rerun after the end, and transient-failure retries (CONTRACT §4). */
class SessionTimeoutRerunAndRetryTest {

    @Nested
    class TimingOut {

        @Test
        void everyUnfinishedNodeFailsWithTimeoutAndTheBatchEndsFailed() {
            TrackedSession tracked = TrackedSession.runningWith("done", "busy", "waiting", "queued");
            tracked.run("done");
            tracked.startTask("busy");
            Instant busySince = tracked.now();
            tracked.startTask("waiting");
            tracked.failTransiently("waiting", tracked.now().plusSeconds(60));
            long seqBefore = tracked.session().lastSeq();

            List<SessionEvent> events = tracked.timeOut();
            Instant at = tracked.now();

            assertThat(events).hasSize(5);
            assertThat(events.getFirst()).isInstanceOfSatisfying(BatchFailed.class, failed -> {
                assertThat(failed.errorType()).isEqualTo("timeout");
                assertThat(failed.message()).contains("timeout", "600", "3 unfinished");
            });
            assertThat(events.subList(1, 4))
                    .allSatisfy(event -> assertThat(event).isInstanceOfSatisfying(TaskFailed.class, failed -> {
                        assertThat(failed.errorType()).isEqualTo("timeout");
                        assertThat(failed.retryable()).isFalse();
                        assertThat(failed.errorMessage()).containsIgnoringCase("timeout");
                    }));
            assertThat(events.subList(1, 4))
                    .extracting(e -> ((TaskFailed) e).nodeId())
                    .containsExactly("busy", "waiting", "queued");
            assertThat(((TaskFailed) events.get(1)).durationMillis())
                    .isEqualTo(java.time.Duration.between(busySince, at).toMillis());
            assertThat(((TaskFailed) events.get(3)).durationMillis()).isZero();
            assertThat(events.getLast())
                    .isEqualTo(new SessionFinished(tracked.session().id(), seqBefore + 5, at, SessionState.FAILED));
            assertThat(events)
                    .extracting(SessionEvent::seq)
                    .containsExactly(seqBefore + 1, seqBefore + 2, seqBefore + 3, seqBefore + 4, seqBefore + 5);
            assertThat(events).extracting(SessionEvent::at).containsOnly(at);

            SessionSnapshot snapshot = tracked.snapshot();
            assertThat(snapshot.state()).isEqualTo(SessionState.FAILED);
            assertThat(snapshot.batchError()).isEqualTo(((BatchFailed) events.getFirst()).message());
            assertThat(snapshot.succeeded()).isEqualTo(1);
            assertThat(snapshot.failed()).isEqualTo(3);
            assertThat(snapshot.running()).isZero();
            assertThat(tracked.task("waiting").retryAt()).isNull();
            assertThat(tracked.session().nextRetryAt()).isEmpty();
            assertThat(tracked.session().finishedAt()).contains(at);
        }

        @Test
        void aPausedBatchCanTimeOutToo() {
            TrackedSession tracked = TrackedSession.runningWith("a");
            tracked.pause();

            tracked.timeOut();

            assertThat(tracked.session().state()).isEqualTo(SessionState.FAILED);
            assertThat(tracked.stateOf("a")).isEqualTo(NodeState.FAILED);
            assertThat(tracked.task("a").errorType()).isEqualTo("timeout");
        }

        @Test
        void aResultArrivingAfterTheTimeoutIsStale() {
            TrackedSession tracked = TrackedSession.runningWith("a");
            tracked.startTask("a");
            tracked.timeOut();

            tracked.assertRejected(
                    Kind.STALE_RESULT, s -> s.recordSuccess("a", 1, "a.md", 1, 1, "x", "m", tracked.tick()));
        }

        @Test
        void onlyAStartedUnfinishedBatchCanTimeOut() {
            TrackedSession pending = TrackedSession.withNodes("a");
            pending.assertRejected(Kind.NOT_RUNNING, s -> s.timeOut(pending.tick()));

            TrackedSession finished = TrackedSession.runningWith("a");
            finished.run("a");
            finished.assertRejected(Kind.ALREADY_FINISHED, s -> s.timeOut(finished.tick()));

            TrackedSession cancelled = TrackedSession.runningWith("a");
            cancelled.cancel();
            cancelled.assertRejected(Kind.ALREADY_FINISHED, s -> s.timeOut(cancelled.tick()));
        }
    }

    @Nested
    class RerunningOneNode {

        @Test
        void aPartialFailureBecomesCompletedWhenItsFailedNodeSucceedsOnRerun() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.run("a");
            tracked.runAndFail("b");
            assertThat(tracked.session().state()).isEqualTo(SessionState.PARTIAL_FAILURE);

            List<SessionEvent> started = tracked.rerun("b", AgentId.COMPARISON_TABLE);

            assertThat(started).hasSize(2);
            assertThat(started.get(0))
                    .isInstanceOfSatisfying(
                            TaskRequeued.class, e -> assertThat(e.agent()).isEqualTo(AgentId.COMPARISON_TABLE));
            assertThat(started.get(1)).isInstanceOfSatisfying(TaskStarted.class, event -> {
                assertThat(event.agent()).isEqualTo(AgentId.COMPARISON_TABLE);
                assertThat(event.attempt()).isEqualTo(2);
            });
            assertThat(tracked.session().state()).isEqualTo(SessionState.PARTIAL_FAILURE);
            assertThat(tracked.snapshot().failed()).isZero();

            List<SessionEvent> finished = tracked.succeed("b");

            assertThat(finished).hasSize(2);
            assertThat(finished.get(0))
                    .isInstanceOfSatisfying(
                            TaskSucceeded.class, e -> assertThat(e.agent()).isEqualTo(AgentId.COMPARISON_TABLE));
            assertThat(finished.get(1))
                    .isInstanceOfSatisfying(
                            SessionFinished.class, e -> assertThat(e.state()).isEqualTo(SessionState.COMPLETED));
            assertThat(tracked.session().state()).isEqualTo(SessionState.COMPLETED);
            assertThat(tracked.session().finishedAt()).contains(tracked.now());
            assertThat(tracked.task("b").agent()).isEqualTo(AgentId.COMPARISON_TABLE);
            assertThat(tracked.snapshot().succeeded()).isEqualTo(2);
        }

        @Test
        void aRerunThatFailsAgainLeavesTheOutcomeAndEmitsNoNewFinish() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.run("a");
            tracked.runAndFail("b");

            tracked.rerun("b", null);
            List<SessionEvent> events = tracked.fail("b");

            assertThat(events).singleElement().isInstanceOf(TaskFailed.class);
            assertThat(tracked.session().state()).isEqualTo(SessionState.PARTIAL_FAILURE);
            assertThat(tracked.task("b").agent()).isEqualTo(PLANNED_AGENT);
            assertThat(tracked.task("b").attempts()).isEqualTo(2);
        }

        @Test
        void aCompletedBatchWhoseNodeFailsOnRerunIsFinishedAgainAsPartialFailure() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.run("a");
            tracked.run("b");

            tracked.rerun("a", AgentId.MEMORY_ANCHOR);
            List<SessionEvent> events = tracked.fail("a");

            assertThat(events).hasSize(2);
            assertThat(events.getLast())
                    .isInstanceOfSatisfying(
                            SessionFinished.class, e -> assertThat(e.state()).isEqualTo(SessionState.PARTIAL_FAILURE));
        }

        @Test
        void aFailedBatchBecomesCompletedWhenItsOnlyNodeSucceedsOnRerun() {
            TrackedSession tracked = TrackedSession.runningWith("a");
            tracked.runAndFail("a");
            assertThat(tracked.session().state()).isEqualTo(SessionState.FAILED);

            tracked.rerun("a", null);
            assertThat(tracked.succeed("a").getLast())
                    .isInstanceOfSatisfying(
                            SessionFinished.class, e -> assertThat(e.state()).isEqualTo(SessionState.COMPLETED));
        }

        @Test
        void aCancelledBatchStaysCancelledWhateverARerunYields() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.startTask("a");
            tracked.cancel();

            tracked.rerun("a", null);
            assertThat(tracked.task("a").attempts()).isEqualTo(2);
            List<SessionEvent> events = tracked.succeed("a");

            assertThat(events).singleElement().isInstanceOf(TaskSucceeded.class);
            assertThat(tracked.session().state()).isEqualTo(SessionState.CANCELLED);
            assertThat(tracked.stateOf("a")).isEqualTo(NodeState.SUCCEEDED);
            assertThat(tracked.snapshot().cancelled()).isEqualTo(1);
            assertThat(tracked.snapshot().succeeded()).isEqualTo(1);
        }

        @Test
        void whenTwoRerunsOverlapTheOutcomeIsAnnouncedOnceBothAreBack() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.runAndFail("a");
            tracked.runAndFail("b");

            tracked.rerun("a", null);
            tracked.rerun("b", null);
            assertThat(tracked.succeed("a")).singleElement().isInstanceOf(TaskSucceeded.class);
            List<SessionEvent> last = tracked.succeed("b");

            assertThat(last).hasSize(2);
            assertThat(last.getLast())
                    .isInstanceOfSatisfying(
                            SessionFinished.class, e -> assertThat(e.state()).isEqualTo(SessionState.COMPLETED));
        }

        @Test
        void aRerunOfAFailedNodeWhileTheBatchRunsIsAllowed() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.runAndFail("a");

            tracked.rerun("a", null);
            tracked.succeed("a");

            assertThat(tracked.session().state()).isEqualTo(SessionState.RUNNING);
            tracked.run("b");
            assertThat(tracked.session().state()).isEqualTo(SessionState.COMPLETED);
        }

        @Test
        void aPendingSessionARunningNodeOrOneInTheMiddleOfARunCannotBeRerun() {
            TrackedSession pending = TrackedSession.withNodes("a");
            pending.assertRejected(Kind.NOT_RUNNING, s -> s.rerun("a", null, pending.tick()));

            TrackedSession running = TrackedSession.runningWith("a", "b", "c", "d");
            running.startTask("a");
            running.startTask("b");
            running.failTransiently("b", running.now().plusSeconds(30));
            running.runAndFail("c");
            running.requestRerun("c", null);
            running.assertRejected(Kind.NODE_BUSY, s -> s.rerun("a", null, running.tick()));
            running.assertRejected(Kind.NODE_BUSY, s -> s.rerun("b", null, running.tick()));
            running.assertRejected(Kind.NODE_BUSY, s -> s.rerun("c", null, running.tick()));
            running.assertRejected(Kind.UNKNOWN_NODE, s -> s.rerun("zz", null, running.tick()));
            assertThat(running.session().isInARun(running.task("d"))).isFalse();
        }

        @Test
        void aRerunWaitsInTheQueueAheadOfTheBatchWithinTheSessionsOwnLimit() {
            TrackedSession tracked = TrackedSession.plan()
                    .maxConcurrent(1)
                    .group(1, Priority.URGENT)
                    .group(2, Priority.LOW)
                    .nodes(1, "u1", "u2")
                    .nodes(2, "low")
                    .create();
            tracked.start();
            tracked.runAndFail("u1");
            tracked.startTask("u2");

            List<SessionEvent> events = tracked.requestRerun("low", AgentId.MEMORY_ANCHOR);

            assertThat(events).singleElement().isInstanceOf(TaskRequeued.class);
            assertThat(tracked.stateOf("low")).isEqualTo(NodeState.QUEUED);
            assertThat(tracked.task("low").rerun()).isTrue();
            assertThat(tracked.session().freeCapacity())
                    .as("u2 holds the one slot")
                    .isZero();
            tracked.succeed("u2");
            assertThat(tracked.session().dispatchable(10, tracked.now()))
                    .as("a person's rerun before the batch's urgent group")
                    .containsExactly("low");
        }

        @Test
        void aQueuedNodeOfTheBatchThatNeverRanMayBeBroughtForwardWithAnotherAgent() {
            TrackedSession tracked = TrackedSession.plan()
                    .maxConcurrent(1)
                    .nodes(1, "a", "b", "c")
                    .create();
            tracked.start();
            tracked.startTask("a");

            tracked.requestRerun("c", AgentId.EXAMPLE_TEACHING);
            tracked.succeed("a");

            assertThat(tracked.session().dispatchable(10, tracked.now())).containsExactly("c", "b");
            assertThat(tracked.startTask("c")).singleElement().isInstanceOfSatisfying(TaskStarted.class, e -> {
                assertThat(e.agent()).isEqualTo(AgentId.EXAMPLE_TEACHING);
                assertThat(e.attempt()).isEqualTo(1);
            });
        }

        @Test
        void whileTheBatchIsPausedOnlyAPersonsRerunsAreDispatched() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b", "c");
            tracked.runAndFail("a");
            tracked.pause();

            tracked.requestRerun("a", null);

            assertThat(tracked.session().mayDispatch()).isTrue();
            assertThat(tracked.session().dispatchable(10, tracked.now())).containsExactly("a");
            tracked.startTask("a");
            assertThat(tracked.session().dispatchable(10, tracked.now())).isEmpty();
            assertThat(tracked.session().mayDispatch()).isFalse();
            tracked.succeed("a");
            assertThat(tracked.session().state()).isEqualTo(SessionState.PAUSED);
        }

        @Test
        void afterTheEndARerunIsDispatchedAndTheSessionIsLeftAloneByRetentionUntilItIsBack() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.run("a");
            tracked.runAndFail("b");
            assertThat(tracked.session().mayDispatch()).isFalse();
            assertThat(tracked.session().hasWorkLeft()).isFalse();

            tracked.requestRerun("b", null);

            assertThat(tracked.session().mayDispatch()).isTrue();
            assertThat(tracked.session().hasWorkLeft()).isTrue();
            assertThat(tracked.session().freeCapacity())
                    .isEqualTo(tracked.session().settings().maxConcurrent());
            assertThat(tracked.session().dispatchable(10, tracked.now())).containsExactly("b");
            tracked.startTask("b");
            assertThat(tracked.session().hasWorkLeft()).isTrue();
            assertThat(tracked.succeed("b").getLast()).isInstanceOf(SessionFinished.class);
            assertThat(tracked.session().hasWorkLeft()).isFalse();
        }

        @Test
        void aTransientFailureDuringARerunAfterTheEndIsRetriedLikeABatchNode() {
            TrackedSession tracked = TrackedSession.runningWith("a");
            tracked.runAndFail("a");
            tracked.rerun("a", null);

            List<SessionEvent> events =
                    tracked.failTransiently("a", tracked.now().plusSeconds(5));

            assertThat(events).singleElement().isInstanceOf(TaskRetryScheduled.class);
            assertThat(tracked.stateOf("a")).isEqualTo(NodeState.QUEUED);
            assertThat(tracked.session().state()).isEqualTo(SessionState.FAILED);
            assertThat(tracked.session().dispatchable(10, tracked.now()))
                    .as("not before its time")
                    .isEmpty();
            assertThat(tracked.session().dispatchable(10, tracked.now().plusSeconds(5)))
                    .containsExactly("a");
        }

        @Test
        void aRerunGetsTheWholeAttemptBudgetAgainEvenAfterTheBatchUsedItUp() {
            TrackedSession tracked =
                    TrackedSession.plan().nodes(1, "a").maxAttempts(3).create();
            tracked.start();
            for (int attempt = 1; attempt <= 3; attempt++) {
                tracked.startTask("a");
                tracked.failTransiently("a", tracked.now());
            }
            assertThat(tracked.stateOf("a")).isEqualTo(NodeState.FAILED);
            assertThat(tracked.task("a").attempts()).isEqualTo(3);

            tracked.requestRerun("a", null);
            for (int attempt = 4; attempt <= 5; attempt++) {
                tracked.startTask("a");
                assertThat(tracked.failTransiently("a", tracked.now()))
                        .as("attempt %d of the rerun's 3", attempt - 3)
                        .singleElement()
                        .isInstanceOf(TaskRetryScheduled.class);
            }
            tracked.startTask("a");
            List<SessionEvent> last = tracked.failTransiently("a", tracked.now());

            assertThat(last.getFirst())
                    .isInstanceOfSatisfying(
                            TaskFailed.class, e -> assertThat(e.attempt()).isEqualTo(6));
            assertThat(tracked.task("a").attemptsThisRun()).isEqualTo(3);
        }

        @Test
        void aSocketRetryWhileTheBatchRunsAlsoGetsTheWholeAttemptBudget() {
            TrackedSession tracked =
                    TrackedSession.plan().nodes(1, "a", "b").maxAttempts(2).create();
            tracked.start();
            tracked.startTask("b");
            for (int attempt = 1; attempt <= 2; attempt++) {
                tracked.startTask("a");
                tracked.failTransiently("a", tracked.now());
            }
            assertThat(tracked.stateOf("a")).isEqualTo(NodeState.FAILED);

            tracked.requeue("a");
            tracked.startTask("a");

            assertThat(tracked.failTransiently("a", tracked.now()))
                    .singleElement()
                    .isInstanceOf(TaskRetryScheduled.class);
        }

        @Test
        void aRerunRunningInAFinishedSessionWhenTheProcessStoppedGoesBackToTheQueue() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.run("a");
            tracked.runAndFail("b");
            tracked.rerun("b", null);
            Session recovered = tracked.folded();

            List<SessionEvent> events = recovered.requeueInterrupted(tracked.tick());

            assertThat(events)
                    .singleElement()
                    .isInstanceOfSatisfying(
                            TaskRetryScheduled.class,
                            e -> assertThat(e.errorType()).isEqualTo("interrupted"));
            assertThat(recovered.runningCount()).isZero();
            assertThat(recovered.task("b").rerun()).isTrue();
            assertThat(recovered.dispatchable(10, tracked.now())).containsExactly("b");
            assertThat(recovered.state()).isEqualTo(SessionState.PARTIAL_FAILURE);
        }

        /**
         * A {@code run} stopped with Ctrl-C pauses its batch, then its process ends with calls under way: three stops
         * before the first slow answers came failed those nodes as "Interrupted by a server restart" (no server
         * restarted). Nothing runs a paused batch's nodes before a person resumes it, so those attempts do not count.
         */
        @Test
        void aBatchNodeInterruptedWhileItsBatchIsPausedKeepsItsAttemptsHoweverOftenItIsStopped() {
            TrackedSession tracked =
                    TrackedSession.plan().nodes(1, "a").maxAttempts(2).create();
            tracked.start();
            for (int stop = 1; stop <= 3; stop++) {
                tracked.startTask("a");
                tracked.pause();
                tracked.restart();
                tracked.resume();
            }

            assertThat(tracked.stateOf("a")).isEqualTo(NodeState.QUEUED);
            assertThat(tracked.task("a").attemptsThisRun()).isZero();
            assertThat(tracked.folded().task("a").attemptsThisRun())
                    .as("the same when read back from the journal")
                    .isZero();
            assertThat(tracked.task("a").errorMessage()).doesNotContain("server restart");
        }

        /** A person's rerun runs while its batch is paused: a node that brings the process down must not loop. */
        @Test
        void aPersonsRerunInterruptedWhileItsBatchIsPausedCountsTheAttempt() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.runAndFail("a");
            tracked.pause();
            tracked.rerun("a", null);

            tracked.restart();

            assertThat(tracked.task("a").attemptsThisRun()).isEqualTo(1);
            assertThat(tracked.folded().task("a").attemptsThisRun()).isEqualTo(1);
        }

        @Test
        void aRerunStillWaitingKeepsTheNewOutcomeFromBeingAnnounced() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.runAndFail("a");
            tracked.runAndFail("b");

            tracked.rerun("a", null);
            tracked.requestRerun("b", null);

            assertThat(tracked.succeed("a")).singleElement().isInstanceOf(TaskSucceeded.class);
            tracked.startTask("b");
            assertThat(tracked.succeed("b").getLast())
                    .isInstanceOfSatisfying(
                            SessionFinished.class, e -> assertThat(e.state()).isEqualTo(SessionState.COMPLETED));
        }
    }

    @Nested
    class Retrying {

        @Test
        void aTransientFailureWithAttemptsLeftWaitsInTheQueueUntilItsRetryTime() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.startTask("a");
            Instant retryAt = tracked.now().plusSeconds(30);

            List<SessionEvent> events = tracked.failTransiently("a", retryAt);

            assertThat(events)
                    .singleElement()
                    .isEqualTo(new TaskRetryScheduled(
                            tracked.session().id(), 4, tracked.now(), "a", 1, 1, "HTTP 503", "http_503", retryAt));
            NodeTask waiting = tracked.task("a");
            assertThat(waiting.state()).isEqualTo(NodeState.QUEUED);
            assertThat(waiting.retryAt()).isEqualTo(retryAt);
            assertThat(waiting.attempts()).isEqualTo(1);
            assertThat(waiting.errorMessage()).isEqualTo("HTTP 503");
            assertThat(tracked.session().runningCount()).isZero();
            assertThat(tracked.snapshot().failed()).isZero();
            assertThat(tracked.session().state()).isEqualTo(SessionState.RUNNING);
            assertThat(tracked.session().nextRetryAt()).contains(retryAt);

            Instant justBefore = retryAt.minusMillis(1);
            assertThat(waiting.isDueAt(justBefore)).isFalse();
            assertThat(tracked.session().dispatchable(10, justBefore)).containsExactly("b");
            tracked.assertRejected(Kind.NODE_BUSY, s -> s.startTask("a", justBefore));

            assertThat(waiting.isDueAt(retryAt)).isTrue();
            assertThat(tracked.session().dispatchable(10, retryAt)).containsExactly("a", "b");
            tracked.advanceTo(retryAt.minusSeconds(1));
            assertThat(tracked.startTask("a"))
                    .singleElement()
                    .isInstanceOfSatisfying(
                            TaskStarted.class, e -> assertThat(e.attempt()).isEqualTo(2));
            assertThat(tracked.task("a").retryAt()).isNull();
        }

        @Test
        void afterTheLastAttemptATransientFailureFailsTheNode() {
            TrackedSession tracked =
                    TrackedSession.plan().nodes(1, "a").maxAttempts(3).create();
            tracked.start();
            for (int attempt = 1; attempt <= 2; attempt++) {
                tracked.startTask("a");
                Instant retryAt = tracked.now().plusSeconds(attempt);
                assertThat(tracked.failTransiently("a", retryAt))
                        .singleElement()
                        .isInstanceOf(TaskRetryScheduled.class);
                tracked.advanceTo(retryAt);
            }
            tracked.startTask("a");

            List<SessionEvent> events =
                    tracked.failTransiently("a", tracked.now().plusSeconds(10));

            assertThat(events).hasSize(2);
            assertThat(events.getFirst()).isInstanceOfSatisfying(TaskFailed.class, failed -> {
                assertThat(failed.attempt()).isEqualTo(3);
                assertThat(failed.retryable()).isTrue();
                assertThat(failed.errorType()).isEqualTo("http_503");
            });
            assertThat(events.getLast())
                    .isInstanceOfSatisfying(
                            SessionFinished.class, e -> assertThat(e.state()).isEqualTo(SessionState.FAILED));
            assertThat(tracked.task("a").attempts()).isEqualTo(3);
            assertThat(tracked.task("a").retryable()).isTrue();
        }

        @Test
        void aNonRetryableFailureFailsTheNodeAtTheFirstAttempt() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.startTask("a");

            List<SessionEvent> events = tracked.record(tracked.session()
                    .recordFailure(
                            "a",
                            1,
                            "bad request",
                            "http_400",
                            false,
                            10,
                            Optional.of(tracked.now().plusSeconds(5)),
                            tracked.tick()));

            assertThat(events).singleElement().isInstanceOf(TaskFailed.class);
            assertThat(tracked.stateOf("a")).isEqualTo(NodeState.FAILED);
            assertThat(tracked.task("a").retryable()).isFalse();
        }

        @Test
        void aRetryableFailureWithoutARetryTimeFailsTheNode() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.startTask("a");

            List<SessionEvent> events = tracked.record(tracked.session()
                    .recordFailure("a", 1, "HTTP 503", "http_503", true, 10, Optional.empty(), tracked.tick()));

            assertThat(events).singleElement().isInstanceOf(TaskFailed.class);
        }

        @Test
        void aSingleAttemptSettingNeverRetries() {
            TrackedSession tracked =
                    TrackedSession.plan().nodes(1, "a", "b").maxAttempts(1).create();
            tracked.start();
            tracked.startTask("a");

            assertThat(tracked.failTransiently("a", tracked.now().plusSeconds(5)))
                    .singleElement()
                    .isInstanceOf(TaskFailed.class);
        }

        @Test
        void aPausedBatchStillSchedulesTheRetryAndDoesNotFinish() {
            TrackedSession tracked = TrackedSession.runningWith("a");
            tracked.startTask("a");
            tracked.pause();

            assertThat(tracked.failTransiently("a", tracked.now().plusSeconds(5)))
                    .singleElement()
                    .isInstanceOf(TaskRetryScheduled.class);
            assertThat(tracked.session().state()).isEqualTo(SessionState.PAUSED);
            assertThat(tracked.session().dispatchable(10, tracked.now().plusSeconds(60)))
                    .isEmpty();

            tracked.resume();
            assertThat(tracked.session().dispatchable(10, tracked.now().plusSeconds(60)))
                    .containsExactly("a");
        }

        @Test
        void aResultForAnAttemptThatIsWaitingForItsRetryIsStale() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.startTask("a");
            tracked.failTransiently("a", tracked.now().plusSeconds(30));

            tracked.assertRejected(
                    Kind.STALE_RESULT, s -> s.recordSuccess("a", 1, "a.md", 1, 1, "dup", "m", tracked.tick()));
        }

        @Test
        void theEarliestPendingRetryIsReportedForTheDispatcherToWakeUp() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b", "c");
            tracked.startTask("a");
            tracked.startTask("b");
            Instant later = tracked.now().plusSeconds(40);
            Instant sooner = tracked.now().plusSeconds(20);

            assertThat(tracked.session().nextRetryAt()).isEmpty();
            tracked.failTransiently("a", later);
            tracked.failTransiently("b", sooner);

            assertThat(tracked.session().nextRetryAt()).contains(sooner);
        }
    }
}
