package org.canvasbatch.application.port.out;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * The source of truth: every session's events in seq order. {@link #append} hands the events to the session's
 * subscribers only once they are as durable as the implementation promises, and returns only after that — so no
 * subscriber ever sees an event that a crash could take back, and none hears it after its appender went on.
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
     * Reads the events with {@code seq > afterSeq} in order, a chunk at a time, for replays that must never hold a whole
     * history at once: the reader keeps its place between chunks (a file journal keeps its file open) and reads the next
     * chunk only when asked, so a caller that asks only when it has room holds at most one chunk. Events appended after
     * the reader was opened are read too, when it gets there. Close it when done; an unknown session has no events.
     */
    default EventReader read(SessionId sessionId, long afterSeq) {
        long[] position = {Math.max(0, afterSeq)};
        return new EventReader() {
            @Override
            public List<SessionEvent> next(int max) {
                List<SessionEvent> chunk = readAfter(sessionId, position[0], Math.max(1, max));
                if (!chunk.isEmpty()) {
                    position[0] = chunk.getLast().seq();
                }
                return chunk;
            }

            @Override
            public void close() {}
        };
    }

    /** A place in one session's history, read forward a chunk at a time (see {@link #read}). */
    interface EventReader extends AutoCloseable {
        /** Up to {@code max} next events in seq order; empty at the (current) end. */
        List<SessionEvent> next(int max);

        @Override
        void close();
    }

    /**
     * Registers a listener for events appended from now on. The listener hears an append's events before
     * {@link #append} returns, in seq order: on the appending thread, or on the thread that made them durable (a file
     * journal's sync thread, so that live news does not wait for the appender to be scheduled again). It must only
     * hand the event on (e.g. enqueue it) and never wait for the session; an exception it throws is contained and does
     * not affect the append.
     */
    Subscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener);

    /**
     * Registers a listener for every event with {@code seq > afterSeq}, those already stored included, in seq order,
     * each once. A log that only this process appends to gives the events appended from now on: its appends are
     * serialised by the caller that also knows {@code afterSeq}. A log {@linkplain #shared() shared} with other servers
     * reads what they stored since {@code afterSeq} so that nothing between the caller's copy and the live stream is lost.
     */
    default Subscription subscribe(SessionId sessionId, long afterSeq, Consumer<SessionEvent> listener) {
        return subscribe(sessionId, listener);
    }

    /**
     * Whether other processes append to this log too (a database shared by the servers of a cluster): then a session's
     * copy in memory may be behind the log, appends made from it may lose a race ({@link EventLogConflict}), and the
     * core reads the log before it answers.
     */
    default boolean shared() {
        return false;
    }

    /**
     * Tells {@code listener} the session and last seq of every append another process stored, soon after it was stored
     * (a shared log only; others never call it). It runs on the log's own thread and must only hand the news on.
     */
    default Subscription onStoredElsewhere(java.util.function.BiConsumer<SessionId, Long> listener) {
        return () -> {};
    }

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
