package org.canvasbatch.domain.session;

import java.util.Locale;

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

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The coarse status the plugin polls: it stops polling only on {@code completed} or {@code failed}, so every
     * terminal state must map to one of those two. A finished batch with at least one success is {@code completed}.
     */
    public String pluginStatus() {
        return switch (this) {
            case PENDING -> "pending";
            case RUNNING -> "running";
            case PAUSED -> "paused";
            case COMPLETED, PARTIAL_FAILURE -> "completed";
            case FAILED, CANCELLED -> "failed";
        };
    }
}
