package org.canvasbatch.domain.session;

/** One node task's lifecycle: {@code queued → running → succeeded | failed | cancelled}. */
public enum NodeState {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** Succeeded or failed: what the plugin counts as processed. */
    public boolean isProcessed() {
        return this == SUCCEEDED || this == FAILED;
    }
}
