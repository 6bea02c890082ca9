package org.canvasbatch.testsupport;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/** An event log that hands every call on to another, for tests that override one call (a full disk, a failing append). */
public class ForwardingEventLog implements EventLog {

    private final EventLog delegate;

    public ForwardingEventLog(EventLog delegate) {
        this.delegate = delegate;
    }

    @Override
    public void append(List<SessionEvent> events) {
        delegate.append(events);
    }

    @Override
    public List<SessionEvent> readAfter(SessionId sessionId, long afterSeq, int limit) {
        return delegate.readAfter(sessionId, afterSeq, limit);
    }

    @Override
    public EventReader read(SessionId sessionId, long afterSeq) {
        return delegate.read(sessionId, afterSeq);
    }

    @Override
    public Subscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener) {
        return delegate.subscribe(sessionId, listener);
    }

    @Override
    public Subscription subscribe(SessionId sessionId, long afterSeq, Consumer<SessionEvent> listener) {
        return delegate.subscribe(sessionId, afterSeq, listener);
    }

    @Override
    public boolean shared() {
        return delegate.shared();
    }

    @Override
    public Subscription onStoredElsewhere(java.util.function.BiConsumer<SessionId, Long> listener) {
        return delegate.onStoredElsewhere(listener);
    }

    @Override
    public Set<SessionId> sessionIds() {
        return delegate.sessionIds();
    }

    @Override
    public void delete(SessionId sessionId) {
        delegate.delete(sessionId);
    }

    @Override
    public Map<SessionId, String> damage() {
        return delegate.damage();
    }

    @Override
    public void probeWritable() {
        delegate.probeWritable();
    }

    @Override
    public String epoch() {
        return delegate.epoch();
    }
}
