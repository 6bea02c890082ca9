package org.canvasbatch.bootstrap;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.canvasbatch.adapters.http.ops.Operations;
import org.canvasbatch.adapters.http.wire.WireNames;
import org.canvasbatch.adapters.journal.JournalHealth;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * The event log as the core sees it, counting what it stores: every event appended is counted once, after it is
 * durable, so the node and session counters agree with the journal; events read back (recovery, resume) are not
 * counted again. It also remembers whether the last append failed, for the readiness check.
 */
final class ObservedEventLog implements EventLog, AutoCloseable {

    private final EventLog delegate;
    private final JournalHealth journal;
    private final Observability metrics;
    private volatile String lastFailure;

    ObservedEventLog(EventLog delegate, JournalHealth journal, Observability metrics) {
        this.delegate = delegate;
        this.journal = journal;
        this.metrics = metrics;
    }

    @Override
    public void append(List<SessionEvent> events) {
        try {
            delegate.append(events);
        } catch (org.canvasbatch.application.port.out.EventLogConflict lostRace) {
            // another server stored that seq first (or the session's history there is damaged): the store works, so
            // a lost race must not make this server look unready until its next append
            throw lostRace;
        } catch (EventLogException e) {
            metrics.appendFailures.inc();
            lastFailure = e.getMessage();
            throw e;
        }
        lastFailure = null;
        events.forEach(this::count);
    }

    private void count(SessionEvent event) {
        metrics.eventsAppended.inc(event.getClass().getSimpleName());
        switch (event) {
            case SessionEvent.TaskSucceeded e ->
                metrics.nodesSucceeded.inc(e.agent().wireName());
            case SessionEvent.TaskFailed e -> metrics.nodesFailed.inc(e.agent().wireName(), orNone(e.errorType()));
            case SessionEvent.TaskRetryScheduled e -> metrics.nodesRetried.inc(orNone(e.errorType()));
            case SessionEvent.SessionFinished e -> metrics.sessionsEnded.inc(WireNames.state(e.state()));
            case SessionEvent.SessionCancelled e -> metrics.sessionsEnded.inc("cancelled");
            default -> {}
        }
    }

    private static String orNone(String errorType) {
        return errorType == null || errorType.isBlank() ? "unknown" : errorType;
    }

    /**
     * As {@link #health()}, and DOWN while the core reports that progress cannot be saved (from the first refused append
     * until the journal takes events again with nothing left held), with the reason.
     */
    HealthCheck health(Supplier<Optional<StorageProblem>> outage) {
        return Operations.readiness(
                "journal",
                () -> outage.get()
                        .map(p -> Operations.down(p.message() + " (since " + p.since() + "; " + p.heldWrites()
                                + " outcome(s) held, tried again at " + p.nextCheckAt() + ")"))
                        .orElseGet(this::writable));
    }

    /**
     * Ready when the journal can take events: it says it could store one now (a file journal's folder accepts a new
     * file) and the last append did not fail.
     */
    HealthCheck health() {
        return Operations.readiness("journal", this::writable);
    }

    private HealthCheckResponse writable() {
        String failure = lastFailure;
        if (failure != null) {
            return Operations.down("the last append failed: " + failure);
        }
        return journal.writeProblem()
                .map(Operations::down)
                .orElseGet(() -> Operations.up("events go to " + journal.location()));
    }

    /** A probe that goes through means the journal takes events again: ready, even before the next append. */
    @Override
    public void probeWritable() {
        delegate.probeWritable();
        lastFailure = null;
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
    public String epoch() {
        return delegate.epoch();
    }

    @Override
    public void close() throws Exception {
        if (delegate instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
