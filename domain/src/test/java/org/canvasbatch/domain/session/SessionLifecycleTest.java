package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.canvasbatch.domain.session.TrackedSession.PLANNED_AGENT;
import static org.canvasbatch.domain.session.TrackedSession.T0;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionConflict.Kind;
import org.canvasbatch.domain.session.SessionEvent.GroupPriorityChanged;
import org.canvasbatch.domain.session.SessionEvent.SessionCancelled;
import org.canvasbatch.domain.session.SessionEvent.SessionCreated;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.SessionPaused;
import org.canvasbatch.domain.session.SessionEvent.SessionResumed;
import org.canvasbatch.domain.session.SessionEvent.SessionStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskRequeued;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The transitions of CONTRACT §4, one command at a time: what each allows, what it refuses, what it emits. */
class SessionLifecycleTest {

    @Nested
    class Creating {

        @Test
        void aNewSessionIsPendingWithEveryNodeQueuedAndItsFirstEventNumberedOne() {
            var groups = TrackedSession.plan().nodes(1, "a", "b").nodes(2, "c").groups();
            var tasks = List.of(
                    new PlannedTask("a", 1, "什么是逆否命题", AgentId.ORAL_EXPLANATION),
                    new PlannedTask("b", 1, "命题", AgentId.COMPARISON_TABLE),
                    new PlannedTask("c", 2, null, AgentId.MEMORY_ANCHOR));

            var creation = Session.create(
                    new SessionId("s-1"), "数学/离散数学.canvas", groups, tasks, SessionSettings.DEFAULT, 0.41, 2, T0);

            Session session = creation.session();
            SessionCreated created = creation.event();
            assertThat(created.seq()).isEqualTo(1);
            assertThat(created.at()).isEqualTo(T0);
            assertThat(created.sessionId()).isEqualTo(new SessionId("s-1"));
            assertThat(created.tasks()).isEqualTo(tasks);
            assertThat(session.state()).isEqualTo(SessionState.PENDING);
            assertThat(session.lastSeq()).isEqualTo(1);
            assertThat(session.createdAt()).isEqualTo(T0);
            assertThat(session.startedAt()).isEmpty();
            assertThat(session.finishedAt()).isEmpty();
            assertThat(session.canvasPath()).isEqualTo("数学/离散数学.canvas");
            assertThat(session.tasks()).extracting(NodeTask::nodeId).containsExactly("a", "b", "c");
            assertThat(session.tasks()).allSatisfy(task -> {
                assertThat(task.state()).isEqualTo(NodeState.QUEUED);
                assertThat(task.attempts()).isZero();
            });
            assertThat(session.task("b").agent()).isEqualTo(AgentId.COMPARISON_TABLE);
            assertThat(session.task("c").text()).isEmpty();
            assertThat(session.groups()).extracting(Group::id).containsExactly(1, 2);
            assertThat(session.runningCount()).isZero();
        }

        @Test
        void aSessionNeedsNodesWithUniqueIdsInKnownGroups() {
            var groups = TrackedSession.plan().nodes(1, "a").groups();
            var id = new SessionId("s-1");
            var settings = SessionSettings.DEFAULT;

            assertThatThrownBy(() -> Session.create(id, "x.canvas", groups, List.of(), settings, 0, 1, T0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Session.create(
                            id,
                            "x.canvas",
                            groups,
                            List.of(new PlannedTask("a", 7, "q", PLANNED_AGENT)),
                            settings,
                            0,
                            1,
                            T0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("7");
            assertThatThrownBy(() -> Session.create(
                            id,
                            "x.canvas",
                            groups,
                            List.of(
                                    new PlannedTask("a", 1, "q", PLANNED_AGENT),
                                    new PlannedTask("a", 1, "q", PLANNED_AGENT)),
                            settings,
                            0,
                            1,
                            T0))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void nothingCanBeDispatchedBeforeTheSessionIsStarted() {
            TrackedSession tracked = TrackedSession.withNodes("a", "b");

            assertThat(tracked.session().dispatchable(10, tracked.now())).isEmpty();
            assertThat(tracked.session().freeCapacity()).isZero();
            tracked.assertRejected(Kind.NOT_RUNNING, s -> s.startTask("a", tracked.tick()));
        }
    }

    @Nested
    class Starting {

        @Test
        void startingAPendingSessionMakesItRunning() {
            TrackedSession tracked = TrackedSession.withNodes("a", "b");

            List<SessionEvent> events = tracked.start();

            assertThat(events).singleElement().isInstanceOfSatisfying(SessionStarted.class, started -> {
                assertThat(started.seq()).isEqualTo(2);
                assertThat(started.at()).isEqualTo(tracked.now());
                assertThat(started.settings()).isEqualTo(SessionSettings.DEFAULT);
            });
            assertThat(tracked.session().state()).isEqualTo(SessionState.RUNNING);
            assertThat(tracked.session().startedAt()).contains(tracked.now());
            assertThat(tracked.session().dispatchable(10, tracked.now())).containsExactly("a", "b");
        }

        @Test
        void settingsGivenAtConfirmationReplaceThoseOfTheAnalysis() {
            TrackedSession tracked = TrackedSession.withNodes("a");
            SessionSettings confirmed =
                    SessionSettings.DEFAULT.withMaxConcurrent(3).withBatchTimeout(Duration.ofSeconds(60));

            List<SessionEvent> events = tracked.record(tracked.session().start(confirmed, tracked.tick()));

            assertThat(((SessionStarted) events.getFirst()).settings()).isEqualTo(confirmed);
            assertThat(tracked.session().settings()).isEqualTo(confirmed);
            assertThat(tracked.session().freeCapacity()).isEqualTo(3);
        }

        @Test
        void startingTwiceIsRefusedAsAlreadyStartedWhileRunningOrPaused() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");

            tracked.assertRejected(Kind.ALREADY_STARTED, s -> s.start(null, tracked.tick()));
            tracked.pause();
            tracked.assertRejected(Kind.ALREADY_STARTED, s -> s.start(null, tracked.tick()));
        }

        @Test
        void startingAFinishedSessionIsRefusedAndNamesItsState() {
            TrackedSession completed = TrackedSession.runningWith("a");
            completed.run("a");
            TrackedSession cancelled = TrackedSession.withNodes("a");
            cancelled.cancel();

            assertThat(completed.assertRejected(Kind.ALREADY_STARTED, s -> s.start(null, completed.tick())))
                    .hasMessageContaining("completed");
            assertThat(cancelled.assertRejected(Kind.CANCELLED_BEFORE_START, s -> s.start(null, cancelled.tick())))
                    .as("cancelled while it waited: not \"already started\", which the plugin would show")
                    .hasMessageContaining("was cancelled before it started")
                    .hasMessageContaining("analyse the canvas again");
        }
    }

    @Nested
    class StartingATask {

        @Test
        void aNodeWhoseAgentAnsweredFreesItsSlotWhileItStillRunsAndIsNotCountedInThePeak() {
            TrackedSession tracked =
                    TrackedSession.plan().maxConcurrent(1).nodes(1, "a", "b").create();
            tracked.start();
            tracked.startTask("a");
            Session session = tracked.session();
            assertThat(session.freeCapacity())
                    .as("a's agent call holds the only slot")
                    .isZero();
            assertThat(session.freeCapacity(1))
                    .as("a's agent answered: a only writes its note")
                    .isEqualTo(1);

            List<SessionEvent> events = tracked.record(session.startTask("b", tracked.tick(), 1));

            assertThat(((TaskStarted) events.getFirst()).callsInFlight()).isEqualTo(1);
            assertThat(session.runningCount())
                    .as("a is still running until its outcome")
                    .isEqualTo(2);
            assertThat(session.snapshot().progress().peakRunning())
                    .as("the peak is of agent calls, as the session's limit")
                    .isEqualTo(1);
            assertThat(Session.fromHistory(tracked.history())
                            .snapshot()
                            .progress()
                            .peakRunning())
                    .as("the same after a restart")
                    .isEqualTo(1);
        }

        @Test
        void aQueuedNodeOfARunningSessionStartsWithAttemptOne() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");

            List<SessionEvent> events = tracked.startTask("b");

            assertThat(events)
                    .singleElement()
                    .isEqualTo(new TaskStarted(tracked.session().id(), 3, tracked.now(), "b", 1, PLANNED_AGENT, 1, 1));
            NodeTask task = tracked.task("b");
            assertThat(task.state()).isEqualTo(NodeState.RUNNING);
            assertThat(task.attempts()).isEqualTo(1);
            assertThat(task.startedAt()).isEqualTo(tracked.now());
            assertThat(tracked.session().runningCount()).isEqualTo(1);
            assertThat(tracked.session().dispatchable(10, tracked.now())).containsExactly("a");
        }

        @Test
        void onlyARunningSessionStartsTasks() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.pause();
            tracked.assertRejected(Kind.NOT_RUNNING, s -> s.startTask("a", tracked.tick()));

            tracked.cancel();
            tracked.assertRejected(Kind.NOT_RUNNING, s -> s.startTask("a", tracked.tick()));
        }

        @Test
        void aNodeThatIsRunningOrFinishedCannotBeStartedByTheDispatcher() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b", "c", "d");
            tracked.startTask("a");
            tracked.run("b");
            tracked.runAndFail("c");

            tracked.assertRejected(Kind.NODE_BUSY, s -> s.startTask("a", tracked.tick()));
            tracked.assertRejected(Kind.NODE_BUSY, s -> s.startTask("b", tracked.tick()));
            tracked.assertRejected(Kind.NODE_BUSY, s -> s.startTask("c", tracked.tick()));
        }

        @Test
        void anUnknownNodeIsRefusedByName() {
            TrackedSession tracked = TrackedSession.runningWith("a");

            assertThat(tracked.assertRejected(Kind.UNKNOWN_NODE, s -> s.startTask("zz", tracked.tick())))
                    .hasMessageContaining("zz");
            assertThat(tracked.session().hasNode("zz")).isFalse();
            assertThat(tracked.session().hasNode("a")).isTrue();
        }
    }

    /** What a cluster weighs when it places the next batch: the calls a session wants, not only those in flight. */
    @Nested
    class CallsWanted {

        @Test
        void aBatchJustStartedWantsItsQueuedNodesUpToItsOwnLimitBeforeAnyCallIsUnderWay() {
            TrackedSession tracked = TrackedSession.plan()
                    .maxConcurrent(3)
                    .nodes(1, "a", "b", "c", "d", "e")
                    .create();
            assertThat(tracked.session().callsWanted(0))
                    .as("pending: nothing may start")
                    .isZero();

            tracked.start();

            assertThat(tracked.session().callsInFlight(0)).isZero();
            assertThat(tracked.session().callsWanted(0)).isEqualTo(3);
            tracked.startTask("a");
            tracked.startTask("b");
            assertThat(tracked.session().callsWanted(0)).isEqualTo(3);
            assertThat(tracked.session().callsWanted(1))
                    .as("a's agent answered and only writes its note: its slot is wanted for c")
                    .isEqualTo(3);
        }

        @Test
        void aBatchWaitingOutABackoffStillWantsItsNodes() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.startTask("a");
            tracked.failTransiently("a", tracked.now().plus(Duration.ofMinutes(5)));
            tracked.startTask("b");
            tracked.failTransiently("b", tracked.now().plus(Duration.ofMinutes(5)));

            assertThat(tracked.session().dispatchable(10, tracked.now()))
                    .as("both wait")
                    .isEmpty();
            assertThat(tracked.session().callsWanted(0)).isEqualTo(2);
        }

        @Test
        void aPausedBatchWantsOnlyItsCallsInFlightAndAFinishedOneOnlyItsReruns() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b", "c", "d");
            tracked.startTask("a");
            tracked.pause();

            assertThat(tracked.session().callsWanted(0)).isEqualTo(1);
            tracked.succeed("a");
            assertThat(tracked.session().callsWanted(0)).isZero();
            tracked.resume();
            tracked.run("b");
            tracked.run("c");
            tracked.run("d");
            assertThat(tracked.session().state()).isEqualTo(SessionState.COMPLETED);
            assertThat(tracked.session().callsWanted(0)).isZero();

            tracked.requestRerun("b", null);

            assertThat(tracked.session().callsWanted(0)).isEqualTo(1);
        }
    }

    @Nested
    class RecordingResults {

        @Test
        void aSuccessForTheRunningAttemptIsRecordedWithItsNote() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.startTask("a");
            Instant at = tracked.tick();

            List<SessionEvent> events = tracked.record(
                    tracked.session().recordSuccess("a", 1, "notes/a.md", 4_096, 1_500, "# Answer", "gpt-x", at));

            assertThat(events)
                    .singleElement()
                    .isEqualTo(new TaskSucceeded(
                            tracked.session().id(),
                            4,
                            at,
                            "a",
                            1,
                            PLANNED_AGENT,
                            1,
                            "notes/a.md",
                            4_096,
                            1_500,
                            "# Answer",
                            "gpt-x"));
            NodeTask task = tracked.task("a");
            assertThat(task.state()).isEqualTo(NodeState.SUCCEEDED);
            assertThat(task.notePath()).isEqualTo("notes/a.md");
            assertThat(task.fileSize()).isEqualTo(4_096);
            assertThat(task.durationMillis()).isEqualTo(1_500);
            assertThat(task.model()).isEqualTo("gpt-x");
            assertThat(tracked.session().runningCount()).isZero();
            assertThat(tracked.session().state()).isEqualTo(SessionState.RUNNING);
        }

        @Test
        void theOutputTravellingInTheEventIsCutToTwoThousandCharacters() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b", "c");
            tracked.startTask("a");
            tracked.startTask("b");
            String longOutput = "字".repeat(Session.OUTPUT_PREVIEW_CHARS + 500);

            var cut = (TaskSucceeded) tracked.record(
                            tracked.session().recordSuccess("a", 1, "a.md", 1, 1, longOutput, "m", tracked.tick()))
                    .getFirst();
            var none = (TaskSucceeded)
                    tracked.record(tracked.session().recordSuccess("b", 1, "b.md", 1, 1, null, "m", tracked.tick()))
                            .getFirst();

            assertThat(cut.output()).hasSize(Session.OUTPUT_PREVIEW_CHARS).isEqualTo(longOutput.substring(0, 2_000));
            assertThat(none.output()).isEmpty();
        }

        @Test
        void aFailureForTheRunningAttemptFailsTheNodeWithItsReason() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.startTask("a");
            Instant at = tracked.tick();

            List<SessionEvent> events = tracked.record(tracked.session()
                    .recordFailure("a", 1, "context too long", "invalid_request", false, 800, Optional.empty(), at));

            assertThat(events)
                    .singleElement()
                    .isEqualTo(new TaskFailed(
                            tracked.session().id(),
                            4,
                            at,
                            "a",
                            1,
                            PLANNED_AGENT,
                            1,
                            "context too long",
                            "invalid_request",
                            false,
                            800));
            NodeTask task = tracked.task("a");
            assertThat(task.state()).isEqualTo(NodeState.FAILED);
            assertThat(task.errorMessage()).isEqualTo("context too long");
            assertThat(task.errorType()).isEqualTo("invalid_request");
            assertThat(task.notePath()).isNull();
            assertThat(tracked.session().state()).isEqualTo(SessionState.RUNNING);
        }

        @Test
        void aResultForAnotherAttemptOrANodeNotRunningIsStale() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b", "c");
            tracked.startTask("a");
            tracked.run("c");

            tracked.assertRejected(
                    Kind.STALE_RESULT, s -> s.recordSuccess("a", 2, "a.md", 1, 1, "x", "m", tracked.tick()));
            tracked.assertRejected(
                    Kind.STALE_RESULT,
                    s -> s.recordFailure("a", 0, "x", "t", false, 1, Optional.empty(), tracked.tick()));
            tracked.assertRejected(
                    Kind.STALE_RESULT, s -> s.recordSuccess("b", 1, "b.md", 1, 1, "x", "m", tracked.tick()));
            tracked.assertRejected(
                    Kind.STALE_RESULT, s -> s.recordSuccess("c", 1, "c.md", 1, 1, "x", "m", tracked.tick()));
            tracked.assertRejected(
                    Kind.UNKNOWN_NODE, s -> s.recordSuccess("zz", 1, "z.md", 1, 1, "x", "m", tracked.tick()));
        }

        @Test
        void aResultThatArrivesAfterTheCancelIsDiscardedAsStale() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.startTask("a");
            tracked.startTask("b");
            tracked.cancel();

            tracked.assertRejected(
                    Kind.STALE_RESULT, s -> s.recordSuccess("a", 1, "a.md", 1, 1, "late", "m", tracked.tick()));
            tracked.assertRejected(
                    Kind.STALE_RESULT,
                    s -> s.recordFailure(
                            "b",
                            1,
                            "late",
                            "timeout",
                            true,
                            1,
                            Optional.of(tracked.now().plusSeconds(5)),
                            tracked.tick()));
            assertThat(tracked.session().state()).isEqualTo(SessionState.CANCELLED);
            assertThat(tracked.snapshot().succeeded()).isZero();
            assertThat(tracked.snapshot().cancelled()).isEqualTo(2);
        }
    }

    @Nested
    class PausingAndResuming {

        @Test
        void aPausedSessionDispatchesNothingButItsRunningNodesFinish() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b", "c");
            tracked.startTask("a");

            List<SessionEvent> paused = tracked.pause();

            assertThat(paused)
                    .singleElement()
                    .isEqualTo(new SessionPaused(tracked.session().id(), 4, tracked.now(), "paused by the user"));
            assertThat(tracked.session().state()).isEqualTo(SessionState.PAUSED);
            assertThat(tracked.session().dispatchable(10, tracked.now())).isEmpty();
            assertThat(tracked.session().freeCapacity()).isZero();

            tracked.succeed("a");
            assertThat(tracked.stateOf("a")).isEqualTo(NodeState.SUCCEEDED);
            assertThat(tracked.session().state()).isEqualTo(SessionState.PAUSED);
        }

        @Test
        void resumingMakesTheQueueDispatchableAgain() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.pause();

            List<SessionEvent> resumed = tracked.resume();

            assertThat(resumed)
                    .singleElement()
                    .isEqualTo(new SessionResumed(tracked.session().id(), 4, tracked.now(), "resumed by the user"));
            assertThat(tracked.session().state()).isEqualTo(SessionState.RUNNING);
            assertThat(tracked.session().dispatchable(10, tracked.now())).containsExactly("a", "b");
        }

        @Test
        void onlyARunningSessionCanBePaused() {
            TrackedSession pending = TrackedSession.withNodes("a");
            pending.assertRejected(Kind.NOT_RUNNING, s -> s.pause("r", pending.tick()));

            TrackedSession paused = TrackedSession.runningWith("a");
            paused.pause();
            paused.assertRejected(Kind.NOT_RUNNING, s -> s.pause("r", paused.tick()));

            TrackedSession finished = TrackedSession.runningWith("a");
            finished.run("a");
            finished.assertRejected(Kind.ALREADY_FINISHED, s -> s.pause("r", finished.tick()));
        }

        @Test
        void onlyAPausedSessionCanBeResumed() {
            TrackedSession pending = TrackedSession.withNodes("a");
            pending.assertRejected(Kind.NOT_PAUSED, s -> s.resume("r", pending.tick()));

            TrackedSession running = TrackedSession.runningWith("a");
            running.assertRejected(Kind.NOT_PAUSED, s -> s.resume("r", running.tick()));

            TrackedSession cancelled = TrackedSession.runningWith("a");
            cancelled.pause();
            cancelled.cancel();
            cancelled.assertRejected(Kind.ALREADY_FINISHED, s -> s.resume("r", cancelled.tick()));
        }
    }

    @Nested
    class Cancelling {

        @Test
        void cancellingAPendingSessionCancelsEveryNode() {
            TrackedSession tracked = TrackedSession.withNodes("a", "b");

            List<SessionEvent> events = tracked.cancel();

            assertThat(events)
                    .singleElement()
                    .isEqualTo(new SessionCancelled(tracked.session().id(), 2, tracked.now(), "cancelled by the user"));
            assertThat(tracked.session().state()).isEqualTo(SessionState.CANCELLED);
            assertThat(tracked.session().finishedAt()).contains(tracked.now());
            assertThat(tracked.session().tasks()).extracting(NodeTask::state).containsOnly(NodeState.CANCELLED);
            assertThat(tracked.snapshot().cancelled()).isEqualTo(2);
        }

        @Test
        void cancellingARunningSessionCancelsQueuedAndRunningNodesAndKeepsFinishedOnes() {
            TrackedSession tracked = TrackedSession.runningWith("done", "broken", "busy", "waiting", "later");
            tracked.run("done");
            tracked.runAndFail("broken");
            tracked.startTask("busy");
            tracked.startTask("waiting");
            tracked.failTransiently("waiting", tracked.now().plusSeconds(30));

            List<SessionEvent> events = tracked.cancel();

            assertThat(events).singleElement().isInstanceOf(SessionCancelled.class);
            assertThat(tracked.stateOf("done")).isEqualTo(NodeState.SUCCEEDED);
            assertThat(tracked.stateOf("broken")).isEqualTo(NodeState.FAILED);
            assertThat(tracked.stateOf("busy")).isEqualTo(NodeState.CANCELLED);
            assertThat(tracked.stateOf("waiting")).isEqualTo(NodeState.CANCELLED);
            assertThat(tracked.task("waiting").retryAt()).isNull();
            assertThat(tracked.stateOf("later")).isEqualTo(NodeState.CANCELLED);
            SessionSnapshot snapshot = tracked.snapshot();
            assertThat(snapshot.succeeded()).isEqualTo(1);
            assertThat(snapshot.failed()).isEqualTo(1);
            assertThat(snapshot.cancelled()).isEqualTo(3);
            assertThat(snapshot.running()).isZero();
            assertThat(tracked.session().runningCount()).isZero();
            assertThat(tracked.session().nextRetryAt()).isEmpty();
            assertThat(tracked.session().dispatchable(10, tracked.now().plusSeconds(60)))
                    .isEmpty();
        }

        @Test
        void cancellingAPausedSessionCancelsItsRunningAndQueuedNodes() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.startTask("a");
            tracked.pause();

            tracked.cancel();

            assertThat(tracked.session().state()).isEqualTo(SessionState.CANCELLED);
            assertThat(tracked.session().tasks()).extracting(NodeTask::state).containsOnly(NodeState.CANCELLED);
        }

        @Test
        void cancellingAFinishedSessionIsRefusedAsAlreadyFinished() {
            TrackedSession completed = TrackedSession.runningWith("a");
            completed.run("a");
            TrackedSession failed = TrackedSession.runningWith("a");
            failed.runAndFail("a");
            TrackedSession cancelled = TrackedSession.withNodes("a");
            cancelled.cancel();

            completed.assertRejected(Kind.ALREADY_FINISHED, s -> s.cancel("again", completed.tick()));
            failed.assertRejected(Kind.ALREADY_FINISHED, s -> s.cancel("again", failed.tick()));
            cancelled.assertRejected(Kind.ALREADY_FINISHED, s -> s.cancel("again", cancelled.tick()));
        }
    }

    @Nested
    class ChangingPriority {

        @Test
        void aNewPriorityIsRecordedAndKept() {
            TrackedSession tracked =
                    TrackedSession.plan().nodes(1, "a").nodes(2, "b").create();
            tracked.start();

            List<SessionEvent> events = tracked.changePriority(2, Priority.URGENT);

            assertThat(events)
                    .singleElement()
                    .isEqualTo(new GroupPriorityChanged(tracked.session().id(), 3, tracked.now(), 2, Priority.URGENT));
            assertThat(tracked.session().group(2).priority()).isEqualTo(Priority.URGENT);
            assertThat(tracked.session().group(1).priority()).isEqualTo(Priority.MEDIUM);
        }

        @Test
        void priorityMayChangeBeforeTheSessionStarts() {
            TrackedSession tracked =
                    TrackedSession.plan().nodes(1, "a").nodes(2, "b").create();

            tracked.changePriority(2, Priority.HIGH);
            tracked.start();

            assertThat(tracked.session().dispatchable(10, tracked.now())).containsExactly("b", "a");
        }

        @Test
        void theSamePriorityAgainEmitsNothingAndUsesNoSeq() {
            TrackedSession tracked = TrackedSession.runningWith("a");
            long before = tracked.session().lastSeq();

            assertThat(tracked.changePriority(1, Priority.MEDIUM)).isEmpty();
            assertThat(tracked.session().lastSeq()).isEqualTo(before);
        }

        @Test
        void anUnknownGroupIsRefusedByNumber() {
            TrackedSession tracked = TrackedSession.runningWith("a");

            assertThat(tracked.assertRejected(
                            Kind.UNKNOWN_GROUP, s -> s.changePriority(9, Priority.HIGH, tracked.tick())))
                    .hasMessageContaining("9");
            assertThatThrownBy(() -> tracked.session().group(9))
                    .isInstanceOfSatisfying(
                            SessionConflict.class, c -> assertThat(c.kind()).isEqualTo(Kind.UNKNOWN_GROUP));
        }

        @Test
        void aFinishedSessionKeepsItsPriorities() {
            TrackedSession tracked = TrackedSession.runningWith("a");
            tracked.run("a");

            tracked.assertRejected(Kind.ALREADY_FINISHED, s -> s.changePriority(1, Priority.URGENT, tracked.tick()));
        }
    }

    @Nested
    class Requeueing {

        @Test
        void aFailedNodeOfARunningSessionGoesBackToTheQueue() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.runAndFail("a");

            List<SessionEvent> events = tracked.requeue("a");

            assertThat(events)
                    .singleElement()
                    .isEqualTo(new TaskRequeued(tracked.session().id(), 5, tracked.now(), "a", 1, PLANNED_AGENT));
            assertThat(tracked.stateOf("a")).isEqualTo(NodeState.QUEUED);
            assertThat(tracked.snapshot().failed()).isZero();
            assertThat(tracked.session().dispatchable(10, tracked.now())).containsExactly("a", "b");

            tracked.run("a");
            tracked.run("b");
            assertThat(tracked.task("a").attempts()).isEqualTo(2);
            assertThat(tracked.session().state()).isEqualTo(SessionState.COMPLETED);
        }

        @Test
        void aPausedSessionMayRequeueAFailedNode() {
            TrackedSession tracked = TrackedSession.runningWith("a", "b");
            tracked.runAndFail("a");
            tracked.pause();

            tracked.requeue("a");

            assertThat(tracked.stateOf("a")).isEqualTo(NodeState.QUEUED);
            assertThat(tracked.session().state()).isEqualTo(SessionState.PAUSED);
        }

        @Test
        void onlyFailedNodesCanBeRequeued() {
            TrackedSession tracked = TrackedSession.runningWith("ok", "busy", "queued", "spare");
            tracked.run("ok");
            tracked.startTask("busy");

            tracked.assertRejected(Kind.NODE_BUSY, s -> s.requeue("ok", tracked.tick()));
            tracked.assertRejected(Kind.NODE_BUSY, s -> s.requeue("busy", tracked.tick()));
            tracked.assertRejected(Kind.NODE_BUSY, s -> s.requeue("queued", tracked.tick()));
            tracked.assertRejected(Kind.UNKNOWN_NODE, s -> s.requeue("zz", tracked.tick()));
        }

        @Test
        void onlyAnActiveSessionRequeues() {
            TrackedSession pending = TrackedSession.withNodes("a");
            pending.assertRejected(Kind.NOT_RUNNING, s -> s.requeue("a", pending.tick()));

            TrackedSession failed = TrackedSession.runningWith("a");
            failed.runAndFail("a");
            assertThat(failed.session().state()).isEqualTo(SessionState.FAILED);
            failed.assertRejected(Kind.ALREADY_FINISHED, s -> s.requeue("a", failed.tick()));
        }
    }

    @Test
    void aFinishedBatchAnnouncesItsOutcomeOnceWithTheTimeOfItsLastResult() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        tracked.startTask("a");
        tracked.startTask("b");

        assertThat(tracked.succeed("a")).hasSize(1);
        List<SessionEvent> last = tracked.succeed("b");

        assertThat(last).hasSize(2);
        assertThat(last.get(1))
                .isEqualTo(new SessionFinished(tracked.session().id(), 7, tracked.now(), SessionState.COMPLETED));
        assertThat(tracked.session().finishedAt()).contains(tracked.now());
    }
}
