package org.canvasbatch.adapters.http.ws;

import java.util.Optional;
import java.util.function.Consumer;
import org.canvasbatch.adapters.http.wire.EventMessages;
import org.canvasbatch.adapters.http.wire.EventMessages.Envelope;
import org.canvasbatch.adapters.http.wire.EventMessages.ProgressTracker;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.SessionStatusQuery;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.EventPage;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionCreated;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * A session's past as messages: what a resuming socket and the HTTP events endpoint are sent. The messages are exactly
 * the live ones, derived {@code progress_update}s included, because the counts are folded from the session's first
 * event rather than taken from today's status.
 */
final class History {

    private final SubscribeToSessionQuery subscriptions;
    private final SessionStatusQuery status;
    private final Clock clock;
    private final int pageSize;

    History(SubscribeToSessionQuery subscriptions, SessionStatusQuery status, Clock clock, int pageSize) {
        this.subscriptions = subscriptions;
        this.status = status;
        this.clock = clock;
        this.pageSize = pageSize;
    }

    Optional<SessionSnapshot> status(SessionId id) {
        try {
            return Optional.of(status.status(id));
        } catch (SessionNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Why the session's progress cannot be saved now, if it cannot (the journal refuses events). */
    Optional<org.canvasbatch.application.port.in.StorageProblem> storageProblem(SessionId id) {
        return status.storageProblem(id);
    }

    /** The newest seq and the epoch, without reading history. @throws SessionNotFoundException */
    EventPage head(SessionId id) {
        return subscriptions.eventsAfter(id, Long.MAX_VALUE - 1, 1);
    }

    /**
     * Whether the journal still holds everything needed to replay {@code (after, upTo]}: the session's first event
     * (the counts are folded from it) and the event right after {@code after}. Journals lose history only from the
     * start or all at once, so these two reads decide it.
     */
    boolean holds(SessionId id, long after, long upTo) {
        var first = subscriptions.eventsAfter(id, 0, 1).events();
        if (first.isEmpty() || !(first.getFirst() instanceof SessionCreated)) {
            return upTo <= after;
        }
        if (after >= upTo) {
            return true;
        }
        var next = subscriptions.eventsAfter(id, after, 1).events();
        return !next.isEmpty() && next.getFirst().seq() == after + 1;
    }

    /**
     * Hands the messages of the events {@code (after, upTo]} to {@code out} in order; returns false if the journal
     * turned out to have a hole (nothing after it is handed on then).
     */
    boolean replay(SessionId id, long after, long upTo, Consumer<Envelope> out) {
        ProgressTracker tracker = null;
        long cursor = 0;
        while (cursor < upTo) {
            EventPage page = subscriptions.eventsAfter(id, cursor, (int) Math.min(pageSize, upTo - cursor));
            if (page.events().isEmpty()) {
                return false;
            }
            for (SessionEvent event : page.events()) {
                if (event.seq() != cursor + 1) {
                    return false;
                }
                if (tracker == null) {
                    if (!(event instanceof SessionCreated created)) {
                        return false;
                    }
                    tracker = ProgressTracker.of(created);
                }
                if (event.seq() <= after) {
                    tracker.apply(event);
                } else {
                    EventMessages.of(event, tracker, () -> status(id), clock.now())
                            .forEach(out);
                }
                cursor = event.seq();
                if (cursor >= upTo) {
                    break;
                }
            }
        }
        return true;
    }
}
