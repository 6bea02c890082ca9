package org.canvasbatch.application.port.out;

/** Events that could not be stored: the disk is full, the journal is read-only, a record is damaged … */
public final class EventLogException extends RuntimeException {
    public EventLogException(String message, Throwable cause) {
        super(message, cause);
    }

    public EventLogException(String message) {
        super(message);
    }
}
