package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
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

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "PENDING, false, false",
        "RUNNING, false, true",
        "PAUSED, false, true",
        "COMPLETED, true, false",
        "PARTIAL_FAILURE, true, false",
        "FAILED, true, false",
        "CANCELLED, true, false",
    })
    void aBatchIsEitherAtWorkOrOverOrWaitingForItsStart(SessionState state, boolean terminal, boolean active) {
        assertThat(state.isTerminal()).isEqualTo(terminal);
        assertThat(state.isActive()).isEqualTo(active);
    }
}
