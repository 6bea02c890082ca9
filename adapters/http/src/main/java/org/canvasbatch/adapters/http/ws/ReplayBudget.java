package org.canvasbatch.adapters.http.ws;

import java.util.concurrent.locks.LockSupport;

/**
 * How fast all replays together may send: a token bucket of message bytes per second. Catching up is background work:
 * a reconnect storm must not take the processor (and, through the garbage every sent frame leaves, the memory) from
 * live events, requests and health checks. A replay that is over the budget waits its turn; nothing is dropped, and a
 * client that reads slowly holds nothing but its own turn.
 */
final class ReplayBudget {

    /** Enough for one client to catch up on a 20 000-event session (43 MB of messages) in about a second and a half. */
    static final long DEFAULT_BYTES_PER_SECOND = 32L << 20;
    /**
     * What may go out at once after a quiet spell: small, so that a storm of sockets connecting together is paced from
     * its first messages rather than all sending a large burst at the same moment.
     */
    static final long DEFAULT_BURST_BYTES = 256L << 10;

    private final double bytesPerNano;
    private final long burst;
    private double tokens;
    private long refilledAt = System.nanoTime();

    /**
     * @param bytesPerSecond the sustained rate of all replays together
     * @param burst          what may go out at once after a quiet spell
     */
    ReplayBudget(long bytesPerSecond, long burst) {
        this.bytesPerNano = bytesPerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
    }

    /** Waits until {@code bytes} more may be sent (at once while the budget lasts). */
    void take(long bytes) throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - refilledAt) * bytesPerNano);
            refilledAt = now;
            // a debt is paid by waiting; whoever comes later waits behind it, so replays share the rate
            tokens -= bytes;
            wait = tokens >= 0 ? 0 : (long) (-tokens / bytesPerNano);
        }
        long until = System.nanoTime() + wait;
        while (wait > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new InterruptedException("the replay was stopped");
            }
            wait = until - System.nanoTime();
        }
    }
}
