package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.canvasbatch.domain.session.SessionEvent.SessionCreated;
import org.canvasbatch.domain.session.SessionProgress.NodeResult;
import org.junit.jupiter.api.Test;

/** The one progress read model: a pure fold over a session's events, cheap to copy. */
class SessionProgressTest {

    @Test
    void foldingTheHistoryFromItsCreationGivesTheLiveSessionsProgressAtEverySeq() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b", "c");
        tracked.run("a");
        tracked.startTask("b");
        tracked.failTransiently("b", tracked.now().plusSeconds(5));
        tracked.runAndFail("c");
        tracked.pause();

        List<SessionEvent> history = tracked.history();
        SessionProgress folded = SessionProgress.of((SessionCreated) history.getFirst());
        history.forEach(folded::apply);

        assertThat(folded).isEqualTo(tracked.snapshot().progress());
        assertThat(folded.state()).isEqualTo(SessionState.PAUSED);
        assertThat(folded.session()).isEqualTo(new SessionProgress.Counts(3, 1, 0, 1, 1, 0));
        assertThat(folded.retries()).isEqualTo(1);
        assertThat(folded.textOf("b")).isEqualTo(tracked.task("b").text());
    }

    /**
     * The plugin is told once per reason that notes are not linked (the wire's note_not_linked notice): the read model
     * says which success brought a reason no success had before, also when the node that first had it is run again
     * with the same reason (found by a hostile review: a count of the results said "first" again then).
     */
    @Test
    void aLinkProblemIsNewOnlyTheFirstTimeASuccessBringsIt() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b", "c", "d");
        SessionProgress progress = tracked.snapshot().progress();
        String gone = "the canvas 'x.canvas' is no longer in the vault";
        // one event at a time, as the wire folds them: whether the success among them brought a new reason
        java.util.function.Function<List<SessionEvent>, Boolean> folded = events -> {
            boolean brought = false;
            for (SessionEvent event : events) {
                progress.apply(event);
                brought |= event instanceof SessionEvent.TaskSucceeded && progress.lastEventBroughtANewLinkProblem();
            }
            return brought;
        };

        tracked.startTask("a").forEach(progress::apply);
        List<SessionEvent> aSucceeded = tracked.succeedUnlinked("a", gone);
        assertThat(folded.apply(aSucceeded)).as("a: the first with it").isTrue();
        assertThat(folded.apply(aSucceeded))
                .as("the same event again changes nothing")
                .isFalse();
        tracked.startTask("b").forEach(progress::apply);
        assertThat(folded.apply(tracked.succeedUnlinked("b", gone)))
                .as("b: the same reason")
                .isFalse();
        tracked.rerun("a", null).forEach(progress::apply);
        assertThat(folded.apply(tracked.succeedUnlinked("a", gone)))
                .as("a again: the same reason")
                .isFalse();
        assertThat(folded.apply(tracked.run("c"))).as("c: linked").isFalse();
        tracked.startTask("d").forEach(progress::apply);
        assertThat(folded.apply(tracked.succeedUnlinked("d", "the canvas is full")))
                .as("d: another")
                .isTrue();
    }

    @Test
    void anEventItHasSeenAlreadyChangesNothing() {
        TrackedSession tracked = TrackedSession.runningWith("a");
        List<SessionEvent> succeeded = tracked.run("a");
        SessionProgress progress = tracked.snapshot().progress();

        succeeded.forEach(progress::apply);

        assertThat(progress).isEqualTo(tracked.snapshot().progress());
        assertThat(progress.session().succeeded()).isEqualTo(1);
    }

    @Test
    void aCopyAndItsOriginalGoTheirOwnWaysInEveryBlockOfOutcomes() {
        String[] nodes = IntStream.range(0, 150).mapToObj(i -> "n" + i).toArray(String[]::new);
        TrackedSession tracked = TrackedSession.runningWith(nodes);
        for (int i = 0; i < 100; i++) {
            tracked.run("n" + i);
        }
        SessionProgress checkpoint = tracked.snapshot().progress();
        SessionProgress original = tracked.snapshot().progress();

        SessionProgress copy = original.copy();
        tracked.rerun("n1", null).forEach(original::apply);
        tracked.runAndFail("n120").forEach(copy::apply);

        assertThat(checkpoint.results()).hasSize(100);
        assertThat(copy.results()).hasSize(101).extracting(NodeResult::nodeId).contains("n1", "n120");
        assertThat(copy.results())
                .filteredOn(r -> r.nodeId().equals("n120"))
                .singleElement()
                .extracting(NodeResult::succeeded)
                .isEqualTo(false);
        assertThat(original.results())
                .hasSize(99)
                .extracting(NodeResult::nodeId)
                .doesNotContain("n1", "n120");
        assertThat(checkpoint.results())
                .extracting(NodeResult::nodeId)
                .contains("n1")
                .doesNotContain("n120");
    }

    @Test
    void resultsListEachProcessedNodeOnceInCanvasOrderWithItsLatestOutcome() {
        TrackedSession tracked =
                TrackedSession.plan().nodes(1, "a", "b").nodes(2, "c").create();
        tracked.start();
        tracked.runAndFail("c");
        tracked.run("b");
        tracked.runAndFail("a");

        SessionProgress progress = tracked.snapshot().progress();

        assertThat(progress.results()).extracting(NodeResult::nodeId).containsExactly("a", "b", "c");
        assertThat(progress.results()).extracting(NodeResult::succeeded).containsExactly(false, true, false);
        assertThat(progress.resultsOf(1)).extracting(NodeResult::nodeId).containsExactly("a", "b");
        NodeResult b = progress.results().get(1);
        NodeTask task = tracked.task("b");
        assertThat(b.notePath()).isEqualTo(task.notePath());
        assertThat(b.attempts()).isEqualTo(task.attempts());
        assertThat(b.errorMessage()).isNull();
        assertThat(progress.results().getFirst().errorType())
                .isEqualTo(tracked.task("a").errorType());
    }
}
