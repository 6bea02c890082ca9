package org.canvasbatch.adapters.http.ws;

import java.util.function.Consumer;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * The core's subscriptions as a test lets the channel see them: everything is passed on, and a test overrides the one
 * step it watches or holds (a subscription that waits as during a cancel's answer, one that tells when it closes).
 */
class ForwardingSubscriptions implements SubscribeToSessionQuery {

    private final SubscribeToSessionQuery core;

    ForwardingSubscriptions(SubscribeToSessionQuery core) {
        this.core = core;
    }

    @Override
    public SessionSubscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener) {
        return core.subscribe(sessionId, listener);
    }

    @Override
    public Registration onStorageProblem(SessionId sessionId, Consumer<StorageProblem> listener) {
        return core.onStorageProblem(sessionId, listener);
    }

    @Override
    public EventPage eventsAfter(SessionId sessionId, long afterSeq, int limit) {
        return core.eventsAfter(sessionId, afterSeq, limit);
    }

    @Override
    public EventChunks readEvents(SessionId sessionId, long afterSeq) {
        return core.readEvents(sessionId, afterSeq);
    }

    /** {@code useCases} with these subscriptions in place of its own. */
    UseCases in(UseCases useCases) {
        return new UseCases(
                useCases.analyze(),
                useCases.start(),
                useCases.cancel(),
                useCases.pause(),
                useCases.resume(),
                useCases.changePriority(),
                useCases.retryNode(),
                useCases.runSingleNode(),
                useCases.status(),
                this);
    }
}
