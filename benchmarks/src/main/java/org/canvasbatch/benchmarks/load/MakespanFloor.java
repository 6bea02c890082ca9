package org.canvasbatch.benchmarks.load;

import jakarta.json.spi.JsonProvider;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The floor under {@link Makespan}'s figures on this machine: the same scripted model and the same batch shape, driven
 * by nothing but twelve virtual threads that each send the next call the moment their previous answer is parsed,
 * through the JDK's HTTP client, as canvas-batch's agent does. No journal, no notes, no sockets: what is left over the
 * ideal here is the model's own HTTP server, the client and the machine, which no change to the server can remove.
 */
public final class MakespanFloor {

    private static final JsonProvider JSON = JsonProvider.provider();

    private MakespanFloor() {}

    public static void main(String[] args) throws Exception {
        List<String> list = Arrays.asList(args);
        int runs = Integer.parseInt(Makespan.option(list, "--runs", "5"));
        int nodes = Integer.parseInt(Makespan.option(list, "--nodes", "100"));
        int concurrency = Integer.parseInt(Makespan.option(list, "--concurrency", "12"));
        String command = Makespan.option(list, "--command", "benchmarks/run-makespan --floor");
        run(command, runs, nodes, concurrency, Makespan.latencies(list), System.out);
    }

    record Run(
            double wallMillis, double idealMillis, double firstCallMillis, double meanGapMillis, double maxGapMillis) {
        double ratio() {
            return wallMillis / idealMillis;
        }
    }

    static void run(String command, int runs, int nodes, int concurrency, List<Duration> latencies, PrintStream out)
            throws Exception {
        String loadAtStart = MachineFacts.loadAverage();
        byte[] prompt = prompt();
        List<String> tables = new ArrayList<>();
        try (FakeModel model = FakeModel.start()) {
            // the first batch in this JVM pays for its class loading and JIT; the floor is what a warm client pays
            once(model, prompt, nodes, concurrency, Duration.ofMillis(50));
            for (Duration latency : latencies) {
                List<Run> all = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    Run measured = once(model, prompt, nodes, concurrency, latency);
                    out.printf(
                            "[floor] model %d ms, run %d: %.4f × ideal; first call %.1f ms, slot gap mean %.1f / max"
                                    + " %.1f ms; load %s%n",
                            latency.toMillis(),
                            i + 1,
                            measured.ratio(),
                            measured.firstCallMillis(),
                            measured.meanGapMillis(),
                            measured.maxGapMillis(),
                            MachineFacts.loadAverage());
                    all.add(measured);
                }
                tables.add(summary(nodes, concurrency, latency, all));
            }
        }
        out.println();
        out.printf(
                "Measured %s with `%s` (a warm JVM, a new HTTP client per run); load average %s at the start, %s at the"
                        + " end.%n%n",
                MachineFacts.now().date(), command, loadAtStart, MachineFacts.loadAverage());
        tables.forEach(out::println);
    }

    private static Run once(FakeModel model, byte[] prompt, int nodes, int concurrency, Duration latency)
            throws Exception {
        model.latency(latency);
        model.reset();
        URI calls = URI.create(model.baseUrl() + "/chat/completions");
        AtomicInteger next = new AtomicInteger();
        long begun;
        long ended;
        try (HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
                var slots = Executors.newVirtualThreadPerTaskExecutor()) {
            begun = System.nanoTime();
            List<java.util.concurrent.Future<Void>> running = new ArrayList<>();
            for (int slot = 0; slot < concurrency; slot++) {
                running.add(slots.submit(() -> {
                    while (next.getAndIncrement() < nodes) {
                        HttpResponse<byte[]> answer = client.send(
                                HttpRequest.newBuilder(calls)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(prompt))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        // read the answer as the agent does, so that the next call waits for what a real one waits for
                        JSON.createReader(new ByteArrayInputStream(answer.body()))
                                .readObject()
                                .getJsonArray("choices");
                    }
                    return null;
                }));
            }
            for (var slot : running) {
                // a call that failed leaves a slot's calls unmade: no figure, rather than a wrong one
                slot.get(5, java.util.concurrent.TimeUnit.MINUTES);
            }
            ended = System.nanoTime();
        }
        List<FakeModel.Call> seen = model.calls();
        List<Long> starts =
                seen.stream().map(FakeModel.Call::startedNanos).sorted().toList();
        List<Long> answers =
                seen.stream().map(FakeModel.Call::answeredNanos).sorted().toList();
        if (starts.size() != nodes) {
            throw new IllegalStateException("the model saw " + starts.size() + " calls of " + nodes);
        }
        double[] gaps = Makespan.gaps(starts, answers, concurrency);
        double ideal = BatchWallTime.ideal(nodes, latency, concurrency).toNanos() / 1e6;
        return new Run((ended - begun) / 1e6, ideal, (starts.getFirst() - begun) / 1e6, gaps[0], gaps[1]);
    }

    private static String summary(int nodes, int concurrency, Duration latency, List<Run> runs) {
        List<Run> sorted =
                runs.stream().sorted(Comparator.comparingDouble(Run::ratio)).toList();
        return String.format(
                "**Floor: %d calls, model %d ms, concurrency %d**: %d runs: **%.3f–%.3f × ideal** (median %.3f); slot"
                        + " gap mean %.1f–%.1f ms%n",
                nodes,
                latency.toMillis(),
                concurrency,
                runs.size(),
                sorted.getFirst().ratio(),
                sorted.getLast().ratio(),
                sorted.get(sorted.size() / 2).ratio(),
                runs.stream().mapToDouble(Run::meanGapMillis).min().orElse(0),
                runs.stream().mapToDouble(Run::meanGapMillis).max().orElse(0));
    }

    /** A request of the size a teaching prompt has (about 3 KB of JSON). */
    private static byte[] prompt() {
        String question = "What does the Banach fixed-point theorem say, and why does contraction matter? ".repeat(30);
        return JSON.createObjectBuilder()
                .add("model", "load-model")
                .add(
                        "messages",
                        JSON.createArrayBuilder()
                                .add(JSON.createObjectBuilder()
                                        .add("role", "user")
                                        .add("content", question)))
                .build()
                .toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
