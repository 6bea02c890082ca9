package org.canvasbatch.bootstrap;

import io.helidon.health.HealthCheck;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.DistributionStatisticsConfig;
import io.helidon.metrics.api.DistributionSummary;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.canvasbatch.adapters.http.ops.Operations;
import org.canvasbatch.adapters.http.wire.WireNames;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.journal.JournalHealth;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionState;

/**
 * The metrics of one process and where they are measured, in Helidon's meter registry, which {@code /metrics} shows.
 * The core has no global event hook and should not get one for metrics' sake, so the counts come from outside it: the
 * event log is wrapped ({@link ObservedEventLog}: every stored event is counted once, replays are not), agent calls are
 * timed by wrapping the {@link AgentRunner}, the journal reports its syncs, and gauges read the core's sessions and the
 * socket channel when Prometheus scrapes.
 *
 * <p>Helidon keeps one registry per process. A new instance takes the {@code canvasbatch_} series over from an earlier
 * one in the same process (tests wire many servers), so its counts start at zero and its gauges read its own core.
 */
final class Observability {

    /** Agent calls take from milliseconds (offline) to minutes (a long note from a slow model). */
    static final double[] AGENT_SECONDS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300};
    /** An fdatasync takes from tens of microseconds (a cached SSD) to a second (a busy disk). */
    static final double[] FSYNC_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1
    };

    private static final String PREFIX = "canvasbatch_";

    private final MeterRegistry registry = takeOver(Operations.meterRegistry());
    private final long startedNanos = System.nanoTime();
    final Counters eventsAppended = counters(
            "canvasbatch_journal_events_appended_total", "Events stored in the journal, by event type.", "type");
    final Counters appendFailures = counters(
            "canvasbatch_journal_append_failures_total",
            "Appends the journal could not store (disk full, read-only, closed).");
    final Counters nodesSucceeded =
            counters("canvasbatch_nodes_succeeded_total", "Nodes whose note was written, by agent.", "agent");
    final Counters nodesFailed = counters(
            "canvasbatch_nodes_failed_total",
            "Nodes that failed for good (after their retries), by agent and error type.",
            "agent",
            "error_type");
    final Counters nodesRetried = counters(
            "canvasbatch_nodes_retried_total",
            "Transient agent failures that were scheduled for another attempt, by error type.",
            "error_type");
    final Counters sessionsEnded =
            counters("canvasbatch_sessions_finished_total", "Batches that ended, by final state.", "state");
    private final Histograms agentCalls = new Histograms(
            "canvasbatch_agent_call_seconds",
            "Duration of agent calls, by agent, model and outcome (success, failure, interrupted).",
            AGENT_SECONDS,
            "agent",
            "model",
            "outcome");
    private final Histograms fsyncs = new Histograms(
            "canvasbatch_journal_fsync_seconds",
            "Duration of the fdatasync that makes journal appends durable (none with --data memory).",
            FSYNC_SECONDS);

    private final Histograms notifyLag = new Histograms(
            "canvasbatch_cluster_notify_lag_seconds",
            "From an event's making on another server of the cluster to its reading here for the watchers of its session"
                    + " (the append there, NOTIFY, the read); as exact as the servers' clocks agree.",
            FSYNC_SECONDS);

    Observability() {
        gauge(
                "canvasbatch_uptime_seconds",
                "Seconds since this process started serving.",
                List.of(),
                () -> (System.nanoTime() - startedNanos) / 1e9);
        gauge(
                "canvasbatch_jvm_heap_used_bytes",
                "Heap in use.",
                List.of(),
                () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        gauge(
                "canvasbatch_jvm_threads",
                "Live platform threads (virtual threads are not counted).",
                List.of(),
                () -> ManagementFactory.getThreadMXBean().getThreadCount());
        // unlabelled series are there at zero before anything happened, as Prometheus expects
        appendFailures.add(0);
    }

    MeterRegistry registry() {
        return registry;
    }

    /** The event log, counting what is stored and timing the journal's syncs. */
    <J extends EventLog & JournalHealth> ObservedEventLog journal(J journal) {
        return journal(journal, journal);
    }

    /** {@code log} counted, with {@code journal} telling whether it can take events and how long its syncs take. */
    ObservedEventLog journal(EventLog log, JournalHealth journal) {
        journal.onSync(nanos -> fsyncs.record(nanos / 1e9));
        return new ObservedEventLog(log, journal, this);
    }

    /** The agents, timed per call. */
    AgentRunner agents(AgentRunner agents) {
        return new TimedAgents(agents, agentCalls);
    }

    /** Gauges read from the core at every scrape: sessions by state, the queue, the calls in flight. */
    void watch(CanvasBatchCore core) {
        for (SessionState state : SessionState.values()) {
            gauge(
                    "canvasbatch_sessions",
                    "Batches the server knows, by state.",
                    List.of(Tag.create("state", WireNames.state(state))),
                    () -> core.useCases().status().sessions().stream()
                            .filter(s -> s.state() == state)
                            .count());
        }
        gauge(
                "canvasbatch_nodes_queued",
                "Nodes waiting for a slot in running batches (paused batches hold theirs back).",
                List.of(),
                () -> {
                    long queued = 0;
                    for (SessionSnapshot s : core.useCases().status().sessions()) {
                        if (s.state() == SessionState.RUNNING) {
                            queued += s.counts().queued();
                        }
                    }
                    return queued;
                });
        gauge(
                "canvasbatch_agent_calls_in_flight",
                "Agent calls the dispatcher has running now.",
                List.of(),
                core::tasksInFlight);
    }

    /** The WebSocket channel's own counts, read at every scrape. */
    /** A cluster's event log: how long other servers' events take to reach this server's watchers. */
    void watch(org.canvasbatch.adapters.journal.postgres.PostgresEventLog log) {
        log.onNotifyLag(nanos -> notifyLag.record(nanos / 1e9));
    }

    /** A cluster's leases: how many sessions this server runs, and how many it took over from a stopped server or gave to a less loaded one. */
    void watch(org.canvasbatch.adapters.journal.postgres.PostgresSessionLeases leases) {
        gauge(
                "canvasbatch_cluster_sessions_held",
                "Sessions this server of the cluster runs (holds the lease of).",
                List.of(),
                leases::heldCount);
        counter(
                "canvasbatch_cluster_lease_moves_total",
                "Sessions this server took over from a server that stopped renewing their lease.",
                leases,
                l -> l.moves());
        counter(
                "canvasbatch_cluster_placements_total",
                "Sessions this server gave to a less loaded server of the cluster instead of running them itself.",
                leases,
                l -> l.placements());
    }

    void watch(SessionSocketChannel sockets) {
        gauge(
                "canvasbatch_websocket_connections",
                "Open WebSocket connections.",
                List.of(),
                () -> sockets.metrics().connections());
        counter(
                "canvasbatch_websocket_events_sent_total",
                "Event messages written to WebSockets.",
                sockets,
                s -> s.metrics().eventsSent());
        counter(
                "canvasbatch_websocket_progress_coalesced_total",
                "Progress updates replaced by a newer one of their group before a slow socket took them.",
                sockets,
                s -> s.metrics().progressCoalesced());
        counter(
                "canvasbatch_websocket_slow_consumer_closes_total",
                "WebSockets closed with 4429 because their client read too slowly.",
                sockets,
                s -> s.metrics().slowConsumerCloses());
        counter(
                "canvasbatch_websocket_dead_connections_total",
                "WebSockets dropped because they answered no ping.",
                sockets,
                s -> s.metrics().deadConnections());
        counter(
                "canvasbatch_websocket_bad_frames_total",
                "Client messages answered with an error (malformed, unknown, binary, too large).",
                sockets,
                s -> s.metrics().badFrames());
    }

    /** {@code /health}, {@code /metrics} and the API documents, with the checks that make the server ready. */
    Operations operations(List<HealthCheck> readiness) {
        return new Operations(registry, readiness);
    }

    private static MeterRegistry takeOver(MeterRegistry registry) {
        registry.meters(m -> m.id().name().startsWith(PREFIX)).forEach(registry::remove);
        return registry;
    }

    private Counters counters(String name, String help, String... labels) {
        return new Counters(registry, name, help, List.of(labels));
    }

    private <N extends Number> void gauge(String name, String help, List<Tag> tags, Supplier<N> value) {
        registry.getOrCreate(Gauge.builder(name, value).description(help).tags(tags));
    }

    private <T> void counter(String name, String help, T source, Function<T, Long> value) {
        registry.getOrCreate(FunctionalCounter.builder(name, source, value).description(help));
    }

    private static List<Tag> tags(String name, List<String> labels, String... values) {
        if (values.length != labels.size()) {
            throw new IllegalArgumentException(name + " takes the labels " + labels + ", got " + values.length);
        }
        List<Tag> tags = new ArrayList<>(labels.size());
        for (int i = 0; i < values.length; i++) {
            tags.add(Tag.create(labels.get(i), values[i] == null ? "" : values[i]));
        }
        return tags;
    }

    /** A counter with one series per combination of label values, named in the order of {@code labels}. */
    record Counters(MeterRegistry registry, String name, String help, List<String> labels) {
        void inc(String... values) {
            add(1, values);
        }

        void add(long amount, String... values) {
            registry.getOrCreate(Counter.builder(name).description(help).tags(tags(name, labels, values)))
                    .increment(amount);
        }
    }

    /** A histogram over fixed bucket bounds (no quantiles), one series per combination of label values. */
    private final class Histograms {
        private final String name;
        private final String help;
        private final double[] buckets;
        private final List<String> labels;

        Histograms(String name, String help, double[] buckets, String... labels) {
            this.name = name;
            this.help = help;
            this.buckets = buckets;
            this.labels = List.of(labels);
        }

        void record(double value, String... values) {
            registry.getOrCreate(DistributionSummary.builder(name)
                            .description(help)
                            .tags(tags(name, labels, values))
                            .distributionStatisticsConfig(DistributionStatisticsConfig.builder()
                                    .percentiles(new double[0])
                                    .buckets(buckets)))
                    .record(value);
        }
    }

    /** Times every call of the agents it wraps; the model label is the configured model, stable across calls. */
    private record TimedAgents(AgentRunner delegate, Histograms calls) implements AgentRunner {
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
                calls.record(
                        (System.nanoTime() - started) / 1e9, request.agent().wireName(), delegate.model(), outcome);
            }
        }

        @Override
        public String model() {
            return delegate.model();
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> prepare(int calls) {
            return delegate.prepare(calls);
        }

        /** Not timed: a rehearsal's calls are no calls of the model's, and the metrics count only those. */
        @Override
        public java.util.Optional<AgentRunner> rehearsal() {
            return delegate.rehearsal();
        }
    }
}
