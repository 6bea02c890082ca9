package org.canvasbatch.application.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;

/**
 * Retention (CONTRACT §4): a session never confirmed is forgotten after the pending expiry; a finished one after the
 * terminal retention. Forgotten sessions answer 404 and their events leave the log.
 */
final class ForgettingSessions {

    private static final System.Logger LOG = System.getLogger(ForgettingSessions.class.getName());

    private final SessionBook book;
    private final Clock clock;
    private final CoreSettings settings;

    ForgettingSessions(SessionBook book, Clock clock, CoreSettings settings) {
        this.book = book;
        this.clock = clock;
        this.settings = settings;
    }

    /** Forgets what is due; returns the ids forgotten. */
    List<SessionId> sweep() {
        Instant now = clock.now();
        List<SessionId> forgotten = new ArrayList<>();
        // in a cluster, every server applies retention to every session: what one forgot is due on the others too
        book.discoverShared();
        for (SessionId id : book.ids()) {
            boolean due = book.readIfPresent(id, s -> {
                        if (s.state() == SessionState.PENDING) {
                            return !s.createdAt().plus(settings.pendingExpiry()).isAfter(now);
                        }
                        // a finished session whose node a person is rerunning is kept until that run is back
                        return s.state().isTerminal()
                                && !s.hasWorkLeft()
                                && s.finishedAt()
                                        .map(end -> !end.plus(settings.terminalRetention())
                                                .isAfter(now))
                                        .orElse(false);
                    })
                    .orElse(false);
            if (due) {
                book.forget(id);
                forgotten.add(id);
            }
        }
        if (!forgotten.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "forgot " + forgotten.size() + " expired session(s)");
        }
        return forgotten;
    }
}
