package org.canvasbatch.testsupport;

import java.util.List;
import java.util.function.Consumer;
import org.canvasbatch.application.port.out.SessionLeases;
import org.canvasbatch.domain.session.SessionId;

/** Real leases seen through a window a test looks at: override what it watches, the rest goes to {@code delegate}. */
public class ForwardingLeases implements SessionLeases {

    private final SessionLeases delegate;

    public ForwardingLeases(SessionLeases delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean holds(SessionId sessionId) {
        return delegate.holds(sessionId);
    }

    @Override
    public boolean taken(SessionId sessionId) {
        return delegate.taken(sessionId);
    }

    @Override
    public boolean take(SessionId sessionId) {
        return delegate.take(sessionId);
    }

    @Override
    public boolean place(SessionId sessionId) {
        return delegate.place(sessionId);
    }

    @Override
    public void onPlacedHere(Consumer<SessionId> listener) {
        delegate.onPlacedHere(listener);
    }

    @Override
    public boolean askHolderToCancel(SessionId sessionId, String reason) {
        return delegate.askHolderToCancel(sessionId, reason);
    }

    @Override
    public void onCancelAsked(java.util.function.BiConsumer<SessionId, String> listener) {
        delegate.onCancelAsked(listener);
    }

    @Override
    public void forgetRunOut(SessionId sessionId) {
        delegate.forgetRunOut(sessionId);
    }

    @Override
    public void release(SessionId sessionId) {
        delegate.release(sessionId);
    }

    @Override
    public List<SessionId> abandoned() {
        return delegate.abandoned();
    }

    @Override
    public List<String> claimStoppedServers() {
        return delegate.claimStoppedServers();
    }

    @Override
    public void forgetStoppedServer(String server) {
        delegate.forgetStoppedServer(server);
    }
}
