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
        holds.awaitUnheld(sessionId, HELD_NEWS_PATIENCE);
        try {
            return book.read(sessionId, Session::snapshot);
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
        return book.read(sessionId, session -> {
            EventLog.Subscription subscription =
                    log.subscribe(sessionId, session.lastSeq(), holds.watcher(sessionId, listener));
            return new SessionSubscription(session.snapshot(), log.epoch(), subscription);
        });
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
        holds.awaitUnheld(sessionId, HELD_NEWS_PATIENCE);
        long lastSeq = book.read(sessionId, Session::lastSeq);
        if (!book.contains(sessionId)) {
            throw new SessionNotFoundException(sessionId);
        }
        return new EventPage(log.readAfter(sessionId, Math.max(0, afterSeq), Math.max(1, limit)), lastSeq, log.epoch());
    }
}
