package org.canvasbatch.domain.session;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Limits of one batch.
 *
 * @param maxConcurrent agent calls of this session at once (1–50)
 * @param batchTimeout  the whole batch; past it the session ends {@code failed}
 * @param nodeTimeout   one agent call
 * @param maxAttempts   attempts per node for transient failures
 */
public record SessionSettings(int maxConcurrent, Duration batchTimeout, Duration nodeTimeout, int maxAttempts) {

    /** The fewest and the most agent calls one batch may have in flight at once. */
    public static final int MIN_CONCURRENT = 1;

    public static final int MAX_CONCURRENT = 50;

    public static final SessionSettings DEFAULT =
            new SessionSettings(12, Duration.ofSeconds(600), Duration.ofSeconds(120), 3);

    public SessionSettings {
        if (maxConcurrent < MIN_CONCURRENT || maxConcurrent > MAX_CONCURRENT) {
            throw new IllegalArgumentException(
                    "max_concurrent must be " + MIN_CONCURRENT + "–" + MAX_CONCURRENT + ", not " + maxConcurrent);
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

    /** These settings with what a request set: its own limit of calls at once, its own batch timeout. */
    public SessionSettings withOverrides(
            Optional<Integer> requestedMaxConcurrent, Optional<Duration> requestedTimeout) {
        SessionSettings result = this;
        if (requestedMaxConcurrent.isPresent()) {
            result = result.withMaxConcurrent(requestedMaxConcurrent.get());
        }
        if (requestedTimeout.isPresent()) {
            result = result.withBatchTimeout(requestedTimeout.get());
        }
        return result;
    }
}
