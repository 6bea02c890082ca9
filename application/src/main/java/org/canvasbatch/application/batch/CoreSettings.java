package org.canvasbatch.application.batch;

import java.time.Duration;
import org.canvasbatch.domain.session.SessionSettings;

/**
 * Server-wide knobs of the core.
 *
 * @param globalConcurrency     agent calls in flight across all sessions
 * @param sessionDefaults       per-session limits unless a request sets them
 * @param estimatedSecondsPerNode what one agent call is assumed to take, for the analyze estimate
 * @param pendingExpiry         a session never confirmed is forgotten after this
 * @param terminalRetention     a finished session is kept this long, then forgotten
 * @param pendingLimit          analysed sessions that may wait for confirmation at once, over the server
 * @param pendingLimitPerClient the same for one client address
 * @param singleNodeQueueWait   how long a single-node call may spend waiting for free slots, on top of what its
 *                              attempts may take (see {@link #singleNodeWait})
 * @param maxWaitingLooseRuns   single-node runs of nodes no session holds that may wait for a slot at once; more are
 *                              refused at once as busy rather than piling up
 */
public record CoreSettings(
        int globalConcurrency,
        SessionSettings sessionDefaults,
        Duration retryBase,
        Duration retryCap,
        int estimatedSecondsPerNode,
        Duration pendingExpiry,
        Duration terminalRetention,
        int pendingLimit,
        int pendingLimitPerClient,
        Duration singleNodeQueueWait,
        int maxWaitingLooseRuns) {

    public static final CoreSettings DEFAULT = new CoreSettings(
            12,
            SessionSettings.DEFAULT,
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            20,
            Duration.ofMinutes(30),
            Duration.ofMinutes(30),
            200,
            20,
            Duration.ofMinutes(5),
            256);

    public CoreSettings {
        if (globalConcurrency < 1) {
            throw new IllegalArgumentException("the global concurrency must be at least 1");
        }
        if (pendingLimit < 1 || pendingLimitPerClient < 1) {
            throw new IllegalArgumentException("the limits of pending sessions must be at least 1");
        }
        if (singleNodeQueueWait.isNegative()) {
            throw new IllegalArgumentException("the single-node queue wait must not be negative");
        }
        if (maxWaitingLooseRuns < 1) {
            throw new IllegalArgumentException("at least one single-node run must be allowed to wait");
        }
    }

    /**
     * How long a single-node call waits for its outcome at most, for a node with these settings: the queue wait plus
     * what a batch node's attempts may take (each attempt up to the node timeout, the longest backoff between them).
     * With the defaults: 5 min + 3 × 120 s + 2 × 30 s = 12 min. The plugin sets no timeout on this call, so a wait
     * for a slot is fine; an endless one is not.
     */
    public Duration singleNodeWait(SessionSettings node) {
        return singleNodeQueueWait
                .plus(node.nodeTimeout().multipliedBy(node.maxAttempts()))
                .plus(retryCap.multipliedBy(node.maxAttempts() - 1L));
    }

    public CoreSettings withGlobalConcurrency(int value) {
        return new CoreSettings(
                value,
                sessionDefaults,
                retryBase,
                retryCap,
                estimatedSecondsPerNode,
                pendingExpiry,
                terminalRetention,
                pendingLimit,
                pendingLimitPerClient,
                singleNodeQueueWait,
                maxWaitingLooseRuns);
    }

    /** What one agent call is assumed to take: the offline agent's are instant, a model's take their time. */
    public CoreSettings withEstimatedSecondsPerNode(int value) {
        return new CoreSettings(
                globalConcurrency,
                sessionDefaults,
                retryBase,
                retryCap,
                value,
                pendingExpiry,
                terminalRetention,
                pendingLimit,
                pendingLimitPerClient,
                singleNodeQueueWait,
                maxWaitingLooseRuns);
    }

    public CoreSettings withSessionDefaults(SessionSettings value) {
        return new CoreSettings(
                globalConcurrency,
                value,
                retryBase,
                retryCap,
                estimatedSecondsPerNode,
                pendingExpiry,
                terminalRetention,
                pendingLimit,
                pendingLimitPerClient,
                singleNodeQueueWait,
                maxWaitingLooseRuns);
    }

    public CoreSettings withRetryBackoff(Duration base, Duration cap) {
        return new CoreSettings(
                globalConcurrency,
                sessionDefaults,
                base,
                cap,
                estimatedSecondsPerNode,
                pendingExpiry,
                terminalRetention,
                pendingLimit,
                pendingLimitPerClient,
                singleNodeQueueWait,
                maxWaitingLooseRuns);
    }

    public CoreSettings withRetention(Duration pending, Duration terminal) {
        return new CoreSettings(
                globalConcurrency,
                sessionDefaults,
                retryBase,
                retryCap,
                estimatedSecondsPerNode,
                pending,
                terminal,
                pendingLimit,
                pendingLimitPerClient,
                singleNodeQueueWait,
                maxWaitingLooseRuns);
    }

    public CoreSettings withPendingLimits(int global, int perClient) {
        return new CoreSettings(
                globalConcurrency,
                sessionDefaults,
                retryBase,
                retryCap,
                estimatedSecondsPerNode,
                pendingExpiry,
                terminalRetention,
                global,
                perClient,
                singleNodeQueueWait,
                maxWaitingLooseRuns);
    }

    public CoreSettings withSingleNodeLimits(Duration queueWait, int maxWaitingLoose) {
        return new CoreSettings(
                globalConcurrency,
                sessionDefaults,
                retryBase,
                retryCap,
                estimatedSecondsPerNode,
                pendingExpiry,
                terminalRetention,
                pendingLimit,
                pendingLimitPerClient,
                queueWait,
                maxWaitingLoose);
    }
}
