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
import org.canvasbatch.application.port.out.EventLogConflict;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.application.port.out.SessionLeases;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;

/**
 * The live sessions, each behind its own lock, kept in step with the event log: a change is applied to the aggregate
 * and appended to the log under the session's lock, so the log's order is the session's order and subscribers see
 * events in seq order. If the log refuses an append, the session is rebuilt from the log, so memory never runs ahead
 * of what is stored, and the {@link StorageWatch} hears of it (and of every append that is stored again).
 *
 * <p>When the log is {@linkplain EventLog#shared() shared} with other servers, a session this server does not run (it
 * holds no {@link SessionLeases lease} on it) may be changed by them at any time: it is loaded from the log when first
 * asked for, and read up to the log's end before every read and change. A change made from a copy that another server
 * got ahead of loses the append ({@link EventLogConflict}); the session is reloaded and the command tried again. Only
 * sessions whose lease this server holds are dispatched here.
 */
final class SessionBook {

    private static final System.Logger LOG = System.getLogger(SessionBook.class.getName());

    /** Commands tried again after lost races, before the conflict is given up on (another server keeps winning). */
    private static final int RACES = 20;

    private final EventLog log;
    private final StorageWatch storage;
    private final SessionLeases leases;
    private final boolean shared;
    private final Map<SessionId, Entry> entries = new ConcurrentHashMap<>();
    private final Set<SessionId> dispatching = ConcurrentHashMap.newKeySet();
    private final Set<SessionId> pending = ConcurrentHashMap.newKeySet();

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        /** Changes waiting for the lock, to be stored together by whoever gets it first; guarded by itself. */
        final java.util.ArrayDeque<Together> waiting = new java.util.ArrayDeque<>();

        Session session;
        /**
         * The copy may be ahead of the log: an append failed and the log could not be read to rebuild it (a database
         * that is down refuses reads too). It is rebuilt before it is changed again.
         */
        boolean stale;

        Entry(Session session) {
            this.session = session;
        }
    }

    SessionBook(EventLog log, StorageWatch storage) {
        this(log, storage, SessionLeases.alone());
    }

    SessionBook(EventLog log, StorageWatch storage, SessionLeases leases) {
        this(log, storage, leases, (session, now) -> session.requeueInterrupted(now));
    }

    /**
     * @param settleInterrupted what a claim does with the nodes the server that had the session left running (see
     *                          {@link InterruptedRuns})
     */
    SessionBook(
            EventLog log,
            StorageWatch storage,
            SessionLeases leases,
            java.util.function.BiFunction<Session, java.time.Instant, List<SessionEvent>> settleInterrupted) {
        this.log = log;
        this.storage = storage;
        this.leases = leases;
        this.shared = log.shared();
        this.settleInterrupted = settleInterrupted;
    }

    private final java.util.function.BiFunction<Session, java.time.Instant, List<SessionEvent>> settleInterrupted;

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

    /**
     * In a cluster, reads the sessions other servers created since this one last looked, so that its lists and its
     * retention cover the whole database; when the log cannot be listed now, the lists answer from memory.
     */
    void discoverShared() {
        if (!shared) {
            return;
        }
        Set<SessionId> stored;
        try {
            stored = log.sessionIds();
        } catch (EventLogException unreadable) {
            return;
        }
        for (SessionId id : stored) {
            if (entries.containsKey(id)) {
                continue;
            }
            try {
                List<SessionEvent> history = readAll(id);
                if (!history.isEmpty()) {
                    Session session = Session.fromHistory(history);
                    if (entries.putIfAbsent(id, new Entry(session)) == null) {
                        track(session);
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        "session " + id + " of another server could not be read now: " + e.getMessage());
            }
        }
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
            if (entry.stale && !rebuild(id, entry)) {
                EventLogException unreadable = new EventLogException(
                        "session " + id + " cannot be read back from the event log, so it is not changed now");
                storage.refused(id, unreadable);
                throw unreadable;
            }
            catchUpIfElsewhere(id, entry);
            for (int race = 1; ; race++) {
                List<SessionEvent> events = command.apply(entry.session);
                if (!events.isEmpty()) {
                    try {
                        log.append(events);
                    } catch (EventLogConflict lost) {
                        // another server stored this seq first: the command is made again from what it stored
                        if (!rebuild(id, entry)) {
                            storage.refused(id, lost);
                            throw lost;
                        }
                        // a history damaged in the shared log (a row another server wrote that this one cannot read)
                        // takes the next seq for good: making the command again would lose every race
                        if (race >= RACES || isDamaged(id)) {
                            throw lost;
                        }
                        continue;
                    } catch (RuntimeException e) {
                        rebuild(id, entry);
                        if (e instanceof EventLogException refused) {
                            storage.refused(id, refused);
                        }
                        throw e;
                    }
                    storage.stored();
                }
                track(entry.session);
                return events;
            }
        } finally {
            entry.lock.unlock();
        }
    }

    /**
     * Rebuilds the session from the log, so that memory never runs ahead of what is stored; false (and the copy marked
     * stale) when the log cannot be read now.
     */
    private boolean rebuild(SessionId id, Entry entry) {
        try {
            entry.session = Session.fromHistory(readAll(id));
            entry.stale = false;
            track(entry.session);
            return true;
        } catch (EventLogException unreadable) {
            entry.stale = true;
            return false;
        }
    }

    /**
     * Gives a session of a shared log to the least loaded server, if no other server holds it (it is new here, or its
     * server let its lease expire), and runs it here if that is this server: nodes left running by the server that had
     * it are queued again, as after a restart.
     * True if this server took it over just now; false if it already ran it, another server does, or the log is this
     * server's alone.
     */
    boolean claim(SessionId id, java.time.Instant now) {
        if (!shared) {
            return false;
        }
        // one claim of a session at a time: a placement heard and the look for abandoned sessions (or a learner's
        // retry) may claim it together, and both would take the lease (the second finding it its own already) and
        // queue again the nodes the first had just started here, sending them to the model twice
        synchronized (claims[Math.floorMod(id.hashCode(), claims.length)]) {
            // a session taken here is not taken over from itself while its renewal is late: its nodes are in flight
            if (leases.taken(id)) {
                return false;
            }
            // read up to the log's end before the lease is taken: from the take on, the calls this server wants count
            // the session (what the cluster weighs to place the next batch), so this server must know it by then
            Entry entry = loaded(id);
            if (entry == null) {
                // nothing in the log to run (or a history no session can be rebuilt from): a lease taken for it would
                // be renewed here for good, then found SessionNotFoundException. A lease with no event at all is
                // nobody's: it goes. One whose history this build cannot read stays, for a server that can
                if (readAll(id).isEmpty()) {
                    leases.forgetRunOut(id);
                }
                return false;
            }
            entry.lock.lock();
            try {
                catchUpFromLog(id, entry);
            } finally {
                entry.lock.unlock();
            }
            if (!leases.place(id)) {
                return false;
            }
            entry.lock.lock();
            try {
                // again: the server that let the lease run out may have stored a last change since
                rebuild(id, entry);
            } finally {
                entry.lock.unlock();
            }
            change(id, s -> settleInterrupted.apply(s, now));
            return true;
        }
    }

    /** What claims of one session wait on; a few sessions share each (claims are rare, and brief but for the lease). */
    private final Object[] claims =
            java.util.stream.Stream.generate(Object::new).limit(64).toArray();

    /**
     * Reads up to the log's end a session another server appended to, if this server has it; returns the events read
     * (none if this server does not have the session).
     */
    List<SessionEvent> catchUp(SessionId id) {
        Entry entry = entries.get(id);
        if (entry == null) {
            return List.of();
        }
        entry.lock.lock();
        try {
            return catchUpFromLog(id, entry);
        } finally {
            entry.lock.unlock();
        }
    }

    /**
     * Asks the server of the cluster that runs the session, if another one does, to cancel it (see
     * {@link SessionLeases#askHolderToCancel}); false when this server runs it, or no live server does.
     */
    boolean askHolderToCancel(SessionId id, String reason) {
        return shared && !leases.taken(id) && leases.askHolderToCancel(id, reason);
    }

    /** Whether this server runs the session (always, with a log of its own). */
    boolean runsHere(SessionId id) {
        return !shared || leases.holds(id);
    }

    /** Sessions of a shared log whose server stopped renewing their lease. */
    List<SessionId> abandoned() {
        return shared ? leases.abandoned() : List.of();
    }

    /**
     * For the dispatcher, which asks at every free slot: a session this server runs as it is here, without a look at
     * the log (another server's change reaches it by notification, and an append made before that loses the race).
     */
    <T> Optional<T> readRunning(SessionId id, Function<Session, T> query) {
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

    /**
     * Reads answer as of the log: even a session this server runs may have been changed by another server a moment ago
     * (a person's cancel sent there), and whoever asks next, here, must see it.
     */
    private void catchUpIfShared(SessionId id, Entry entry) {
        if (shared) {
            catchUpFromLog(id, entry);
        }
    }

    private void catchUpIfElsewhere(SessionId id, Entry entry) {
        if (shared && !leases.holds(id)) {
            catchUpFromLog(id, entry);
        }
    }

    /**
     * Reads what other servers appended since this copy; when the log cannot be read (the database is down), the copy
     * answers as it is — a running batch's own work goes on, and its appends find the outage (the storage watch) —
     * rather than failing a read that a task or a status needs.
     */
    private List<SessionEvent> catchUpFromLog(SessionId id, Entry entry) {
        if (entry.stale) {
            rebuild(id, entry);
            return List.of();
        }
        List<SessionEvent> read = new ArrayList<>();
        while (true) {
            List<SessionEvent> newer;
            try {
                newer = log.readAfter(id, entry.session.lastSeq(), 10_000);
            } catch (EventLogException unreadable) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        "session " + id + " answered from memory: " + unreadable.getMessage());
                break;
            }
            if (newer.isEmpty()) {
                break;
            }
            for (SessionEvent event : newer) {
                entry.session.replay(event);
            }
            read.addAll(newer);
        }
        track(entry.session);
        return read;
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
     * change of it fails with that refusal and the session is rebuilt from the log. A shared log takes each change on
     * its own: a change there may lose a race to another server and be made again, which only {@link #change} does.
     */
    List<SessionEvent> changeTogether(SessionId id, Function<Session, List<SessionEvent>> command) {
        if (shared) {
            return change(id, command);
        }
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
        if (entry.stale && !rebuild(id, entry)) {
            EventLogException unreadable = new EventLogException(
                    "session " + id + " cannot be read back from the event log, so it is not changed now");
            storage.refused(id, unreadable);
            for (Together change : batch) {
                change.failure = unreadable;
                change.done = true;
            }
            return;
        }
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
                rebuild(id, entry);
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
            catchUpIfShared(id, entry);
            return query.apply(entry.session);
        } finally {
            entry.lock.unlock();
        }
    }

    <T> Optional<T> readIfPresent(SessionId id, Function<Session, T> query) {
        Entry entry = shared ? loaded(id) : entries.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        entry.lock.lock();
        try {
            catchUpIfShared(id, entry);
            return Optional.ofNullable(query.apply(entry.session));
        } finally {
            entry.lock.unlock();
        }
    }

    boolean contains(SessionId id) {
        return shared ? loaded(id) != null : entries.containsKey(id);
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

    /** The sessions waiting for confirmation, as a copy. */
    List<SessionId> pendingIds() {
        return List.copyOf(pending);
    }

    /**
     * Sessions with nodes this server's dispatcher may start: running batches, and a person's reruns in any other. Of a
     * shared log, those this server holds the lease of, except those whose history the log found damaged: their next
     * seq is taken by an event this server cannot read, so no node of theirs can be started here.
     */
    Collection<SessionId> dispatchingIds() {
        if (!shared) {
            return List.copyOf(dispatching);
        }
        Set<SessionId> damaged = log.damage().keySet();
        return dispatching.stream()
                .filter(leases::holds)
                .filter(id -> !damaged.contains(id))
                .toList();
    }

    private boolean isDamaged(SessionId id) {
        return shared && log.damage().containsKey(id);
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
        if (shared && !session.state().isActive() && !session.hasWorkLeft() && leases.taken(session.id())) {
            giveLeaseBack(session.id());
        }
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

    /**
     * Gives back the lease of a session that needs no server any more. Its last change is stored by then, so a failure
     * here changes nothing the learner sees: the lease runs out by itself, and the server that finds it abandoned finds
     * no work in it.
     */
    private void giveLeaseBack(SessionId id) {
        try {
            leases.release(id);
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the lease of the finished session " + id + " was not given back (" + e
                            + "); it runs out by itself");
        }
    }

    private Entry entry(SessionId id) {
        Entry entry = shared ? loaded(id) : entries.get(id);
        if (entry == null) {
            throw new SessionNotFoundException(id);
        }
        return entry;
    }

    /** The session's entry, loaded from a shared log if another server created it; null if the log has no such session. */
    private Entry loaded(SessionId id) {
        Entry entry = entries.get(id);
        if (entry != null) {
            return entry;
        }
        List<SessionEvent> history = readAll(id);
        if (history.isEmpty()) {
            return null;
        }
        Session session;
        try {
            session = Session.fromHistory(history);
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "session " + id + " could not be rebuilt from its events: " + e.getMessage());
            return null;
        }
        Entry fresh = new Entry(session);
        Entry raced = entries.putIfAbsent(id, fresh);
        if (raced != null) {
            return raced;
        }
        fresh.lock.lock();
        try {
            track(session);
        } finally {
            fresh.lock.unlock();
        }
        return fresh;
    }
}
