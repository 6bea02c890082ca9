package org.canvasbatch.benchmarks.load;

import static org.canvasbatch.benchmarks.load.Figure.f;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The makespan of the first batch of a freshly started server (issue 12), measured from outside: for every run a new
 * {@code canvas-batch serve} process (fresh vault copy and journal directory), one analyze of {@code nodes} generated
 * nodes, a socket opened and given its snapshot before confirm, then the time from sending confirm to receiving
 * {@code session_completed}, against the ideal {@code ⌈nodes / concurrency⌉ × latency} of the scripted model.
 *
 * <pre>benchmarks/run-makespan [--runs 5] [--latencies 1000,200] [--nodes 100] [--concurrency 12] [--launch launcher|jar]
 *     [--journal disk|memory] [--settle 0]</pre>
 *
 * <p>{@code --settle MS} waits that long between the server's start and the analysis, as a learner who starts the
 * server and then opens the canvas in Obsidian does: what the server does by itself after its start (its rehearsal
 * batches) has that long to run before the batch.
 */
public final class Makespan {

    /** One batch on one fresh server. */
    record Run(
            double wallMillis,
            double idealMillis,
            double confirmMillis,
            double firstCallMillis,
            double lastFirstRoundCallMillis,
            double meanGapMillis,
            double maxGapMillis,
            double lastAnswerToCompletedMillis,
            int calls,
            int peakInFlight,
            double serverCpuMillisPerNode,
            String cpuByThreads,
            String loadAverage) {

        double ratio() {
            return wallMillis / idealMillis;
        }
    }

    private Makespan() {}

    /** How long after its start a server is left alone before the batch's analysis (0: at once). */
    private static Duration settle = Duration.ZERO;

    public static void main(String[] args) throws Exception {
        List<String> list = Arrays.asList(args);
        Path repo = Path.of(option(list, "--repo", ".")).toAbsolutePath().normalize();
        int runs = Integer.parseInt(option(list, "--runs", "5"));
        int nodes = Integer.parseInt(option(list, "--nodes", "100"));
        int concurrency = Integer.parseInt(option(list, "--concurrency", "12"));
        List<Duration> latencies = latencies(list);
        boolean plainJar = option(list, "--launch", "launcher").equals("jar");
        String journal = option(list, "--journal", "disk");
        String command = option(list, "--command", "benchmarks/run-makespan");
        settle = Duration.ofMillis(Long.parseLong(option(list, "--settle", "0")));
        System.exit(run(repo, command, runs, nodes, concurrency, latencies, plainJar, journal, System.out));
    }

    /** The model latencies to measure ({@code --latencies 1000,200}, milliseconds). */
    static List<Duration> latencies(List<String> args) {
        return Arrays.stream(option(args, "--latencies", "1000,200").split(","))
                .map(ms -> Duration.ofMillis(Long.parseLong(ms.strip())))
                .toList();
    }

    static String option(List<String> args, String name, String fallback) {
        int at = args.indexOf(name);
        return at >= 0 && at + 1 < args.size() ? args.get(at + 1) : fallback;
    }

    static int run(
            Path repo,
            String command,
            int runs,
            int nodes,
            int concurrency,
            List<Duration> latencies,
            boolean plainJar,
            String journal,
            PrintStream out)
            throws Exception {
        String loadAtStart = MachineFacts.loadAverage();
        Path work = Files.createTempDirectory("canvas-batch-makespan-");
        ServerProcess.Launch launch =
                plainJar ? new ServerProcess.Launch.PlainJar() : new ServerProcess.Launch.Launcher();
        String launchName = plainJar ? "`java -jar bootstrap/target/canvas-batch.jar serve`" : "`./canvas-batch serve`";
        List<String> tables = new ArrayList<>();
        try (FakeModel model = FakeModel.start()) {
            LoadOptions options = LoadOptions.parse(List.of("--repo", repo.toString(), "--journal", journal));
            Bench bench = new Bench(repo, work, model, options, out);
            Thread stopServers = new Thread(bench::stopAll, "stop-makespan-servers");
            Runtime.getRuntime().addShutdownHook(stopServers);
            try {
                // the launcher builds when sources changed and writes its class-data archive when it has none; neither
                // is what a learner's every start pays, so one unmeasured batch comes first
                bench.say("unmeasured first start (build check, class-data archive), one batch");
                once(
                        bench,
                        launch,
                        "first-start",
                        nodes,
                        Duration.ofMillis(50),
                        concurrency,
                        "first start",
                        Duration.ofMinutes(3));
                for (Duration latency : latencies) {
                    List<Run> all = new ArrayList<>();
                    for (int run = 1; run <= runs; run++) {
                        Run measured = once(
                                bench,
                                launch,
                                "latency-" + latency.toMillis() + "-run-" + run,
                                nodes,
                                latency,
                                concurrency,
                                "run " + run,
                                Duration.ofSeconds(20));
                        bench.say(
                                "  %.3f s = %.4f × ideal; first call %.1f ms, 12th call %.1f ms, slot gap mean %.1f /"
                                        + " max %.1f ms, last answer → completed %.1f ms; server CPU %.1f ms per"
                                        + " node (%s); load %s",
                                measured.wallMillis() / 1000,
                                measured.ratio(),
                                measured.firstCallMillis(),
                                measured.lastFirstRoundCallMillis(),
                                measured.meanGapMillis(),
                                measured.maxGapMillis(),
                                measured.lastAnswerToCompletedMillis(),
                                measured.serverCpuMillisPerNode(),
                                measured.cpuByThreads(),
                                measured.loadAverage());
                        all.add(measured);
                    }
                    tables.add(table(nodes, concurrency, latency, all));
                }
            } finally {
                bench.stopAll();
                Runtime.getRuntime().removeShutdownHook(stopServers);
            }
        }
        out.println();
        out.printf(
                "Measured %s with `%s`, each run on a freshly started %s; load average (1 / 5 / 15 min) %s at the"
                        + " start, %s at the end.%n%n",
                MachineFacts.now().date(), command, launchName, loadAtStart, MachineFacts.loadAverage());
        tables.forEach(out::println);
        return 0;
    }

    private static Run once(
            Bench bench,
            ServerProcess.Launch launch,
            String name,
            int nodes,
            Duration latency,
            int concurrency,
            String what,
            Duration stopPatience)
            throws Exception {
        bench.say(
                "%s: fresh server, %d nodes, model %d ms, concurrency %d",
                what, nodes, latency.toMillis(), concurrency);
        ServerProcess server = bench.server(name, launch, concurrency);
        if (!settle.isZero() && !what.equals("first start")) {
            Thread.sleep(settle);
        }
        try (Client client = new Client(server)) {
            LoadCanvas canvas = LoadCanvas.write(server.vault(), "makespan", nodes);
            String session = client.analyze(canvas);
            List<Client.Socket> watcher = client.open(session, 1, 1, () -> new Watcher(false), Duration.ofSeconds(30));
            FakeModel model = bench.model();
            model.latency(latency);
            model.reset();
            String load = MachineFacts.loadAverage();
            long ideal = BatchWallTime.ideal(nodes, latency, concurrency).toNanos();
            Duration cpuBefore = serverCpu(server);
            Map<String, Long> threadsBefore = cpuTicksByThreadKind(server.pid());
            long confirmSent = System.nanoTime();
            client.confirm(session);
            long confirmed = System.nanoTime();
            long completed = watcher.getFirst()
                    .watcher()
                    .completed
                    .get(ideal * 3 + TimeUnit.SECONDS.toNanos(60), TimeUnit.NANOSECONDS);
            Duration cpuAfter = serverCpu(server);
            Map<String, Long> threadsAfter = cpuTicksByThreadKind(server.pid());
            Client.closeAll(watcher);
            List<FakeModel.Call> calls = model.calls();
            List<Long> starts =
                    calls.stream().map(FakeModel.Call::startedNanos).sorted().toList();
            List<Long> answers =
                    calls.stream().map(FakeModel.Call::answeredNanos).sorted().toList();
            double[] gaps = gaps(starts, answers, concurrency);
            return new Run(
                    millis(completed - confirmSent),
                    millis(ideal),
                    millis(confirmed - confirmSent),
                    millis(starts.getFirst() - confirmSent),
                    millis(starts.get(Math.min(concurrency, starts.size()) - 1) - confirmSent),
                    gaps[0],
                    gaps[1],
                    millis(completed - answers.getLast()),
                    calls.size(),
                    model.peakInFlight(),
                    cpuAfter.minus(cpuBefore).toNanos() / 1e6 / nodes,
                    perNode(threadsBefore, threadsAfter, nodes),
                    load);
        } finally {
            // a training run writes its AOT cache as it stops: that takes seconds, and must not be cut short
            server.stop(stopPatience);
        }
    }

    /** CPU time the server process has used so far (user and system, all threads), as the OS counts it. */
    private static Duration serverCpu(ServerProcess server) {
        return ProcessHandle.of(server.pid())
                .flatMap(process -> process.info().totalCpuDuration())
                .orElse(Duration.ZERO);
    }

    private static final long TICKS_PER_SECOND = 100; // USER_HZ, the unit of /proc's CPU times on Linux

    /**
     * The process's CPU time so far by the kind of thread that spent it, from {@code /proc/PID/task/*}/stat (Linux;
     * empty elsewhere): the JIT compilers, the garbage collector, the carriers of virtual threads (the batch's own
     * work: tasks, notes, journal, sockets), and the rest.
     */
    private static Map<String, Long> cpuTicksByThreadKind(long pid) {
        Map<String, Long> ticks = new java.util.TreeMap<>();
        Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        try (var threads = Files.list(tasks)) {
            for (Path thread : (Iterable<Path>) threads::iterator) {
                String stat;
                try {
                    stat = Files.readString(thread.resolve("stat"));
                } catch (java.io.IOException ended) {
                    continue;
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String name = stat.substring(open + 1, close);
                String[] fields = stat.substring(close + 2).split(" ");
                long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                ticks.merge(kindOf(name), used, Long::sum);
            }
        } catch (java.io.IOException | RuntimeException e) {
            return Map.of();
        }
        return ticks;
    }

    private static String kindOf(String threadName) {
        if (threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler")) {
            return "JIT";
        }
        if (threadName.startsWith("G1 ") || threadName.startsWith("GC ")) {
            return "GC";
        }
        if (threadName.startsWith("ForkJoinPool")) {
            return "virtual threads";
        }
        return "other";
    }

    private static String perNode(Map<String, Long> before, Map<String, Long> after, int nodes) {
        if (after.isEmpty()) {
            return "—";
        }
        StringBuilder text = new StringBuilder();
        for (var kind : after.entrySet()) {
            double millis = (kind.getValue() - before.getOrDefault(kind.getKey(), 0L)) * 1000.0 / TICKS_PER_SECOND;
            text.append(text.isEmpty() ? "" : ", ").append(f("%s %.1f", kind.getKey(), millis / nodes));
        }
        return text.toString();
    }

    /** Mean and worst time a slot stayed empty: the k-th call after the first round took the slot of the k-th answer. */
    static double[] gaps(List<Long> starts, List<Long> answers, int concurrency) {
        double sum = 0;
        double worst = 0;
        int n = 0;
        for (int k = 0; concurrency + k < starts.size(); k++) {
            double gap = millis(starts.get(concurrency + k) - answers.get(k));
            sum += gap;
            worst = Math.max(worst, gap);
            n++;
        }
        return new double[] {n == 0 ? Double.NaN : sum / n, worst};
    }

    private static String table(int nodes, int concurrency, Duration latency, List<Run> runs) {
        List<Run> byWall = runs.stream()
                .sorted(Comparator.comparingDouble(Run::wallMillis))
                .toList();
        Run median = byWall.get(byWall.size() / 2);
        StringBuilder text = new StringBuilder();
        text.append(f(
                "**%d nodes, model %d ms, concurrency %d**: ideal %.1f s; %d runs: **%.3f–%.3f × ideal** (median %.3f)%n%n",
                nodes,
                latency.toMillis(),
                concurrency,
                median.idealMillis() / 1000,
                runs.size(),
                byWall.getFirst().ratio(),
                byWall.getLast().ratio(),
                median.ratio()));
        text.append(
                "| run | confirm → `session_completed` | × ideal | confirm answered | first call | last call of round 1 |"
                        + " slot empty, mean / max | last answer → completed | calls / peak | server CPU per node |"
                        + " of which, by thread (ms per node) | load average |\n");
        text.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            text.append(f(
                    "| %d | %.3f s | %.4f | %.1f ms | %.1f ms | %.1f ms | %.1f / %.1f ms | %.1f ms | %d / %d | %.1f ms | %s"
                            + " | %s |%n",
                    i + 1,
                    r.wallMillis() / 1000,
                    r.ratio(),
                    r.confirmMillis(),
                    r.firstCallMillis(),
                    r.lastFirstRoundCallMillis(),
                    r.meanGapMillis(),
                    r.maxGapMillis(),
                    r.lastAnswerToCompletedMillis(),
                    r.calls(),
                    r.peakInFlight(),
                    r.serverCpuMillisPerNode(),
                    r.cpuByThreads(),
                    r.loadAverage()));
        }
        return text.toString();
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }
}
