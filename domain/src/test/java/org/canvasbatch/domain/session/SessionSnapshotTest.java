package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.canvasbatch.domain.session.SessionProgress.GroupStatus;
import org.junit.jupiter.api.Test;

/** What status answers and WebSocket snapshots are made of (CONTRACT §2.3). */
class SessionSnapshotTest {

    @Test
    void progressCountsProcessedNodesAndTheOlderPercentCountsSuccessesFloored() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b", "c", "d");
        tracked.run("a");
        tracked.runAndFail("b");
        tracked.startTask("c");

        SessionSnapshot snapshot = tracked.snapshot();

        assertThat(snapshot.totalNodes()).isEqualTo(4);
        assertThat(snapshot.processed()).isEqualTo(2);
        assertThat(snapshot.counts().percent()).isEqualTo(50.0);
        assertThat(snapshot.counts().succeededPercent()).isEqualTo(25);
        assertThat(snapshot.running()).isEqualTo(1);
    }

    @Test
    void theSuccessPercentageIsFlooredNeverRoundedUp() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b", "c");
        assertThat(tracked.snapshot().counts().succeededPercent()).isZero();
        assertThat(tracked.snapshot().counts().percent()).isZero();

        tracked.run("a");
        assertThat(tracked.snapshot().counts().succeededPercent()).isEqualTo(33);
        tracked.run("b");
        assertThat(tracked.snapshot().counts().succeededPercent()).isEqualTo(66);
        assertThat(tracked.snapshot().counts().percent()).isCloseTo(66.667, within(0.001));
        tracked.run("c");
        assertThat(tracked.snapshot().counts().succeededPercent()).isEqualTo(100);
        assertThat(tracked.snapshot().counts().percent()).isEqualTo(100.0);
    }

    @Test
    void elapsedIsZeroBeforeTheStartGrowsWhileRunningAndFreezesAtTheEnd() {
        TrackedSession tracked = TrackedSession.withNodes("a");
        assertThat(tracked.snapshot().elapsed(tracked.now().plusSeconds(100))).isZero();

        tracked.start();
        Instant startedAt = tracked.now();
        assertThat(tracked.snapshot().startedAt()).isEqualTo(startedAt);
        assertThat(tracked.snapshot().elapsed(startedAt.plusSeconds(42))).isEqualTo(Duration.ofSeconds(42));
        assertThat(tracked.snapshot().elapsed(startedAt.minusSeconds(5)))
                .as("a clock behind the start")
                .isZero();

        tracked.startTask("a");
        tracked.advanceTo(startedAt.plusSeconds(90));
        tracked.succeed("a");
        SessionSnapshot finished = tracked.snapshot();

        assertThat(finished.finishedAt()).isEqualTo(startedAt.plusSeconds(91));
        assertThat(finished.elapsed(startedAt.plusSeconds(91))).isEqualTo(Duration.ofSeconds(91));
        assertThat(finished.elapsed(startedAt.plusSeconds(5_000))).isEqualTo(Duration.ofSeconds(91));
    }

    @Test
    void aBatchCancelledBeforeItStartedHasNoElapsedTime() {
        TrackedSession tracked = TrackedSession.withNodes("a");
        tracked.cancel();

        assertThat(tracked.snapshot().elapsed(tracked.now().plusSeconds(60))).isZero();
    }

    @Test
    void eachGroupReportsPendingRunningCompletedOrFailedAsThePluginExpects() {
        TrackedSession tracked = TrackedSession.plan()
                .nodes(1, "ok", "bad")
                .nodes(2, "bad2")
                .nodes(3, "busy", "idle")
                .nodes(4, "untouched")
                .nodes(5, "done", "next")
                .create();
        assertThat(statuses(tracked.snapshot())).containsOnly(GroupStatus.PENDING);
        tracked.start();
        tracked.run("ok");
        tracked.runAndFail("bad");
        tracked.runAndFail("bad2");
        tracked.startTask("busy");
        tracked.run("done");

        SessionProgress progress = tracked.snapshot().progress();

        assertThat(statuses(tracked.snapshot()))
                .containsExactly(
                        GroupStatus.COMPLETED,
                        GroupStatus.FAILED,
                        GroupStatus.RUNNING,
                        GroupStatus.PENDING,
                        GroupStatus.RUNNING);
        SessionProgress.Counts first = progress.group(1);
        assertThat(first.total()).isEqualTo(2);
        assertThat(first.succeeded()).isEqualTo(1);
        assertThat(first.failed()).isEqualTo(1);
        assertThat(first.processed()).isEqualTo(2);
        assertThat(first.percent()).isEqualTo(100.0);
        assertThat(progress.group(3).running()).isEqualTo(1);
        assertThat(progress.group(3).percent()).isZero();
        assertThat(progress.group(5).percent()).isEqualTo(50.0);
    }

    @Test
    void aGroupWaitingForARetryOfItsOnlyProcessedNodeIsStillRunning() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        tracked.run("a");
        tracked.startTask("b");
        tracked.failTransiently("b", tracked.now().plusSeconds(30));

        assertThat(statuses(tracked.snapshot())).containsExactly(GroupStatus.RUNNING);
    }

    @Test
    void onceABatchIsOverEveryGroupIsCompletedOrFailedEvenWithCancelledNodes() {
        TrackedSession tracked = TrackedSession.plan()
                .nodes(1, "a", "b")
                .nodes(2, "c")
                .nodes(3, "d")
                .create();
        tracked.start();
        tracked.run("a");
        tracked.runAndFail("d");
        tracked.cancel();

        assertThat(statuses(tracked.snapshot()))
                .containsExactly(GroupStatus.COMPLETED, GroupStatus.FAILED, GroupStatus.FAILED);
    }

    @Test
    void theSnapshotCarriesTheMeasuredNumbers() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b", "c");
        tracked.startTask("a");
        tracked.startTask("b");
        tracked.succeed("a");
        tracked.fail("b");
        tracked.startTask("c");

        SessionSnapshot snapshot = tracked.snapshot();

        assertThat(snapshot.progress().peakRunning()).isEqualTo(2);
        assertThat(snapshot.progress().processingMillis()).isEqualTo(2_000 + 500);
        assertThat(snapshot.lastSeq()).isEqualTo(tracked.session().lastSeq());
        assertThat(snapshot.silhouette()).isEqualTo(0.41);
        assertThat(snapshot.recommendedK()).isEqualTo(1);
        assertThat(snapshot.canvasPath()).isEqualTo("数学/离散数学.canvas");
        assertThat(snapshot.batchError()).isNull();
        assertThat(snapshot.task("b")).get().extracting(NodeTask::state).isEqualTo(NodeState.FAILED);
        assertThat(snapshot.task("zz")).isEmpty();
        assertThat(snapshot.tasksOf(1)).extracting(NodeTask::nodeId).containsExactly("a", "b", "c");
    }

    @Test
    void aSnapshotIsAPictureThatLaterEventsDoNotChange() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        SessionSnapshot before = tracked.snapshot();

        tracked.run("a");
        tracked.changePriority(1, Priority.URGENT);

        assertThat(before.task("a")).get().extracting(NodeTask::state).isEqualTo(NodeState.QUEUED);
        assertThat(before.groups().getFirst().priority()).isEqualTo(Priority.MEDIUM);
        assertThat(before.succeeded()).isZero();
        assertThat(before).isNotEqualTo(tracked.snapshot());
        assertThatThrownBy(() -> before.tasks().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> before.groups().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    private static List<GroupStatus> statuses(SessionSnapshot snapshot) {
        SessionProgress progress = snapshot.progress();
        return snapshot.groups().stream().map(g -> progress.groupStatus(g.id())).toList();
    }
}
