package org.canvasbatch.application.port.out;

import java.util.Optional;

/**
 * Events that could not be stored: the disk is full, the journal is read-only, a record is damaged … When the store can
 * say so, {@link #reason()} names the cause in a person's words ("no space left on device") and {@link #location()}
 * where it happened (the folder), so that the message a learner sees can be short and exact. A store shared by several
 * servers refuses an append that another server's append got to first with an {@link EventLogConflict}: that is no
 * outage, and the loser reloads the session and tries its command again.
 */
public sealed class EventLogException extends RuntimeException permits EventLogConflict {

    private final String reason;
    private final String location;

    public EventLogException(String message, Throwable cause) {
        this(message, null, null, cause);
    }

    public EventLogException(String message) {
        this(message, null, null, null);
    }

    /**
     * @param reason   the cause in a person's words, e.g. {@code no space left on device}
     * @param location where the store failed, e.g. the journal's folder
     */
    public EventLogException(String message, String reason, String location, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.location = location;
    }

    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    public Optional<String> location() {
        return Optional.ofNullable(location);
    }
}
