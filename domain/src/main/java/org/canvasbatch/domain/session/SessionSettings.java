package org.canvasbatch.domain.session;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of one batch.
 *
 * @param maxConcurrent agent calls of this session at once (1–50)
 * @param batchTimeout  the whole batch; past it the session ends {@code failed}
 * @param nodeTimeout   one agent call
 * @param maxAttempts   attempts per node for transient failures
 */
public record SessionSettings(int maxConcurrent, Duration batchTimeout, Duration nodeTimeout, int maxAttempts) {

    public static final SessionSettings DEFAULT =
            new SessionSettings(12, Duration.ofSeconds(600), Duration.ofSeconds(120), 3);

    public SessionSettings {
        if (maxConcurrent < 1 || maxConcurrent > 50) {
            throw new IllegalArgumentException("max_concurrent must be 1–50, not " + maxConcurrent);
        }
        Objects.requireNonNull(batchTimeout, "batchTimeout");
        Objects.requireNonNull(nodeTimeout, "nodeTimeout");
        if (batchTimeout.isNegative() || batchTimeout.isZero() || nodeTimeout.isNegative() || nodeTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    public SessionSettings withMaxConcurrent(int value) {
        return new SessionSettings(value, batchTimeout, nodeTimeout, maxAttempts);
    }

    public SessionSettings withBatchTimeout(Duration value) {
        return new SessionSettings(maxConcurrent, value, nodeTimeout, maxAttempts);
    }
}
