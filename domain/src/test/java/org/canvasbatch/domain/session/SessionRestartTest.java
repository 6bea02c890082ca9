package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.junit.jupiter.api.Test;

/**
 * The retry limit across restarts (CONTRACT §4): a node is given to the model at most {@code maxAttempts} times in all.
 * Every started attempt counts, an interrupted one included; a restart requeues an interrupted node only while it has
 * attempts left. Killed with {@code kill -9} again and again, a node used to reach {@code attempts: 4} and beyond.
 */
class SessionRestartTest {

    private static List<Integer> startedAttempts(TrackedSession tracked, String nodeId) {
        return tracked.history().stream()
                .filter(e ->
                        e instanceof TaskStarted started && started.nodeId().equals(nodeId))
                .map(e -> ((TaskStarted) e).attempt())
                .toList();
    }

    /** Starts the node whenever it may start, then restarts the server, {@code restarts} times; folds after each. */
    private static void killWhileRunning(TrackedSession tracked, String nodeId, int restarts) {
        for (int i = 0; i < restarts; i++) {
            NodeTask task = tracked.task(nodeId);
            if (task.state() == NodeState.QUEUED) {
                if (task.retryAt() != null && tracked.now().isBefore(task.retryAt())) {
                    tracked.advanceTo(task.retryAt());
                }
                tracked.startTask(nodeId);
            }
            tracked.restart();
            assertThat(tracked.folded().snapshot())
                    .as("a restart is what the journal says it is")
                    .isEqualTo(tracked.session().snapshot());
        }
    }

    @Test
    void aNodeKilledInEveryAttemptIsStartedThreeTimesAndThenFailsAsInterrupted() {
        TrackedSession tracked = TrackedSession.runningWith("a");

        killWhileRunning(tracked, "a", 10);

        assertThat(startedAttempts(tracked, "a")).containsExactly(1, 2, 3);
        NodeTask a = tracked.task("a");
        assertThat(a.state()).isEqualTo(NodeState.FAILED);
        assertThat(a.attempts()).isEqualTo(3);
        assertThat(a.errorType()).isEqualTo("interrupted");
        assertThat(a.retryable()).as("a person's retry may run it again").isTrue();
        assertThat(a.errorMessage()).contains("last attempt (3 of 3)");
        assertThat(tracked.history().getLast())
                .isInstanceOfSatisfying(
                        SessionFinished.class, f -> assertThat(f.state()).isEqualTo(SessionState.FAILED));
    }

    @Test
    void transientFailuresAndRestartsShareTheSameThreeAttempts() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        tracked.startTask("a");
        tracked.failTransiently("a", tracked.now().plusSeconds(4));

        killWhileRunning(tracked, "a", 5);

        assertThat(startedAttempts(tracked, "a")).containsExactly(1, 2, 3);
        assertThat(tracked.task("a").state()).isEqualTo(NodeState.FAILED);
        assertThat(tracked.task("b").state())
                .as("the other node is untouched and still queued")
                .isEqualTo(NodeState.QUEUED);
        assertThat(tracked.session().state()).isEqualTo(SessionState.RUNNING);
    }

    @Test
    void anInterruptedNodeWithAttemptsLeftIsQueuedAgainAtOnce() {
        TrackedSession tracked = TrackedSession.runningWith("a");
        tracked.startTask("a");

        List<SessionEvent> events = tracked.restart();

        assertThat(events).singleElement().isInstanceOfSatisfying(TaskRetryScheduled.class, retry -> {
            assertThat(retry.errorType()).isEqualTo("interrupted");
            assertThat(retry.attempt()).isEqualTo(1);
            assertThat(retry.retryAt()).isEqualTo(retry.at());
        });
        assertThat(tracked.session().dispatchable(1, tracked.now())).containsExactly("a");
    }

    @Test
    void aNodeWaitingOutABackoffOrQueuedWhenTheServerStopsKeepsItsCount() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        tracked.startTask("a");
        tracked.failTransiently("a", tracked.now().plusSeconds(30));

        assertThat(tracked.restart()).isEmpty();

        assertThat(tracked.task("a").attempts()).isEqualTo(1);
        assertThat(tracked.task("b").attempts()).isZero();
    }

    @Test
    void aPersonsRetryAfterTheLastAttemptWasInterruptedStartsANewRunThatRestartsCountAgainstToo() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        killWhileRunning(tracked, "a", 3);
        assertThat(tracked.task("a").state()).isEqualTo(NodeState.FAILED);

        tracked.requeue("a");
        killWhileRunning(tracked, "a", 10);

        assertThat(startedAttempts(tracked, "a")).containsExactly(1, 2, 3, 4, 5, 6);
        NodeTask a = tracked.task("a");
        assertThat(a.state()).isEqualTo(NodeState.FAILED);
        assertThat(a.errorType()).isEqualTo("interrupted");
        assertThat(a.errorMessage()).contains("last attempt (3 of 3)");
    }
}
