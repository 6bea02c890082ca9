package org.canvasbatch.application.batch;

import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.SessionStatusQuery;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

final class ReadingSessions implements SessionStatusQuery, SubscribeToSessionQuery {

    private final SessionBook book;
    private final EventLog log;
    private final NewsHolds holds;
    /**
     * How long a reader of the history waits for a hold on the session's news (a cancel until its answer is written)
     * to end: the stored history must not tell a socket or a poll what the live watchers are held back from.
     */
    private static final java.time.Duration HELD_NEWS_PATIENCE = java.time.Duration.ofSeconds(5);

    ReadingSessions(SessionBook book, NewsHolds holds) {
        this.book = book;
        this.log = book.log();
        this.holds = holds;
    }

    @Override
    public SessionSnapshot status(SessionId sessionId) {
        try {
            return readUnheld(sessionId, Session::snapshot);
        } catch (SessionNotFoundException e) {
            // a session whose stored history could not be read at all is not simply unknown: say what happened to it
            String damage = log.damage().get(sessionId);
            throw damage == null ? e : new SessionNotFoundException(sessionId, damage);
        }
    }

    @Override
    public java.util.Optional<StorageProblem> storageProblem(SessionId sessionId) {
        StorageWatch storage = book.storage();
        var problem = storage.problem();
        if (problem.isEmpty()) {
            return problem;
        }
        boolean active =
                book.readIfPresent(sessionId, s -> s.state().isActive()).orElse(false);
        return active || storage.touches(sessionId) ? problem : java.util.Optional.empty();
    }

    @Override
    public Registration onStorageProblem(SessionId sessionId, Consumer<StorageProblem> listener) {
        return book.storage().listen(sessionId, listener);
    }

    @Override
    public java.util.Optional<String> historyDamage(SessionId sessionId) {
        return java.util.Optional.ofNullable(log.damage().get(sessionId));
    }

    @Override
    public List<SessionSnapshot> sessions() {
        book.discoverShared(); // in a cluster, every server's sessions
        return book.ids().stream()
                .flatMap(id -> book.readIfPresent(id, Session::snapshot).stream())
                .sorted(Comparator.comparing(SessionSnapshot::createdAt).reversed())
                .toList();
    }

    @Override
    public SessionSubscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener) {
        // under the session's lock no event can be appended here, so the snapshot and the live stream meet exactly;
        // another server of a cluster may append meanwhile, so the stream starts after the snapshot's own last seq
        return readUnheld(sessionId, session -> {
            EventLog.Subscription subscription =
                    log.subscribe(sessionId, session.lastSeq(), holds.watcher(sessionId, listener));
            return new SessionSubscription(session.snapshot(), log.epoch(), subscription);
        });
    }

    /**
     * Reads the session under its lock at a moment no one holds its news. Waiting for the hold to end is not enough: a
     * cancel may take its hold and store the cancellation between that wait and the read. A cancel takes its hold
     * before it changes the session, so a read under the lock that finds no hold cannot see a cancellation whose
     * answer is still unwritten.
     */
    private <T> T readUnheld(SessionId sessionId, java.util.function.Function<Session, T> reader) {
        long deadline = System.nanoTime() + HELD_NEWS_PATIENCE.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            holds.awaitUnheld(sessionId, java.time.Duration.ofNanos(Math.max(0, left)));
            // an interrupted reader (its socket cut off) returns at once from every wait: it reads now, not spins
            boolean patient = !Thread.currentThread().isInterrupted();
            java.util.Optional<T> read = book.read(
                    sessionId,
                    session -> patient && holds.held(sessionId) && System.nanoTime() < deadline
                            ? java.util.Optional.<T>empty()
                            : java.util.Optional.of(reader.apply(session)));
            if (read.isPresent()) {
                return read.get();
            }
        }
    }

    @Override
    public EventChunks readEvents(SessionId sessionId, long afterSeq) {
        if (!book.contains(sessionId)) {
            throw new SessionNotFoundException(sessionId);
        }
        holds.awaitUnheld(sessionId, HELD_NEWS_PATIENCE);
        EventLog.EventReader reader = log.read(sessionId, Math.max(0, afterSeq));
        return new EventChunks() {
            @Override
            public List<SessionEvent> next(int max) {
                return reader.next(max);
            }

            @Override
            public void close() {
                reader.close();
            }
        };
    }

    @Override
    public EventPage eventsAfter(SessionId sessionId, long afterSeq, int limit) {
        long lastSeq = readUnheld(sessionId, Session::lastSeq);
        if (!book.contains(sessionId)) {
            throw new SessionNotFoundException(sessionId);
        }
        return new EventPage(log.readAfter(sessionId, Math.max(0, afterSeq), Math.max(1, limit)), lastSeq, log.epoch());
    }
}
