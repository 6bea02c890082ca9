package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CONTRACT §4's final rule and the coarse status the plugin polls on. */
class SessionFinalStateTest {

    /** Runs one node per outcome letter (s = success, f = failure) in a random-free fixed order. */
    private static TrackedSession finishWith(String outcomes) {
        String[] letters = outcomes.split("");
        String[] ids = new String[letters.length];
        Arrays.setAll(ids, i -> "n" + i);
        TrackedSession tracked = TrackedSession.runningWith(ids);
        for (int i = 0; i < letters.length; i++) {
            tracked.startTask(ids[i]);
        }
        for (int i = 0; i < letters.length; i++) {
            assertThat(tracked.session().state())
                    .as("still running before the last result")
                    .isEqualTo(SessionState.RUNNING);
            if (letters[i].equals("s")) {
                tracked.succeed(ids[i]);
            } else {
                tracked.fail(ids[i]);
            }
        }
        return tracked;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "s, COMPLETED",
        "sss, COMPLETED",
        "f, FAILED",
        "fff, FAILED",
        "sf, PARTIAL_FAILURE",
        "ffs, PARTIAL_FAILURE",
        "sffff, PARTIAL_FAILURE",
    })
    void the_outcome_follows_the_final_rule(String outcomes, SessionState expected) {
        TrackedSession tracked = finishWith(outcomes);

        assertThat(tracked.session().state()).isEqualTo(expected);
        List<SessionFinished> finishes = tracked.history().stream()
                .filter(SessionFinished.class::isInstance)
                .map(SessionFinished.class::cast)
                .toList();
        assertThat(finishes).singleElement().satisfies(finished -> {
            assertThat(finished.state()).isEqualTo(expected);
            assertThat(finished.seq()).isEqualTo(tracked.session().lastSeq());
        });
    }

    @Test
    void a_batch_is_not_finished_while_a_node_waits_for_its_retry_even_with_nothing_running() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        tracked.run("a");
        tracked.startTask("b");

        tracked.failTransiently("b", tracked.now().plusSeconds(10));

        assertThat(tracked.session().runningCount()).isZero();
        assertThat(tracked.session().state()).isEqualTo(SessionState.RUNNING);
    }

    @Test
    void a_cancelled_batch_is_cancelled_even_if_everything_that_ran_succeeded() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        tracked.run("a");

        tracked.cancel();

        assertThat(tracked.session().state()).isEqualTo(SessionState.CANCELLED);
        assertThat(tracked.session().state().pluginStatus()).isEqualTo("failed");
        assertThat(tracked.history()).noneMatch(SessionFinished.class::isInstance);
    }

    @Test
    void a_paused_batch_whose_last_running_node_ends_the_work_finishes() {
        TrackedSession tracked = TrackedSession.runningWith("a");
        tracked.startTask("a");
        tracked.pause();

        tracked.succeed("a");

        assertThat(tracked.session().state()).isEqualTo(SessionState.COMPLETED);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "PENDING, pending, pending, false, false",
        "RUNNING, running, running, false, true",
        "PAUSED, paused, paused, false, true",
        "COMPLETED, completed, completed, true, false",
        "PARTIAL_FAILURE, completed, partial_failure, true, false",
        "FAILED, failed, failed, true, false",
        "CANCELLED, failed, cancelled, true, false",
    })
    void the_plugin_sees_only_completed_or_failed_once_a_batch_is_over(
            SessionState state, String pluginStatus, String wireName, boolean terminal, boolean active) {
        assertThat(state.pluginStatus()).isEqualTo(pluginStatus);
        assertThat(state.wireName()).isEqualTo(wireName);
        assertThat(state.isTerminal()).isEqualTo(terminal);
        assertThat(state.isActive()).isEqualTo(active);
    }
}
