package org.canvasbatch.application.batch;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How long a node waits before its next attempt after a transient failure: exponential backoff with jitter, never
 * earlier than the server's {@code Retry-After}. Jitter spreads the retries of many nodes that failed together (one
 * 429 burst) so they do not hit the server again in lockstep.
 */
public final class RetryPolicy {

    private final Duration base;
    private final Duration cap;
    private final RandomGenerator random;

    public RetryPolicy(Duration base, Duration cap, RandomGenerator random) {
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    public static RetryPolicy standard(RandomGenerator random) {
        return new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), random);
    }

    /** The wait after {@code attempt} (1-based) failed. */
    public Duration delayAfter(int attempt, Optional<Duration> retryAfter) {
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(20, Math.max(0, attempt - 1)));
        // "equal jitter": at least half the exponential step, so waits still grow with every attempt
        long jittered = ceiling / 2 + (ceiling / 2 == 0 ? 0 : random.nextLong(ceiling / 2 + 1));
        long hinted = retryAfter.map(Duration::toMillis).orElse(0L);
        return Duration.ofMillis(Math.max(jittered, hinted));
    }
}
