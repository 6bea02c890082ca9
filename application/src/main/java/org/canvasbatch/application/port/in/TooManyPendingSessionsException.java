package org.canvasbatch.application.port.in;

import java.time.Duration;

/**
 * An analysis refused because too many analysed sessions already wait to be confirmed: each holds its groups in memory
 * and its events in the journal until it is confirmed, cancelled or expires, so without a cap anyone could fill both.
 */
public final class TooManyPendingSessionsException extends RuntimeException {

    /** Whose limit was reached. */
    public enum Scope {
        /** The server's, over all clients. */
        SERVER,
        /** One client address's. */
        CLIENT
    }

    private final Scope scope;
    private final int limit;
    private final Duration retryAfter;

    public TooManyPendingSessionsException(Scope scope, int limit, Duration retryAfter, String message) {
        super(message, null, false, false);
        this.scope = scope;
        this.limit = limit;
        this.retryAfter = retryAfter;
    }

    public Scope scope() {
        return scope;
    }

    public int limit() {
        return limit;
    }

    /** When a place frees up at the latest (the oldest pending session expires); confirming or cancelling frees one now. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
