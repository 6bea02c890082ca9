package org.canvasbatch.bootstrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.canvasbatch.adapters.http.ops.HealthCheck;
import org.canvasbatch.adapters.journal.FileJournal;
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
    private final Observability metrics;
    private volatile String lastFailure;

    ObservedEventLog(EventLog delegate, Observability metrics) {
        this.delegate = delegate;
        this.metrics = metrics;
    }

    @Override
    public void append(List<SessionEvent> events) {
        try {
            delegate.append(events);
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
            case SessionEvent.SessionFinished e ->
                metrics.sessionsEnded.inc(e.state().wireName());
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
        HealthCheck journal = health();
        return () -> {
            Optional<StorageProblem> problem = outage.get();
            if (problem.isPresent()) {
                StorageProblem p = problem.get();
                return HealthCheck.Result.down(
                        "journal",
                        p.message() + " (since " + p.since() + "; " + p.heldWrites()
                                + " outcome(s) held, tried again at " + p.nextCheckAt() + ")");
            }
            return journal.check();
        };
    }

    /**
     * Ready when the journal can take events: its folder accepts a new file (a probe created and deleted, no sync, so
     * the check stays cheap) and the last append did not fail. A journal in memory is always writable.
     */
    HealthCheck health() {
        return () -> {
            String failure = lastFailure;
            if (failure != null) {
                return HealthCheck.Result.down("journal", "the last append failed: " + failure);
            }
            if (!(delegate instanceof FileJournal file)) {
                return HealthCheck.Result.up("journal", "in memory (nothing survives a restart)");
            }
            Path dir = file.directory().resolve("sessions");
            try {
                Path probe = Files.createTempFile(dir, ".health-", ".probe");
                Files.delete(probe);
                return HealthCheck.Result.up("journal", "writable at " + dir);
            } catch (IOException | SecurityException e) {
                return HealthCheck.Result.down("journal", "cannot write to " + dir + ": " + e);
            }
        };
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
