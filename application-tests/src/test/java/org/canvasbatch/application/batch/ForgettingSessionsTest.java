package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
import org.junit.jupiter.api.Test;

/** Retention (CONTRACT §4): what is forgotten when, and what a forgotten session looks like. */
class ForgettingSessionsTest {

    /** Batches may run for an hour, so that none times out (and ends) during these tests. */
    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor(CoreSettings.DEFAULT
            .withRetention(Duration.ofMinutes(30), Duration.ofMinutes(10))
            .withSessionDefaults(SessionSettings.DEFAULT.withBatchTimeout(Duration.ofHours(1))));

    @Test
    void aBatchNeverConfirmedIsForgottenAfterThePendingExpiryAndAFinishedOneAfterItsRetention() {
        SessionId neverConfirmed = core.analyze(1, "a");
        SessionId finished = core.analyze(1, "b");
        SessionId running = core.analyze(1, "c");
        core.start(finished);
        core.executor.runAll();
        core.start(running);

        core.executor.advance(Duration.ofMinutes(10));
        assertThat(core.core.sweepExpired())
                .as("the finished batch's ten minutes are up")
                .containsExactly(finished);
        core.executor.advance(Duration.ofMinutes(20));
        assertThat(core.core.sweepExpired()).containsExactly(neverConfirmed);

        assertThat(core.useCases.status().sessions()).extracting(s -> s.id()).containsExactly(running);
        assertThatThrownBy(() -> core.useCases.status().status(finished)).isInstanceOf(SessionNotFoundException.class);
        assertThat(core.memory.readAfter(finished, 0, 10))
                .as("its events left the journal")
                .isEmpty();
    }

    @Test
    void aFinishedBatchWhoseNodeAPersonIsRerunningIsKeptUntilTheRerunIsBack() {
        SessionId id = core.analyze(1, "a");
        core.start(id);
        core.executor.runAll();
        core.useCases.retryNode().retry(id, "a");
        assertThat(core.executor.waiting()).containsExactly("s1/a");

        core.executor.advance(Duration.ofMinutes(11));
        assertThat(core.core.sweepExpired()).isEmpty();
        core.executor.runAll();
        core.executor.advance(Duration.ofMinutes(11));

        assertThat(core.core.sweepExpired()).containsExactly(id);
    }

    @Test
    void theSweepRunsByItselfEveryPeriod() {
        SessionId id = core.analyze(1, "a");
        core.core.sweepEvery(Duration.ofMinutes(1));

        core.executor.advance(Duration.ofMinutes(31));

        assertThatThrownBy(() -> core.useCases.status().status(id)).isInstanceOf(SessionNotFoundException.class);
    }
}
