package org.canvasbatch.benchmarks.load;

import static org.canvasbatch.benchmarks.load.Figure.f;
import static org.canvasbatch.benchmarks.load.Figure.fromMicros;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Figure 2: how long after its append an event reaches a client, with 1, 100 and 1 000 sockets on one session. Each
 * level runs its own batch; every socket has its snapshot before confirm, and every message after that is measured:
 * receipt time ({@code Instant.now()} in this JVM) minus the message's {@code timestamp}.
 */
record EventLatency(int nodes, Duration latency, Duration jitter, int probes, List<Level> levels) implements Figure {

    static final long TARGET_P99_MICROS = 10_000;
    static final int TARGET_SOCKETS = 100;

    /**
     * @param serverCpuPercent of one core, over the batch
     * @param clientCpuPercent of one core, the load tool itself (it shares the machine)
     */
    record Level(
            int sockets,
            Percentiles all,
            Map<String, Percentiles> byType,
            int messages,
            int undated,
            double batchSeconds,
            double serverCpuPercent,
            double clientCpuPercent,
            Map<Integer, Integer> abnormalCloses,
            List<Percentiles> runs) {

        Level withRuns(List<Percentiles> all) {
            return new Level(
                    sockets,
                    this.all,
                    byType,
                    messages,
                    undated,
                    batchSeconds,
                    serverCpuPercent,
                    clientCpuPercent,
                    abnormalCloses,
                    all);
        }
    }

    /**
     * @param jitter zero: every model call takes exactly {@code latency}, so the twelve calls of a round finish at the
     *               same instant and their events come in one burst (the worst case); else each call takes
     *               {@code latency} ± up to {@code jitter}
     * @param probes zero: every socket is a decoding client that measures; else only this many do, and the other
     *               sockets of a level are {@link DrainSocket}s
     */
    static EventLatency measure(
            Bench bench,
            ServerProcess server,
            int nodes,
            Duration latency,
            Duration jitter,
            int probes,
            List<Integer> sockets,
            int runs)
            throws Exception {
        List<Level> levels = new ArrayList<>();
        for (int count : sockets) {
            List<Level> all = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                all.add(level(bench, server, nodes, latency, jitter, probes, count));
            }
            // the run with the median p99 stands for the level: one run disturbed by a neighbour does not decide it
            List<Level> sorted = all.stream()
                    .sorted(java.util.Comparator.comparingLong(l -> l.all().p99()))
                    .toList();
            levels.add(sorted.get(sorted.size() / 2)
                    .withRuns(all.stream().map(Level::all).toList()));
        }
        return new EventLatency(nodes, latency, jitter, probes, levels);
    }

    private static Level level(
            Bench bench, ServerProcess server, int nodes, Duration latency, Duration jitter, int probes, int count)
            throws Exception {
        return level(bench, server, nodes, latency, jitter, probes, count, () -> {});
    }

    /** Something started the moment confirm is answered, e.g. a storm of reconnects the live figures must survive. */
    @FunctionalInterface
    interface AtConfirm {
        void run() throws Exception;
    }

    /** One level, with {@code atConfirm} run right after the session is confirmed. */
    static Level level(
            Bench bench,
            ServerProcess server,
            int nodes,
            Duration latency,
            Duration jitter,
            int probes,
            int count,
            AtConfirm atConfirm)
            throws Exception {
        int measuring = probes == 0 ? count : Math.min(probes, count);
        bench.say(
                "latency: %d socket%s on one session (%d measuring), %d nodes, model latency %d ± %d ms",
                count, count == 1 ? "" : "s", measuring, nodes, latency.toMillis(), jitter.toMillis());
        LoadCanvas canvas = LoadCanvas.write(server.vault(), "latency-" + count + "-" + jitter.toMillis(), nodes);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Client client = new Client(server)) {
            String session = client.analyze(canvas);
            List<DrainSocket> drains = client.drains(session, count - measuring, 64);
            List<Client.Socket> open =
                    client.open(session, measuring, 64, () -> new Watcher(true), Duration.ofMinutes(3));
            bench.model().latency(latency, jitter);
            long serverTicks = server.cpuTicks();
            long clientNanos = os.getProcessCpuTime();
            long started = System.nanoTime();
            client.confirm(session);
            atConfirm.run();
            long deadline = started + TimeUnit.MINUTES.toNanos(5);
            for (Client.Socket socket : open) {
                try {
                    // a socket closed early (4429) never sees session_completed; its close ends the wait for it
                    java.util.concurrent.CompletableFuture.anyOf(socket.watcher().completed, socket.watcher().closed)
                            .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    break;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double serverCpu = (server.cpuTicks() - serverTicks) * 100.0 / ServerProcess.ticksPerSecond() / seconds;
            double clientCpu = (os.getProcessCpuTime() - clientNanos) / 1e7 / seconds;
            Client.closeAll(open);
            drains.forEach(DrainSocket::close);
            List<long[]> all = new ArrayList<>();
            Map<String, List<Long>> byType = new TreeMap<>();
            int messages = 0;
            int undated = 0;
            Map<Integer, Integer> abnormal = new TreeMap<>();
            for (Client.Socket socket : open) {
                long[] latencies = socket.watcher().latenciesMicros();
                String[] types = socket.watcher().latencyTypes();
                all.add(latencies);
                for (int i = 0; i < latencies.length; i++) {
                    byType.computeIfAbsent(types[i], t -> new ArrayList<>()).add(latencies[i]);
                }
                messages += socket.watcher().messages();
                undated += socket.watcher().undated();
                int code = socket.watcher().closed.getNow(0);
                if (code != 1000) {
                    abnormal.merge(code, 1, Integer::sum);
                }
            }
            long[] merged = all.stream().flatMapToLong(java.util.Arrays::stream).toArray();
            Map<String, Percentiles> typed = new TreeMap<>();
            byType.forEach((type, values) -> typed.put(
                    type,
                    Percentiles.of(values.stream().mapToLong(Long::longValue).toArray())));
            return new Level(
                    count,
                    Percentiles.of(merged),
                    typed,
                    messages,
                    undated,
                    seconds,
                    serverCpu,
                    clientCpu,
                    abnormal,
                    List.of());
        }
    }

    @Override
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Level level : levels) {
            boolean targeted = level.sockets() == TARGET_SOCKETS;
            rows.add(new Row(
                    f(
                            "Event latency, %,d socket%s on one session, %s",
                            level.sockets(), level.sockets() == 1 ? "" : "s", modelLabel()),
                    f(
                            "p50 %s, p99 %s%s",
                            fromMicros(level.all().p50()),
                            fromMicros(level.all().p99()),
                            level.runs().size() < 2
                                    ? ""
                                    : f(
                                            " (median run of %d; p99 of each: %s)",
                                            level.runs().size(),
                                            level.runs().stream()
                                                    .map(run -> fromMicros(run.p99()))
                                                    .collect(Collectors.joining(", ")))),
                    targeted ? "p99 < 10 ms" : "—",
                    targeted
                            ? Verdict.of(level.all().p99() >= 0
                                    && level.all().p99() < TARGET_P99_MICROS
                                    && level.abnormalCloses().isEmpty())
                            : Verdict.NONE));
        }
        return rows;
    }

    /** How the model answers: the same latency for all (bursts), or with a spread; and who measures. */
    String modelLabel() {
        String model = jitter.isZero()
                ? f("model %d ms flat", latency.toMillis())
                : f("model %d ± %d ms", latency.toMillis(), jitter.toMillis());
        return probes == 0
                ? model + ", every socket a full client"
                : model + f(", %d probes + draining sockets", probes);
    }

    private String modelDescription() {
        return jitter.isZero()
                ? f(
                        "every model call taking exactly %d ms (the 12 calls of a round end together and their events "
                                + "come in bursts: the worst case)",
                        latency.toMillis())
                : f(
                        "every model call taking %d ms ± up to %d ms, uniformly (answers spread out, as a real model's "
                                + "do)",
                        latency.toMillis(), jitter.toMillis());
    }

    private List<String> types() {
        return levels.stream()
                .flatMap(level -> level.byType().keySet().stream())
                .distinct()
                .sorted()
                .toList();
    }

    @Override
    public String details() {
        String method = jitter.isZero() ? """
                Every socket is open and has its snapshot before confirm; every message after that \
                (`session_started`, `task_started`, `task_completed`, the derived `progress_update`, \
                `session_completed`) is measured as its receipt time on the client minus its `timestamp` (when the \
                event was appended). Client and server share this machine's clock; the `timestamp` has millisecond \
                resolution (truncated), so each value reads up to 1 ms high (0.5 ms on average) and nothing under \
                1 ms is meaningful. The client is a JVM on the same two cores: its own CPU time is part of what a \
                message waits for.""" : "Measured as above.";
        if (probes > 0) {
            method += f(
                    " Here only %d sockets of each level are such clients (java.net.http.WebSocket, measuring);"
                            + " the others are bare sockets that do the upgrade and then read and discard the bytes without"
                            + " decoding frames. The server does the same work for them, but the client JVM no longer decodes"
                            + " a hundred or a thousand copies of every message on the server's own two cores, so this shows"
                            + " what one watcher among many receives.",
                    probes);
        }
        StringBuilder text = new StringBuilder(f(
                """
                **Event latency, %s.** One session per level: %d generated nodes at concurrency 12, %s, so that \
                events flow for a few seconds. Each level ran %d times on the same server; the table shows the run \
                with the median p99. %s

                | sockets | messages | p50 | p99 | max | batch | server CPU | client CPU | closes other than 1000 |
                | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
                """,
                modelLabel(),
                nodes,
                modelDescription(),
                levels.getFirst().runs().size(),
                method));
        for (Level level : levels) {
            text.append(f(
                    "| %,d | %,d | %s | %s | %s | %.1f s | %.0f %% | %.0f %% | %s |%n",
                    level.sockets(),
                    level.all().count(),
                    fromMicros(level.all().p50()),
                    fromMicros(level.all().p99()),
                    fromMicros(level.all().max()),
                    level.batchSeconds(),
                    level.serverCpuPercent(),
                    level.clientCpuPercent(),
                    level.abnormalCloses().isEmpty()
                            ? "none"
                            : level.abnormalCloses()
                                    + (level.undated() > 0
                                            ? f(" (%d messages without timestamp)", level.undated())
                                            : "")));
        }
        text.append("\nCPU is in percent of one core (200 % = both cores). By message type (p50 / p99 / max):\n\n");
        text.append("| sockets | ")
                .append(String.join(" | ", types()))
                .append(" |\n| ---: |")
                .append(" --- |".repeat(types().size()))
                .append('\n');
        for (Level level : levels) {
            text.append(f("| %,d |", level.sockets()));
            for (String type : types()) {
                Percentiles p = level.byType().get(type);
                text.append(
                        p == null
                                ? " — |"
                                : f(" %s / %s / %s |", fromMicros(p.p50()), fromMicros(p.p99()), fromMicros(p.max())));
            }
            text.append('\n');
        }
        return text.toString();
    }
}
