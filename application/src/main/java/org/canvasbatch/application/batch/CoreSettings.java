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
        int pendingLimitPerClient) {

    public static final CoreSettings DEFAULT = new CoreSettings(
            12,
            SessionSettings.DEFAULT,
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            20,
            Duration.ofMinutes(30),
            Duration.ofMinutes(30),
            200,
            20);

    public CoreSettings {
        if (globalConcurrency < 1) {
            throw new IllegalArgumentException("the global concurrency must be at least 1");
        }
        if (pendingLimit < 1 || pendingLimitPerClient < 1) {
            throw new IllegalArgumentException("the limits of pending sessions must be at least 1");
        }
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
                pendingLimitPerClient);
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
                pendingLimitPerClient);
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
                pendingLimitPerClient);
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
                pendingLimitPerClient);
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
                perClient);
    }
}
