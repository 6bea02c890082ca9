package org.canvasbatch.application.port.out;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * The source of truth: every session's events in seq order. {@link #append} returns only once the events are as durable
 * as the implementation promises, and then hands them to the session's subscribers — so no subscriber ever sees an
 * event that a crash could take back.
 */
public interface EventLog {

    /**
     * Appends events of one session, whose seqs continue the session's history without a gap. Callers serialise the
     * appends of one session; appends of different sessions may run concurrently.
     *
     * @throws EventLogException when the events could not be stored (nothing was published then)
     */
    void append(List<SessionEvent> events);

    /** Up to {@code limit} events with {@code seq > afterSeq}, in order. Unknown sessions have no events. */
    List<SessionEvent> readAfter(SessionId sessionId, long afterSeq, int limit);

    /**
     * Registers a listener for events appended from now on. The listener runs on the appending thread and must only
     * hand the event on (e.g. enqueue it); an exception it throws is contained and does not affect the append.
     */
    Subscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener);

    /** Every session that has events. */
    Set<SessionId> sessionIds();

    /** Forgets a session and its events (retention). */
    void delete(SessionId sessionId);

    /**
     * Sessions whose stored history is damaged (a corrupt record in the middle), each with a sentence for a person:
     * such a session loads up to the damage and says so in its status.
     */
    default java.util.Map<SessionId, String> damage() {
        return java.util.Map.of();
    }

    /**
     * Proves that an append would be stored now, e.g. by writing and syncing a small probe where the events go. The core
     * calls it while the store is refusing appends and nothing else is waiting to be written, to learn when it may go
     * on. A store in memory can always take events.
     *
     * @throws EventLogException when it would not (with the same reason an append would fail with)
     */
    default void probeWritable() {}

    /** Identifies this store's history; it changes only when history was lost. */
    String epoch();

    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
