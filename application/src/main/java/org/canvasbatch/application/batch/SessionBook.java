package org.canvasbatch.application.batch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;

/**
 * The live sessions, each behind its own lock, kept in step with the event log: a change is applied to the aggregate
 * and appended to the log under the session's lock, so the log's order is the session's order and subscribers see
 * events in seq order. If the log refuses an append, the session is rebuilt from the log, so memory never runs ahead
 * of what is stored, and the {@link StorageWatch} hears of it (and of every append that is stored again).
 */
final class SessionBook {

    private static final System.Logger LOG = System.getLogger(SessionBook.class.getName());

    private final EventLog log;
    private final StorageWatch storage;
    private final Map<SessionId, Entry> entries = new ConcurrentHashMap<>();
    private final Set<SessionId> dispatching = ConcurrentHashMap.newKeySet();
    private final Set<SessionId> pending = ConcurrentHashMap.newKeySet();

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        /** Changes waiting for the lock, to be stored together by whoever gets it first; guarded by itself. */
        final java.util.ArrayDeque<Together> waiting = new java.util.ArrayDeque<>();

        Session session;

        Entry(Session session) {
            this.session = session;
        }
    }

    SessionBook(EventLog log, StorageWatch storage) {
        this.log = log;
        this.storage = storage;
    }

    /** Rebuilds the sessions the log knows that {@code wanted} accepts; returns how many were loaded. */
    int loadAll(java.util.function.Predicate<Session> wanted) {
        int loaded = 0;
        for (SessionId id : log.sessionIds()) {
            try {
                List<SessionEvent> history = readAll(id);
                if (history.isEmpty()) {
                    continue;
                }
                Session session = Session.fromHistory(history);
                if (!wanted.test(session)) {
                    continue;
                }
                entries.put(id, new Entry(session));
                track(session);
                loaded++;
            } catch (RuntimeException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "session " + id + " could not be rebuilt from its events: " + e.getMessage());
            }
        }
        return loaded;
    }

    List<SessionEvent> readAll(SessionId id) {
        List<SessionEvent> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<SessionEvent> page = log.readAfter(id, after, 10_000);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            after = page.getLast().seq();
        }
    }

    void add(Session.Creation creation) {
        Entry entry = new Entry(creation.session());
        entry.lock.lock();
        try {
            if (entries.putIfAbsent(creation.session().id(), entry) != null) {
                throw new IllegalStateException(
                        "session id " + creation.session().id() + " is taken");
            }
            try {
                log.append(List.of(creation.event()));
            } catch (RuntimeException e) {
                entries.remove(creation.session().id());
                if (e instanceof EventLogException refused) {
                    storage.refused(creation.session().id(), refused);
                }
                throw e;
            }
            storage.stored();
            track(creation.session());
        } finally {
            entry.lock.unlock();
        }
    }

    /** Applies a change and stores its events; returns them. */
    List<SessionEvent> change(SessionId id, Function<Session, List<SessionEvent>> command) {
        Entry entry = entry(id);
        entry.lock.lock();
        try {
            List<SessionEvent> events = command.apply(entry.session);
            if (!events.isEmpty()) {
                try {
                    log.append(events);
                } catch (RuntimeException e) {
                    entry.session = Session.fromHistory(readAll(id));
                    if (e instanceof EventLogException refused) {
                        storage.refused(id, refused);
                    }
                    throw e;
                }
                storage.stored();
            }
            track(entry.session);
            return events;
        } finally {
            entry.lock.unlock();
        }
    }

    /**
     * One change of {@link #changeTogether}: its result is set under the session's lock by the thread that stored it,
     * and read by its own thread only after taking that lock, so the lock orders both.
     */
    private static final class Together {
        final Function<Session, List<SessionEvent>> command;
        boolean done;
        List<SessionEvent> events;
        RuntimeException failure;

        Together(Function<Session, List<SessionEvent>> command) {
            this.command = command;
        }
    }

    /**
     * As {@link #change}, but changes to one session that wait for its lock at the same time are applied one after
     * another and stored in one append, so that one sync makes them all durable: the outcomes of a round of agent calls
     * that answered together, and the starts that replace them, wait for one sync, not for one sync each. Each caller
     * gets its own events or its own exception, exactly as from {@link #change}; if the log refuses the append, every
     * change of it fails with that refusal and the session is rebuilt from the log.
     */
    List<SessionEvent> changeTogether(SessionId id, Function<Session, List<SessionEvent>> command) {
        Entry entry = entry(id);
        Together mine = new Together(command);
        synchronized (entry.waiting) {
            entry.waiting.add(mine);
        }
        entry.lock.lock();
        try {
            if (!mine.done) {
                List<Together> batch;
                synchronized (entry.waiting) {
                    batch = List.copyOf(entry.waiting);
                    entry.waiting.clear();
                }
                storeTogether(id, entry, batch);
            }
        } finally {
            entry.lock.unlock();
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.events;
    }

    private void storeTogether(SessionId id, Entry entry, List<Together> batch) {
        List<SessionEvent> all = new ArrayList<>();
        List<Together> applied = new ArrayList<>(batch.size());
        for (Together change : batch) {
            try {
                change.events = change.command.apply(entry.session);
                all.addAll(change.events);
                applied.add(change);
            } catch (RuntimeException e) {
                change.failure = e;
                change.done = true;
            }
        }
        if (!all.isEmpty()) {
            try {
                log.append(all);
            } catch (RuntimeException e) {
                entry.session = Session.fromHistory(readAll(id));
                if (e instanceof EventLogException refused) {
                    storage.refused(id, refused);
                }
                for (Together change : applied) {
                    change.events = null;
                    change.failure = e;
                    change.done = true;
                }
                return;
            }
            storage.stored();
        }
        track(entry.session);
        for (Together change : applied) {
            change.done = true;
        }
    }

    /** Reads a session consistently (under its lock). */
    <T> T read(SessionId id, Function<Session, T> query) {
        Entry entry = entry(id);
        entry.lock.lock();
        try {
            return query.apply(entry.session);
        } finally {
            entry.lock.unlock();
        }
    }

    <T> Optional<T> readIfPresent(SessionId id, Function<Session, T> query) {
        Entry entry = entries.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        entry.lock.lock();
        try {
            return Optional.ofNullable(query.apply(entry.session));
        } finally {
            entry.lock.unlock();
        }
    }

    boolean contains(SessionId id) {
        return entries.containsKey(id);
    }

    Collection<SessionId> ids() {
        return List.copyOf(entries.keySet());
    }

    /** How many sessions wait in state pending (analysed, not yet confirmed). */
    int pendingCount() {
        return pending.size();
    }

    boolean isPending(SessionId id) {
        return pending.contains(id);
    }

    /** Sessions with nodes the dispatcher may start: running batches, and a person's reruns in any other. */
    Collection<SessionId> dispatchingIds() {
        return List.copyOf(dispatching);
    }

    void forget(SessionId id) {
        Entry entry = entries.remove(id);
        dispatching.remove(id);
        pending.remove(id);
        if (entry != null) {
            log.delete(id);
            storage.forget(id);
        }
    }

    EventLog log() {
        return log;
    }

    StorageWatch storage() {
        return storage;
    }

    private void track(Session session) {
        if (session.mayDispatch()) {
            dispatching.add(session.id());
        } else {
            dispatching.remove(session.id());
        }
        if (session.state() == SessionState.PENDING) {
            pending.add(session.id());
        } else {
            pending.remove(session.id());
        }
    }

    private Entry entry(SessionId id) {
        Entry entry = entries.get(id);
        if (entry == null) {
            throw new SessionNotFoundException(id);
        }
        return entry;
    }
}
