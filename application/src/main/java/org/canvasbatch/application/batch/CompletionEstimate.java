package org.canvasbatch.application.batch;

import java.time.Instant;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * How long a batch is assumed to take: rounds of as many agent calls as run at once — the batch's {@code
 * max_concurrent}, or the server's own limit on calls when that is lower (a server started with {@code --concurrency 1}
 * for a local model runs one at a time whatever the batch asks) — each as long as one call is assumed to take. The
 * analysis's estimates and the estimated completion of a started batch both come from here.
 */
record CompletionEstimate(int secondsPerNode, int serverConcurrency) {

    /** The whole batch: its nodes in rounds of the calls that run at once. */
    long batchSeconds(int nodes, int maxConcurrent) {
        int atOnce = Math.max(1, Math.min(maxConcurrent, serverConcurrency));
        long rounds = (nodes + atOnce - 1L) / atOnce;
        return rounds * secondsPerNode;
    }

    /** One group's nodes, one after another: what the group costs, whatever runs beside it. */
    long groupSeconds(Group group) {
        return (long) group.size() * secondsPerNode;
    }

    /** When a started (or, failing that, created) batch should be done. */
    Instant completion(SessionSnapshot session) {
        Instant from = session.startedAt() != null ? session.startedAt() : session.createdAt();
        return from.plusSeconds(
                batchSeconds(session.totalNodes(), session.settings().maxConcurrent()));
    }
}
