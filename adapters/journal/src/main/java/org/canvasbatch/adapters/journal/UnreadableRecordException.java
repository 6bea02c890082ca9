package org.canvasbatch.adapters.journal;

/** A record whose bytes are intact (its checksum matches) but which does not hold an event this version can read. */
final class UnreadableRecordException extends Exception {

    UnreadableRecordException(String message) {
        super(message);
    }

    UnreadableRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
