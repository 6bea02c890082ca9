package org.canvasbatch.bootstrap;

import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.canvasbatch.adapters.http.ops.HealthCheck;
import org.canvasbatch.adapters.http.ops.MetricsRegistry;
import org.canvasbatch.adapters.http.ops.OperationsRoutes;
import org.canvasbatch.adapters.http.wire.WireNames;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.journal.FileJournal;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionState;

/**
 * The metrics of one process and where they are measured. The core has no global event hook and should not get one for
 * metrics' sake, so the counts come from outside it: the event log is wrapped ({@link ObservedEventLog}: every stored
 * event is counted once, replays are not), agent calls are timed by wrapping the {@link AgentRunner}, the journal
 * reports its syncs, and gauges read the core's sessions and the socket channel when Prometheus scrapes.
 */
final class Observability {

    /** Agent calls take from milliseconds (offline) to minutes (a long note from a slow model). */
    static final double[] AGENT_SECONDS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300};
    /** An fdatasync takes from tens of microseconds (a cached SSD) to a second (a busy disk). */
    static final double[] FSYNC_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1
    };

    private final MetricsRegistry registry = new MetricsRegistry();
    private final long startedNanos = System.nanoTime();
    final MetricsRegistry.Counter eventsAppended = registry.counter(
            "canvasbatch_journal_events_appended_total", "Events stored in the journal, by event type.", "type");
    final MetricsRegistry.Counter appendFailures = registry.counter(
            "canvasbatch_journal_append_failures_total",
            "Appends the journal could not store (disk full, read-only, closed).");
    final MetricsRegistry.Counter nodesSucceeded =
            registry.counter("canvasbatch_nodes_succeeded_total", "Nodes whose note was written, by agent.", "agent");
    final MetricsRegistry.Counter nodesFailed = registry.counter(
            "canvasbatch_nodes_failed_total",
            "Nodes that failed for good (after their retries), by agent and error type.",
            "agent",
            "error_type");
    final MetricsRegistry.Counter nodesRetried = registry.counter(
            "canvasbatch_nodes_retried_total",
            "Transient agent failures that were scheduled for another attempt, by error type.",
            "error_type");
    final MetricsRegistry.Counter sessionsEnded =
            registry.counter("canvasbatch_sessions_finished_total", "Batches that ended, by final state.", "state");
    private final MetricsRegistry.Histogram agentCalls = registry.histogram(
            "canvasbatch_agent_call_seconds",
            "Duration of agent calls, by agent, model and outcome (success, failure, interrupted).",
            AGENT_SECONDS,
            "agent",
            "model",
            "outcome");
    private final MetricsRegistry.Histogram fsyncs = registry.histogram(
            "canvasbatch_journal_fsync_seconds",
            "Duration of the fdatasync that makes journal appends durable (none with --data memory).",
            FSYNC_SECONDS);

    Observability() {
        registry.gauge(
                "canvasbatch_uptime_seconds",
                "Seconds since this process started serving.",
                () -> (System.nanoTime() - startedNanos) / 1e9);
        registry.gauge(
                "canvasbatch_jvm_heap_used_bytes",
                "Heap in use.",
                () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        registry.gauge(
                "canvasbatch_jvm_threads",
                "Live platform threads (virtual threads are not counted).",
                () -> ManagementFactory.getThreadMXBean().getThreadCount());
    }

    MetricsRegistry registry() {
        return registry;
    }

    /** The event log, counting what is stored; a file journal also reports its sync times. */
    ObservedEventLog journal(EventLog log) {
        if (log instanceof FileJournal file) {
            file.onSync(nanos -> fsyncs.observe(nanos / 1e9));
        }
        return new ObservedEventLog(log, this);
    }

    /** The agents, timed per call. */
    AgentRunner agents(AgentRunner agents) {
        return new TimedAgents(agents, agentCalls);
    }

    /** Gauges read from the core at every scrape: sessions by state, the queue, the calls in flight. */
    void watch(CanvasBatchCore core) {
        registry.gauge("canvasbatch_sessions", "Batches the server knows, by state.", List.of("state"), samples -> {
            Map<SessionState, Integer> counts = new EnumMap<>(SessionState.class);
            for (SessionState state : SessionState.values()) {
                counts.put(state, 0);
            }
            core.useCases().status().sessions().forEach(s -> counts.merge(s.state(), 1, Integer::sum));
            counts.forEach((state, count) -> samples.sample(count, WireNames.state(state)));
        });
        registry.gauge(
                "canvasbatch_nodes_queued",
                "Nodes waiting for a slot in running batches (paused batches hold theirs back).",
                () -> {
                    long queued = 0;
                    for (SessionSnapshot s : core.useCases().status().sessions()) {
                        if (s.state() == SessionState.RUNNING) {
                            queued += s.counts().queued();
                        }
                    }
                    return queued;
                });
        registry.gauge(
                "canvasbatch_agent_calls_in_flight",
                "Agent calls the dispatcher has running now.",
                core::tasksInFlight);
    }

    /** The WebSocket channel's own counts, read at every scrape. */
    void watch(SessionSocketChannel sockets) {
        registry.gauge(
                "canvasbatch_websocket_connections",
                "Open WebSocket connections.",
                () -> sockets.metrics().connections());
        registry.counter(
                "canvasbatch_websocket_events_sent_total",
                "Event messages written to WebSockets.",
                () -> sockets.metrics().eventsSent());
        registry.counter(
                "canvasbatch_websocket_progress_coalesced_total",
                "Progress updates replaced by a newer one of their group before a slow socket took them.",
                () -> sockets.metrics().progressCoalesced());
        registry.counter(
                "canvasbatch_websocket_slow_consumer_closes_total",
                "WebSockets closed with 4429 because their client read too slowly.",
                () -> sockets.metrics().slowConsumerCloses());
        registry.counter(
                "canvasbatch_websocket_dead_connections_total",
                "WebSockets dropped because they answered no ping.",
                () -> sockets.metrics().deadConnections());
        registry.counter(
                "canvasbatch_websocket_bad_frames_total",
                "Client messages answered with an error (malformed, unknown, binary, too large).",
                () -> sockets.metrics().badFrames());
    }

    /** {@code /health}, {@code /metrics} and the API documents, with the checks that make the server ready. */
    OperationsRoutes routes(List<HealthCheck> readiness) {
        HealthCheck process = () -> HealthCheck.Result.up(
                "process", "answering for " + Math.round((System.nanoTime() - startedNanos) / 1e9) + " s");
        return new OperationsRoutes(registry, List.of(process), readiness);
    }

    /** Times every call of the agents it wraps; the model label is the configured model, stable across calls. */
    private record TimedAgents(AgentRunner delegate, MetricsRegistry.Histogram calls) implements AgentRunner {
        @Override
        public AgentAnswer run(AgentRequest request) throws AgentFailure, InterruptedException {
            long started = System.nanoTime();
            String outcome = "failure";
            try {
                AgentAnswer answer = delegate.run(request);
                outcome = "success";
                return answer;
            } catch (InterruptedException e) {
                outcome = "interrupted";
                throw e;
            } finally {
                calls.observe(
                        (System.nanoTime() - started) / 1e9, request.agent().wireName(), delegate.model(), outcome);
            }
        }

        @Override
        public String model() {
            return delegate.model();
        }
    }
}
