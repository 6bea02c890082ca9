package org.canvasbatch.domain.session;

/** The precise lifecycle of a session (CONTRACT §4). */
public enum SessionState {
    PENDING,
    RUNNING,
    PAUSED,
    COMPLETED,
    PARTIAL_FAILURE,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == COMPLETED || this == PARTIAL_FAILURE || this == FAILED || this == CANCELLED;
    }

    /** Work is still to be done or in flight. */
    public boolean isActive() {
        return this == RUNNING || this == PAUSED;
    }
}
