package org.canvasbatch.domain.session;

/**
 * A change the session's current state does not allow, e.g. confirming a running session. The message is written for a
 * person; {@code kind} tells adapters which error to answer with.
 */
public final class SessionConflict extends RuntimeException {

    public enum Kind {
        ALREADY_STARTED,
        /** Confirming a batch cancelled while it waited (replaced by a newer analysis, or cancelled by a person). */
        CANCELLED_BEFORE_START,
        ALREADY_FINISHED,
        NOT_RUNNING,
        NOT_PAUSED,
        UNKNOWN_NODE,
        UNKNOWN_GROUP,
        NODE_BUSY,
        STALE_RESULT
    }

    private final Kind kind;

    public SessionConflict(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
