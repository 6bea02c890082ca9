package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.Test;

/**
 * In a cluster, one server may try to take the same session over twice at once: the placement another server sent it
 * is heard on one thread while its periodic look for abandoned sessions (or a learner's retry) runs on another. Both
 * took the lease (the second finding it already its own) and both queued the session's interrupted nodes again, so a
 * node that the first had just started here went to the model a second time. One claim at a time per session: the
 * second finds the session taken.
 */
class ConcurrentClaimTest {

    /** A thread of its own for each claim (the common pool may have a single worker on a small machine). */
    private static final java.util.concurrent.Executor OWN_THREAD =
            task -> Thread.ofPlatform().start(task);

    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor(CoreSettings.DEFAULT, true);

    @Test
    void twoClaimsOfOneSessionAtOnceTakeItOverOnce() throws Exception {
        SessionId id = core.analyze(2, "a", "b");
        core.start(id);
        // its lease ran out here (the server that had it stopped renewing), and the leases call it abandoned
        core.loseLease(id);
        core.abandoned = List.of(id);
        CountDownLatch slowDatabase = new CountDownLatch(1);
        core.takeGate = slowDatabase;

        CompletableFuture<List<SessionId>> first =
                CompletableFuture.supplyAsync(core.core::takeOverAbandoned, OWN_THREAD);
        assertThat(core.takeWaiting.tryAcquire(10, TimeUnit.SECONDS))
                .as("the first claim is taking the lease")
                .isTrue();
        CompletableFuture<List<SessionId>> second =
                CompletableFuture.supplyAsync(core.core::takeOverAbandoned, OWN_THREAD);
        // the second claim is on its way while the first waits for the database
        core.takeWaiting.tryAcquire(300, TimeUnit.MILLISECONDS);
        slowDatabase.countDown();

        List<SessionId> takenOver = new ArrayList<>(first.get(10, TimeUnit.SECONDS));
        takenOver.addAll(second.get(10, TimeUnit.SECONDS));
        assertThat(takenOver).as("taken over once").containsExactly(id);
    }
}
