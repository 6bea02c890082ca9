package org.canvasbatch.benchmarks.load;

import static org.canvasbatch.benchmarks.load.Figure.f;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The end-to-end load tool ({@code benchmarks/run-load}): starts a fake model and real {@code canvas-batch serve}
 * processes, drives them over real sockets, prints the figures the issues ask for and, with {@code --write-docs},
 * writes them into {@code docs/benchmarks.md}.
 */
public final class LoadTool {

    /**
     * Heap sizing the measurements suggest for {@code serve}: G1 gives back heap it no longer needs (after a burst of
     * connections it otherwise keeps its peak committed), and does so while the server is idle.
     */
    static final List<String> PROPOSED_HEAP_OPTIONS =
            launcherHeapOptions(Runtime.version().feature());

    /**
     * The launcher's heap options for {@code serve} on a JDK of this feature version (the measured servers run on the
     * load tool's own JDK): on 25 and later also 8-byte object headers (JEP 519), an option JDK 21–24 do not have, and
     * native memory the JVM freed given back every 5 s.
     */
    static List<String> launcherHeapOptions(int jdkFeature) {
        List<String> options = List.of(
                "-XX:MinHeapFreeRatio=10",
                "-XX:MaxHeapFreeRatio=30",
                "-XX:G1PeriodicGCInterval=30000",
                "-XX:GCTimeRatio=4");
        if (jdkFeature < 25) {
            return options;
        }
        List<String> withCompactHeaders = new ArrayList<>(options);
        withCompactHeaders.add("-XX:+UseCompactObjectHeaders");
        withCompactHeaders.add("-XX:TrimNativeHeapInterval=5000");
        return List.copyOf(withCompactHeaders);
    }

    /** Measuring sockets among the draining ones, when the client's own decoding is taken out of the figure. */
    static final int PROBES = 10;

    private LoadTool() {}

    public static void main(String[] args) throws Exception {
        LoadOptions options;
        try {
            options = LoadOptions.parse(Arrays.asList(args));
        } catch (IllegalArgumentException e) {
            System.err.println("run-load: " + e.getMessage());
            System.err.print(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options, System.out));
    }

    /** A figure that could not be measured: it shows up as such in the table rather than ending the whole run. */
    record Failed(String name, String reason) implements Figure {
        @Override
        public List<Row> rows() {
            return List.of(new Row(name, "not measured: " + reason, "—", Verdict.MISSED));
        }

        @Override
        public String details() {
            return "**" + name + "** could not be measured: " + reason + "\n";
        }
    }

    @FunctionalInterface
    private interface Measurement {
        Figure run() throws Exception;
    }

    static int run(LoadOptions options, PrintStream out) throws Exception {
        String loadAtStart = MachineFacts.loadAverage();
        long started = System.nanoTime();
        Path work = Files.createTempDirectory("canvas-batch-load-");
        List<Figure> figures = new ArrayList<>();
        boolean quick = options.quick();
        try (FakeModel model = FakeModel.start()) {
            Bench bench = new Bench(options.repo(), work, model, options, out);
            Thread stopServers = new Thread(bench::stopAll, "stop-load-servers");
            Runtime.getRuntime().addShutdownHook(stopServers);
            try {
                if (options.runs("startup")) {
                    figures.add(attempt(bench, "Startup", () -> Startup.measure(bench, quick ? 3 : 5)));
                }
                if (options.runs("batch") || options.runs("latency")) {
                    ServerProcess server =
                            bench.server("batch", new ServerProcess.Launch.PlainJar(options.serverJavaOptions()), 12);
                    warmUp(bench, server);
                    if (options.runs("batch")) {
                        figures.add(attempt(
                                bench,
                                "Batch wall time",
                                () -> BatchWallTime.measure(
                                        bench,
                                        server,
                                        100,
                                        Duration.ofMillis(quick ? 200 : 2_000),
                                        12,
                                        quick ? 1 : 3)));
                    }
                    if (options.runs("latency")) {
                        List<Integer> sockets = quick ? List.of(1, 100) : List.of(1, 100, 1_000);
                        Duration latency = Duration.ofMillis(quick ? 50 : 200);
                        int nodes = quick ? 100 : 200;
                        int runs = quick ? 1 : 3;
                        figures.add(attempt(
                                bench,
                                "Event latency",
                                () -> EventLatency.measure(
                                        bench, server, nodes, latency, Duration.ZERO, 0, sockets, runs)));
                        figures.add(attempt(
                                bench,
                                "Event latency (spread)",
                                () -> EventLatency.measure(
                                        bench, server, nodes, latency, latency.dividedBy(2), 0, sockets, runs)));
                        List<Integer> crowds =
                                sockets.stream().filter(n -> n > PROBES).toList();
                        figures.add(attempt(
                                bench,
                                "Event latency (probes)",
                                () -> EventLatency.measure(
                                        bench, server, nodes, latency, Duration.ZERO, PROBES, crowds, runs)));
                        figures.add(attempt(
                                bench,
                                "Event latency (probes, spread)",
                                () -> EventLatency.measure(
                                        bench, server, nodes, latency, latency.dividedBy(2), PROBES, crowds, runs)));
                    }
                    server.stop(Duration.ofSeconds(20));
                }
                if (options.runs("idle")) {
                    int sockets = quick ? 1_000 : 10_000;
                    int rounds = quick ? 1 : 2;
                    figures.add(attempt(
                            bench,
                            "Idle connections",
                            () -> IdleConnections.measure(
                                    bench,
                                    options.serverJavaOptions().isEmpty()
                                            ? "default JVM options"
                                            : "the given JVM options",
                                    options.serverJavaOptions(),
                                    sockets,
                                    rounds)));
                    if (!quick && options.serverJavaOptions().isEmpty()) {
                        figures.add(attempt(
                                bench,
                                "Idle connections (the launcher's heap options)",
                                () -> IdleConnections.measure(
                                        bench,
                                        "the heap options ./canvas-batch serve passes",
                                        PROPOSED_HEAP_OPTIONS,
                                        sockets,
                                        rounds)));
                    }
                    if (options.node() != null) {
                        figures.add(attempt(
                                bench,
                                "Idle connections (bare Node ws server)",
                                () -> IdleNodeConnections.measure(
                                        bench,
                                        options.node(),
                                        options.repo().resolve("benchmarks/node"),
                                        sockets,
                                        rounds)));
                    }
                }
                if (options.runs("replay")) {
                    int nodes = quick ? 999 : 9_999;
                    int sockets = quick ? 5 : 30;
                    figures.add(attempt(
                            bench,
                            "Replay storm",
                            () -> ReplayStorm.measure(bench, nodes, sockets, options.serverJavaOptions())));
                    if (!quick && options.serverJavaOptions().isEmpty()) {
                        figures.add(attempt(
                                bench,
                                "Replay storm (the launcher's heap options)",
                                () -> ReplayStorm.measure(bench, nodes, sockets, PROPOSED_HEAP_OPTIONS)));
                    }
                }
                if (options.runs("storm")) {
                    figures.add(attempt(
                            bench,
                            "Reconnect storm",
                            () -> ReconnectStorm.measure(
                                    bench,
                                    quick ? 999 : 9_999,
                                    quick ? 100 : 1_000,
                                    500,
                                    quick ? 100 : 200,
                                    Duration.ofMillis(200),
                                    PROBES,
                                    options.serverJavaOptions().isEmpty()
                                            ? PROPOSED_HEAP_OPTIONS
                                            : options.serverJavaOptions())));
                }
            } finally {
                bench.stopAll();
                Runtime.getRuntime().removeShutdownHook(stopServers);
            }
        }
        String loadAtEnd = MachineFacts.loadAverage();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        out.println();
        for (Figure figure : figures) {
            out.println(figure.details().strip());
            out.println();
        }
        out.print(table(figures));
        out.printf(
                "%nload average (1/5/15 min): %s at the start, %s at the end; %d min %d s in all%n",
                loadAtStart, loadAtEnd, took.toMinutes(), took.toSecondsPart());
        if (options.writeDocs()) {
            Path doc = options.repo().resolve("docs/benchmarks.md");
            BenchmarksDoc.write(doc, markdown(options, figures, loadAtStart, loadAtEnd, took));
            out.println("written to " + doc);
        }
        deleteQuietly(work);
        boolean failed = figures.stream().anyMatch(Failed.class::isInstance);
        return failed ? 1 : 0;
    }

    /**
     * One small batch watched by a few sockets before anything is measured, so that the figures show the server as it
     * runs for hours, not its first seconds of class loading and interpretation.
     */
    static void warmUp(Bench bench, ServerProcess server) throws Exception {
        bench.say("warm-up: 120 nodes at 10 ms model latency, 20 sockets");
        LoadCanvas canvas = LoadCanvas.write(server.vault(), "warm-up", 120);
        bench.model().latency(Duration.ofMillis(10));
        try (Client client = new Client(server)) {
            String session = client.analyze(canvas);
            List<Client.Socket> sockets = client.open(session, 20, 20, () -> new Watcher(true), Duration.ofMinutes(1));
            client.confirm(session);
            for (Client.Socket socket : sockets) {
                java.util.concurrent.CompletableFuture.anyOf(socket.watcher().completed, socket.watcher().closed)
                        .get(2, java.util.concurrent.TimeUnit.MINUTES);
            }
            Client.closeAll(sockets);
        }
    }

    private static Figure attempt(Bench bench, String name, Measurement measurement) {
        try {
            return measurement.run();
        } catch (Exception e) {
            bench.say("%s failed: %s", name, e);
            return new Failed(
                    name, String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString()));
        }
    }

    static String table(List<Figure> figures) {
        List<Figure.Row> rows =
                figures.stream().flatMap(figure -> figure.rows().stream()).toList();
        int a = Math.max(
                6, rows.stream().mapToInt(r -> r.figure().length()).max().orElse(0));
        int b = Math.max(
                8, rows.stream().mapToInt(r -> r.measured().length()).max().orElse(0));
        int c = Math.max(
                6, rows.stream().mapToInt(r -> r.target().length()).max().orElse(0));
        StringBuilder text = new StringBuilder();
        String format = "%-" + a + "s  %-" + b + "s  %-" + c + "s  %s%n";
        text.append(String.format(format, "figure", "measured", "target", ""));
        text.append("-".repeat(a + b + c + 14)).append('\n');
        for (Figure.Row row : rows) {
            text.append(String.format(
                    format,
                    row.figure(),
                    row.measured(),
                    row.target(),
                    row.verdict().label.replace("*", "")));
        }
        return text.toString();
    }

    static String markdown(
            LoadOptions options, List<Figure> figures, String loadAtStart, String loadAtEnd, Duration took) {
        MachineFacts machine = MachineFacts.now();
        StringBuilder text = new StringBuilder();
        text.append("## End-to-end load (`benchmarks/run-load`)\n\n");
        if (options.quick()) {
            text.append("> Written by a `--quick` run: smaller loads than the targets name; not the real figures.\n\n");
        }
        text.append(f(
                """
                Measured on %s with `%s` (%d min %d s in all). Machine: %s. Load average (1 / 5 / 15 min): %s when \
                the run started, %s when it ended — other builds shared these two cores, so read the figures as an \
                upper bound.

                Each server is a real `canvas-batch serve` child process started from \
                `bootstrap/target/canvas-batch.jar` with `--model-provider openai --base-url <fake>`, a fake \
                OpenAI-compatible model (JDK `com.sun.net.httpserver` inside the load tool's JVM) that answers \
                `/v1/chat/completions` after a set latency with a ~2 300-character note, %s, and a copy of \
                `examples/vault` plus generated canvases of red question nodes. The client side is JDK `HttpClient` and \
                `java.net.http.WebSocket` in the load tool's JVM, on the same machine.

                """,
                machine.date(),
                options.command(),
                took.toMinutes(),
                took.toSecondsPart(),
                machine.describe(),
                loadAtStart,
                loadAtEnd,
                options.diskJournal()
                        ? "the durable journal in a fresh directory (`--data DIR`, as users run it)"
                        : "the in-memory journal (`--data memory`)"));
        text.append("| figure | measured | target | |\n| --- | --- | --- | --- |\n");
        for (Figure figure : figures) {
            for (Figure.Row row : figure.rows()) {
                text.append(
                        f("| %s | %s | %s | %s |%n", row.figure(), row.measured(), row.target(), row.verdict().label));
            }
        }
        for (Figure figure : figures) {
            text.append('\n').append(figure.details().strip()).append('\n');
        }
        return text.toString();
    }

    static void deleteQuietly(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // a scratch file left in /tmp is harmless
                }
            });
        } catch (IOException ignored) {
            // same
        }
    }
}
