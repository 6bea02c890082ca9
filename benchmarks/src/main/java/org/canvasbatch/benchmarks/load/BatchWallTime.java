package org.canvasbatch.benchmarks.load;

import static org.canvasbatch.benchmarks.load.Figure.f;
import static org.canvasbatch.benchmarks.load.Figure.ms;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Figure 1: a batch of {@code nodes} nodes whose every model call takes {@code latency}, at {@code concurrency}
 * calls at once; wall time from the confirm request to {@code session_completed} on a watching socket, against the
 * ideal {@code ⌈nodes / concurrency⌉ × latency}.
 */
record BatchWallTime(
        int nodes,
        Duration latency,
        int concurrency,
        double wallMillis,
        double confirmMillis,
        double firstCallMillis,
        double meanTurnaroundMillis,
        double maxTurnaroundMillis,
        double lastAnswerToCompletedMillis,
        int calls,
        int peakInFlight,
        List<Double> runWallMillis)
        implements Figure {

    static final double TARGET_RATIO = 1.02;

    /** Runs the batch {@code runs} times on the same server and keeps the run with the median wall time. */
    static BatchWallTime measure(
            Bench bench, ServerProcess server, int nodes, Duration latency, int concurrency, int runs)
            throws Exception {
        List<BatchWallTime> all = new java.util.ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            all.add(once(bench, server, nodes, latency, concurrency, run));
        }
        List<BatchWallTime> sorted = all.stream()
                .sorted(Comparator.comparingDouble(BatchWallTime::wallMillis))
                .toList();
        BatchWallTime median = sorted.get(sorted.size() / 2);
        List<Double> walls = all.stream().map(BatchWallTime::wallMillis).toList();
        return new BatchWallTime(
                median.nodes,
                median.latency,
                median.concurrency,
                median.wallMillis,
                median.confirmMillis,
                median.firstCallMillis,
                median.meanTurnaroundMillis,
                median.maxTurnaroundMillis,
                median.lastAnswerToCompletedMillis,
                median.calls,
                median.peakInFlight,
                walls);
    }

    private static BatchWallTime once(
            Bench bench, ServerProcess server, int nodes, Duration latency, int concurrency, int run) throws Exception {
        bench.say(
                "batch: %d nodes, model latency %d ms, concurrency %d (run %d)",
                nodes, latency.toMillis(), concurrency, run);
        LoadCanvas canvas = LoadCanvas.write(server.vault(), "batch-" + nodes + "-" + run, nodes);
        try (Client client = new Client(server)) {
            String session = client.analyze(canvas);
            List<Client.Socket> watcher = client.open(session, 1, 1, () -> new Watcher(false), Duration.ofSeconds(30));
            bench.model().latency(latency);
            bench.model().reset();
            long confirmSent = System.nanoTime();
            client.confirm(session);
            long confirmed = System.nanoTime();
            long ideal = ideal(nodes, latency, concurrency).toNanos();
            long completed = watcher.getFirst()
                    .watcher()
                    .completed
                    .get(ideal * 3 + TimeUnit.SECONDS.toNanos(60), TimeUnit.NANOSECONDS);
            Client.closeAll(watcher);
            List<FakeModel.Call> calls = bench.model().calls();
            return new BatchWallTime(
                    nodes,
                    latency,
                    concurrency,
                    millis(completed - confirmSent),
                    millis(confirmed - confirmSent),
                    firstCall(calls, confirmSent),
                    turnaround(calls, concurrency, false),
                    turnaround(calls, concurrency, true),
                    lastAnswer(calls, completed),
                    calls.size(),
                    bench.model().peakInFlight(),
                    List.of());
        }
    }

    static Duration ideal(int nodes, Duration latency, int concurrency) {
        return latency.multipliedBy((nodes + concurrency - 1) / concurrency);
    }

    double idealMillis() {
        return ideal(nodes, latency, concurrency).toMillis();
    }

    double ratio() {
        return wallMillis / idealMillis();
    }

    private static double firstCall(List<FakeModel.Call> calls, long from) {
        return calls.stream().mapToLong(FakeModel.Call::startedNanos).min().stream()
                .mapToDouble(start -> millis(start - from))
                .findFirst()
                .orElse(Double.NaN);
    }

    private static double lastAnswer(List<FakeModel.Call> calls, long completed) {
        return calls.stream().mapToLong(FakeModel.Call::answeredNanos).max().stream()
                .mapToDouble(end -> millis(completed - end))
                .findFirst()
                .orElse(Double.NaN);
    }

    /**
     * A slot's turnaround: from the model's answer to one call to the start of the call that took its place. The k-th
     * call after the first {@code concurrency} ones fills the slot of the k-th answer.
     */
    private static double turnaround(List<FakeModel.Call> calls, int concurrency, boolean max) {
        List<Long> starts =
                calls.stream().map(FakeModel.Call::startedNanos).sorted().toList();
        List<Long> answers = calls.stream()
                .map(FakeModel.Call::answeredNanos)
                .sorted(Comparator.naturalOrder())
                .toList();
        double sum = 0;
        double worst = 0;
        int n = 0;
        for (int k = 0; concurrency + k < starts.size(); k++) {
            double gap = millis(starts.get(concurrency + k) - answers.get(k));
            sum += gap;
            worst = Math.max(worst, gap);
            n++;
        }
        return n == 0 ? Double.NaN : max ? worst : sum / n;
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }

    @Override
    public List<Row> rows() {
        return List.of(new Row(
                f(
                        "Batch wall time, %d nodes × %s model latency, concurrency %d",
                        nodes, Figure.ms(latency.toMillis()), concurrency),
                f(
                        "%.2f s = %.3f × ideal %.1f s%s",
                        wallMillis / 1000,
                        ratio(),
                        idealMillis() / 1000,
                        runWallMillis.size() > 1 ? f(" (median of %d runs)", runWallMillis.size()) : ""),
                f("≤ %.2f × ideal", TARGET_RATIO),
                Verdict.of(ratio() <= TARGET_RATIO)));
    }

    @Override
    public String details() {
        int rounds = (nodes + concurrency - 1) / concurrency;
        return f(
                """
                **Batch wall time.** %d generated nodes sent in the analyze request (as the plugin sends them), a \
                fake OpenAI-compatible model answering every call after %d ms, `--concurrency %d`. Wall time runs \
                from sending confirm to receiving `session_completed` on a WebSocket: **%.2f s** against the ideal \
                ⌈%d/%d⌉ × %.1f s = %.1f s (%d rounds), ratio **%.3f**. Where the extra %s went: confirm answered \
                202 in %s; the first model call arrived %s after confirm was sent; a model slot stayed empty for \
                %s on average (worst %s) between the answer to one call and the arrival of the next (parse the \
                answer, write the note, update the canvas, append to the journal, dispatch); the last answer was \
                followed by `session_completed` %s later. %d model calls, at most %d at once. That is the median \
                of %d runs on the same server, after a warm-up batch; all runs: %s.
                """,
                nodes,
                latency.toMillis(),
                concurrency,
                wallMillis / 1000,
                nodes,
                concurrency,
                latency.toMillis() / 1000.0,
                idealMillis() / 1000,
                rounds,
                ratio(),
                ms(wallMillis - idealMillis()),
                ms(confirmMillis),
                ms(firstCallMillis),
                ms(meanTurnaroundMillis),
                ms(maxTurnaroundMillis),
                ms(lastAnswerToCompletedMillis),
                calls,
                peakInFlight,
                runWallMillis.size(),
                runWallMillis.stream()
                        .map(w -> f("%.2f s (%.3f)", w / 1000, w / idealMillis()))
                        .collect(java.util.stream.Collectors.joining(", ")));
    }
}
