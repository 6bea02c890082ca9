package org.canvasbatch.application.port.in;

import java.util.List;
import java.util.function.Consumer;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * Live events of a session without a gap: the listener is registered before the snapshot is taken, under the session's
 * lock, so the snapshot reflects exactly the events up to {@code snapshot.lastSeq()} and the listener receives exactly
 * the ones after it. Older events are read with {@link #eventsAfter}.
 */
public interface SubscribeToSessionQuery {

    /** @throws SessionNotFoundException for an unknown session */
    SessionSubscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener);

    /**
     * Tells {@code listener} when the session's progress can no longer be saved (the journal refuses its events). This is
     * a transient notice, not an event: nothing is stored, it has no seq of its own and is never replayed. It comes once
     * per outage and session, on the thread whose append was refused, so the listener must only hand it on.
     */
    Registration onStorageProblem(SessionId sessionId, Consumer<StorageProblem> listener);

    /** Ends a registration; closing twice is harmless. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** The session's history after {@code afterSeq}, up to {@code limit} events (the HTTP events endpoint, replay). */
    EventPage eventsAfter(SessionId sessionId, long afterSeq, int limit);

    /**
     * The session's history after {@code afterSeq}, streamed from the store a chunk at a time: a replay asks for the
     * next chunk only when it has room for it, so it never holds more than one, however long the history. Close it.
     *
     * @throws SessionNotFoundException for an unknown session
     */
    EventChunks readEvents(SessionId sessionId, long afterSeq);

    /** A place in a session's history, read forward a chunk at a time. */
    interface EventChunks extends AutoCloseable {
        /** Up to {@code max} next events in seq order; empty at the (current) end. */
        List<SessionEvent> next(int max);

        @Override
        void close();
    }

    record SessionSubscription(SessionSnapshot snapshot, String epoch, AutoCloseable handle) implements AutoCloseable {
        @Override
        public void close() {
            try {
                handle.close();
            } catch (Exception ignored) {
                // closing a subscription only unregisters a listener; nothing can be lost here
            }
        }
    }

    /** @param lastSeq the session's newest seq at the time of reading */
    record EventPage(List<SessionEvent> events, long lastSeq, String epoch) {}
}
