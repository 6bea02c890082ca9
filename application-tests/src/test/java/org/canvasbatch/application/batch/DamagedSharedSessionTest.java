package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.junit.jupiter.api.Test;

/**
 * In a cluster, another server (a newer version, a buggy one) stored the next event of a batch this server runs, and
 * this server cannot read it: the batch cannot be changed here any more. That must cost one try per outcome, not a
 * server spinning on the database and holding outcomes that block the end of the next real outage; the other batches
 * of the server run on.
 */
class DamagedSharedSessionTest {

    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor(CoreSettings.DEFAULT, true);

    @Test
    void aRunningBatchWhoseHistoryAnotherServerDamagedIsTriedOnceAndTheOtherBatchesRunOn() {
        SessionId damaged = core.analyze(2, "a", "b", "c", "d");
        core.start(damaged);
        core.damaged.add(damaged);

        core.executor.runAll();
        assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> core.executor.advance(Duration.ZERO),
                "the server settles instead of trying the batch again and again");

        assertThat(core.appendsOfDamaged.get())
                .as("each of the two outcomes tried once, and no node of the batch started again")
                .isEqualTo(2);
        assertThat(core.core.storageProblem())
                .as("the store works: no outage, nothing held")
                .isEmpty();
        SessionId healthy = core.analyze(2, "x", "y");
        core.start(healthy);
        core.executor.runAll();
        assertThat(core.useCases.status().status(healthy).state()).isEqualTo(SessionState.COMPLETED);
    }
}
