package org.canvasbatch.application.port.out;

/**
 * An append lost a race: another writer (another server sharing the store) stored the session's next seq first, so the
 * events were made from a stale copy of the session. Nothing was stored or published; the session must be reloaded
 * from the log and the command tried again against what is there now.
 */
public final class EventLogConflict extends EventLogException {

    public EventLogConflict(String message) {
        super(message);
    }
}
