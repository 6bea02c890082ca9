package org.canvasbatch.application.batch;

import java.time.Instant;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * How long a batch is assumed to take: rounds of {@code max_concurrent} agent calls, each as long as one call is assumed
 * to take. The analysis's estimates and the estimated completion of a started batch both come from here.
 */
record CompletionEstimate(int secondsPerNode) {

    /** The whole batch: its nodes in rounds of {@code maxConcurrent} calls. */
    long batchSeconds(int nodes, int maxConcurrent) {
        long rounds = (nodes + maxConcurrent - 1L) / maxConcurrent;
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
