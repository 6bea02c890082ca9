package org.canvasbatch.adapters.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * Events kept in memory only: fast, and gone when the process ends (its epoch is new every start, so a reconnecting
 * client learns that history was lost).
 */
public final class InMemoryEventLog implements EventLog, JournalHealth {

    private static final System.Logger LOG = System.getLogger(InMemoryEventLog.class.getName());

    private final Map<SessionId, Stream> streams = new ConcurrentHashMap<>();
    private final String epoch = UUID.randomUUID().toString();

    /** One session's events; appends are serialised by the caller, reads may run concurrently. */
    private static final class Stream {
        final List<SessionEvent> events = new ArrayList<>();
        final List<Consumer<SessionEvent>> listeners = new CopyOnWriteArrayList<>();
    }

    @Override
    public void append(List<SessionEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        SessionId id = events.getFirst().sessionId();
        Stream stream = streams.computeIfAbsent(id, k -> new Stream());
        synchronized (stream) {
            long expected =
                    stream.events.isEmpty() ? 1 : stream.events.getLast().seq() + 1;
            for (SessionEvent event : events) {
                if (!event.sessionId().equals(id) || event.seq() != expected++) {
                    throw new EventLogException("event " + event.seq() + " of session " + event.sessionId()
                            + " does not continue session " + id + " at seq " + (expected - 1));
                }
            }
            stream.events.addAll(events);
        }
        for (SessionEvent event : events) {
            publish(stream, event);
        }
    }

    static void publish(Iterable<Consumer<SessionEvent>> listeners, SessionEvent event) {
        for (Consumer<SessionEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException | Error e) {
                // a subscriber's bug: the others still hear every event, and the stored events stay stored
                LOG.log(
                        System.Logger.Level.ERROR,
                        "a subscriber of session " + event.sessionId() + " failed on event " + event.seq(),
                        e);
            }
        }
    }

    private static void publish(Stream stream, SessionEvent event) {
        publish(stream.listeners, event);
    }

    @Override
    public List<SessionEvent> readAfter(SessionId sessionId, long afterSeq, int limit) {
        Stream stream = streams.get(sessionId);
        if (stream == null) {
            return List.of();
        }
        synchronized (stream) {
            int size = stream.events.size();
            // seqs are 1..n without gaps, so the index of seq s is s - 1
            int from = (int) Math.min(size, Math.max(0, afterSeq));
            int to = (int) Math.min(size, (long) from + limit);
            return List.copyOf(stream.events.subList(from, to));
        }
    }

    @Override
    public Subscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener) {
        Stream stream = streams.computeIfAbsent(sessionId, k -> new Stream());
        stream.listeners.add(listener);
        return () -> stream.listeners.remove(listener);
    }

    @Override
    public Set<SessionId> sessionIds() {
        Set<SessionId> ids = new java.util.HashSet<>();
        streams.forEach((id, stream) -> {
            synchronized (stream) {
                if (!stream.events.isEmpty()) {
                    ids.add(id);
                }
            }
        });
        return ids;
    }

    @Override
    public void delete(SessionId sessionId) {
        streams.remove(sessionId);
    }

    @Override
    public String epoch() {
        return epoch;
    }

    /** Memory always takes an event. */
    @Override
    public Optional<String> writeProblem() {
        return Optional.empty();
    }

    @Override
    public String location() {
        return "memory (nothing survives a restart)";
    }

    /** Nothing is synced. */
    @Override
    public void onSync(LongConsumer listener) {}
}
