package org.canvasbatch.benchmarks.load;

import static org.canvasbatch.benchmarks.load.Figure.f;
import static org.canvasbatch.benchmarks.load.Figure.fromMicros;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fan-out side by side with a bare Node {@code ws} server (issue 12), run by {@code benchmarks/run-fanout}. For each
 * number of sockets: one session of {@code nodes} generated nodes on a real, warmed {@code canvas-batch serve}, watched
 * by that many Node {@code ws} clients that all have their snapshot before confirm; every live message is timed as its
 * receipt minus its {@code timestamp}. The message trace one client saw is then replayed, with the same gaps, by a
 * minimal Node {@code ws} server to the same client set, measured the same way.
 *
 * <pre>benchmarks/run-fanout [--sockets 100,1000] [--runs 1] [--nodes 200] [--concurrency 12] [--latency 200]
 *     [--gaps timestamp|receipt] [--replay-stamp due|send] [--origin none|plugin] [--clients-per-process 500]
 *     [--journal disk|memory] [--write-docs] [--keep]</pre>
 */
public final class Fanout {

    static final String DOC_SECTION = "fanout";

    static final String USAGE = """
            usage: benchmarks/run-fanout [--sockets 100,1000] [--runs 1] [--nodes 200] [--concurrency 12] [--latency 200]
                                         [--gaps timestamp|receipt] [--replay-stamp due|send] [--origin none|plugin]
                                         [--clients-per-process 500] [--journal disk|memory] [--write-docs] [--keep]
              --sockets       the numbers of sockets, each a level of its own (a new session and a new replay)
              --runs          how many times each level runs (server, then replay)
              --gaps          how the replay spaces the live messages: by the events' own timestamps (default: the
                              schedule the server was given) or by when the recording client received them
              --replay-stamp  the replay's `timestamp`: the message's due time (default: its waits count) or the
                              moment its sends begin (truncated to the millisecond, as canvas-batch's)
              --origin        none (default, as scripts connect) or plugin (Origin app://obsidian.md: history, no snapshot)
              --clients-per-process  sockets per Node client process (the clients share the machine with the server)
              --journal       the server's event journal: a fresh directory (disk, default, as users run it) or memory
                              (no fsync between an event and its sending: the sending path alone, beside the replay)
              --write-docs    write the figures between the fanout markers of docs/benchmarks.md
              --keep          keep the scratch folder (logs, the recorded trace, every client's figures)
            """;

    private static final String PLUGIN_ORIGIN = "app://obsidian.md";

    /** The command line. */
    record Options(
            Path repo,
            String command,
            List<Integer> sockets,
            int runs,
            int nodes,
            int concurrency,
            Duration latency,
            int clientsPerProcess,
            boolean receiptGaps,
            boolean stampAtSend,
            String origin,
            boolean diskJournal,
            boolean writeDocs,
            boolean keep,
            String node,
            Path nodeDir) {

        static Options parse(List<String> args) {
            Path repo = Path.of(option(args, "--repo", ".")).toAbsolutePath().normalize();
            String gaps = option(args, "--gaps", "timestamp");
            if (!gaps.equals("timestamp") && !gaps.equals("receipt")) {
                throw new IllegalArgumentException("--gaps is timestamp or receipt, not " + gaps);
            }
            String stamp = option(args, "--replay-stamp", "due");
            if (!stamp.equals("due") && !stamp.equals("send")) {
                throw new IllegalArgumentException("--replay-stamp is due or send, not " + stamp);
            }
            String origin = option(args, "--origin", "none");
            if (!origin.equals("none") && !origin.equals("plugin")) {
                throw new IllegalArgumentException("--origin is none or plugin, not " + origin);
            }
            String journal = option(args, "--journal", "disk");
            if (!journal.equals("disk") && !journal.equals("memory")) {
                throw new IllegalArgumentException("--journal is disk or memory, not " + journal);
            }
            for (String arg : args) {
                if (arg.startsWith("--") && !KNOWN.contains(arg)) {
                    throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            return new Options(
                    repo,
                    option(args, "--command", "benchmarks/run-fanout"),
                    Arrays.stream(option(args, "--sockets", "100,1000").split(","))
                            .map(n -> Integer.parseInt(n.strip()))
                            .toList(),
                    Integer.parseInt(option(args, "--runs", "1")),
                    Integer.parseInt(option(args, "--nodes", "200")),
                    Integer.parseInt(option(args, "--concurrency", "12")),
                    Duration.ofMillis(Long.parseLong(option(args, "--latency", "200"))),
                    Integer.parseInt(option(args, "--clients-per-process", "500")),
                    gaps.equals("receipt"),
                    stamp.equals("send"),
                    origin.equals("plugin") ? PLUGIN_ORIGIN : "",
                    journal.equals("disk"),
                    args.contains("--write-docs"),
                    args.contains("--keep"),
                    option(args, "--node", "node"),
                    Path.of(option(
                            args, "--node-dir", repo.resolve("benchmarks/node").toString())));
        }

        private static final List<String> KNOWN = List.of(
                "--repo",
                "--command",
                "--sockets",
                "--runs",
                "--nodes",
                "--concurrency",
                "--latency",
                "--clients-per-process",
                "--gaps",
                "--replay-stamp",
                "--origin",
                "--journal",
                "--write-docs",
                "--keep",
                "--node",
                "--node-dir");

        private static String option(List<String> args, String name, String fallback) {
            int at = args.indexOf(name);
            if (at < 0) {
                return fallback;
            }
            if (at + 1 >= args.size()) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            return args.get(at + 1);
        }
    }

    /**
     * What one client set saw of one sender during the live part.
     *
     * @param delivered         live messages received, summed over the sockets
     * @param expected          the trace's live messages × sockets
     * @param socketsWithEvery  sockets that received at least as many live messages as the trace holds
     * @param senderCpuPercent  canvas-batch's or the replay's CPU, in percent of one core, over the live part
     * @param clientCpuPercent  the Node client processes' CPU, summed, in percent of one core
     */
    record Side(
            Percentiles latency,
            long delivered,
            long expected,
            int socketsWithEvery,
            Map<Integer, Integer> abnormalCloses,
            int undated,
            double liveSeconds,
            double senderCpuPercent,
            double clientCpuPercent) {}

    /** One level of one run: the same sockets against canvas-batch, then against the replay of its trace. */
    record Level(
            int sockets,
            int run,
            int traceMessages,
            int fullStream,
            Side server,
            Side replay,
            String replayReport,
            String loadAverage) {}

    private Fanout() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(Arrays.asList(args));
        } catch (IllegalArgumentException e) {
            System.err.println("run-fanout: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options, System.out));
    }

    static int run(Options options, PrintStream out) throws Exception {
        String loadAtStart = MachineFacts.loadAverage();
        long started = System.nanoTime();
        Path work = Files.createTempDirectory("canvas-batch-fanout-");
        List<Level> levels = new ArrayList<>();
        try (FakeModel model = FakeModel.start()) {
            out.printf("[load] scratch folder %s (the servers' and the Node processes' logs)%n", work);
            Bench bench = new Bench(
                    options.repo(),
                    work,
                    model,
                    LoadOptions.parse(List.of(
                            "--repo",
                            options.repo().toString(),
                            "--journal",
                            options.diskJournal() ? "disk" : "memory")),
                    out);
            Thread stopServers = new Thread(bench::stopAll, "stop-fanout-servers");
            Runtime.getRuntime().addShutdownHook(stopServers);
            try {
                ServerProcess server =
                        bench.server("fanout", new ServerProcess.Launch.PlainJar(), options.concurrency());
                LoadTool.warmUp(bench, server);
                for (int sockets : options.sockets()) {
                    for (int run = 1; run <= options.runs(); run++) {
                        Level level = level(bench, server, options, sockets, run);
                        out.print(table(List.of(level)));
                        levels.add(level);
                    }
                }
            } finally {
                bench.stopAll();
                Runtime.getRuntime().removeShutdownHook(stopServers);
            }
        }
        String loadAtEnd = MachineFacts.loadAverage();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String markdown = markdown(options, levels, loadAtStart, loadAtEnd, took);
        out.println();
        out.println(markdown);
        if (options.writeDocs()) {
            Path doc = options.repo().resolve("docs/benchmarks.md");
            BenchmarksDoc.write(doc, DOC_SECTION, markdown);
            out.println("written to " + doc);
        }
        // kept when a level fails (its logs and the Node processes' errors are there) or when asked
        if (!options.keep()) {
            LoadTool.deleteQuietly(work);
        }
        return 0;
    }

    private static Level level(Bench bench, ServerProcess server, Options options, int sockets, int run)
            throws Exception {
        String load = MachineFacts.loadAverage();
        String name = "fanout-" + sockets + "-run-" + run;
        Path folder = bench.folder(name);
        LoadCanvas canvas = LoadCanvas.write(server.vault(), name, options.nodes());
        bench.say(
                "%,d Node ws clients on one session of %d nodes (model %d ms, concurrency %d), run %d; load %s",
                sockets, options.nodes(), options.latency().toMillis(), options.concurrency(), run, load);
        String session;
        Side fromServer;
        Trace trace;
        try (Client client = new Client(server)) {
            session = client.analyze(canvas);
            bench.model().latency(options.latency());
            String url = server.wsBase() + "/ws/intelligent-parallel/" + session;
            try (ClientSet clients = ClientSet.start(options, bench.folder(name + "/server"), url, sockets)) {
                clients.awaitReady(Duration.ofMinutes(3));
                long ticks = server.cpuTicks();
                long liveStart = System.nanoTime();
                client.confirm(session);
                clients.awaitDone(Duration.ofMinutes(5));
                double seconds = (System.nanoTime() - liveStart) / 1e9;
                bench.say("  canvas-batch: every client done %.1f s after confirm", seconds);
                double cpu = (server.cpuTicks() - ticks) * 100.0 / ServerProcess.ticksPerSecond() / seconds;
                Observed seen = clients.read();
                trace = Trace.of(seen.traces());
                fromServer = side(seen, trace.live().size(), sockets, seconds, cpu, clients.cpuPercent(seconds));
            }
        }
        bench.say(
                "  canvas-batch: p50 %s, p99 %s, max %s; %,d of %,d messages delivered",
                fromMicros(fromServer.latency().p50()),
                fromMicros(fromServer.latency().p99()),
                fromMicros(fromServer.latency().max()),
                fromServer.delivered(),
                fromServer.expected());

        Path traceFile = trace.write(folder.resolve("trace.json"), options.receiptGaps());
        Side fromReplay;
        String report;
        try (NodeProcess replay = NodeProcess.start(
                options.node(),
                options.nodeDir().resolve("replay-server.js"),
                List.of("--trace", traceFile.toString(), "--stamp", options.stampAtSend() ? "send" : "due"),
                folder.resolve("replay-server.err"))) {
            String listening = replay.awaitLine("listening", Duration.ofSeconds(30));
            String url = "ws://127.0.0.1:"
                    + listening.substring("listening ".length()).strip() + "/ws/intelligent-parallel/" + session;
            try (ClientSet clients = ClientSet.start(options, bench.folder(name + "/replay"), url, sockets)) {
                clients.awaitReady(Duration.ofMinutes(3));
                long ticks = replay.cpuTicks();
                long liveStart = System.nanoTime();
                replay.send("go");
                clients.awaitDone(Duration.ofMinutes(5));
                double seconds = (System.nanoTime() - liveStart) / 1e9;
                double cpu = (replay.cpuTicks() - ticks) * 100.0 / ServerProcess.ticksPerSecond() / seconds;
                report = replay.awaitLine("replayed", Duration.ofSeconds(30));
                fromReplay =
                        side(clients.read(), trace.live().size(), sockets, seconds, cpu, clients.cpuPercent(seconds));
            }
        }
        bench.say(
                "  Node ws replay: p50 %s, p99 %s, max %s; %,d of %,d messages delivered (%s)",
                fromMicros(fromReplay.latency().p50()),
                fromMicros(fromReplay.latency().p99()),
                fromMicros(fromReplay.latency().max()),
                fromReplay.delivered(),
                fromReplay.expected(),
                report);
        return new Level(sockets, run, trace.live().size(), trace.fullStream(), fromServer, fromReplay, report, load);
    }

    private static Side side(
            Observed seen, int traceMessages, int sockets, double seconds, double senderCpu, double clientCpu) {
        long delivered = 0;
        int withEvery = 0;
        Map<Integer, Integer> abnormal = new TreeMap<>();
        for (int i = 0; i < seen.live().length; i++) {
            delivered += seen.live()[i];
            if (seen.live()[i] >= traceMessages) {
                withEvery++;
            }
            // 0: the socket was still open when it had everything (the server's close came after)
            if (seen.closes()[i] != 0 && seen.closes()[i] != 1000) {
                abnormal.merge(seen.closes()[i], 1, Integer::sum);
            }
        }
        return new Side(
                Percentiles.of(seen.latenciesMicros()),
                delivered,
                (long) traceMessages * sockets,
                withEvery,
                abnormal,
                seen.undated(),
                seconds,
                senderCpu,
                clientCpu);
    }

    /**
     * What a client set saw, from its processes' files.
     *
     * @param live   live messages per socket
     * @param closes close code per socket (0: still open when the client set finished)
     * @param traces the messages of each process's first socket, in order: {@code {text, live, receivedMs}}
     */
    record Observed(long[] latenciesMicros, int[] live, int[] closes, int undated, List<JsonArray> traces) {}

    /**
     * The Node client processes of one measurement: {@code count} sockets spread over processes of at most
     * {@code --clients-per-process} each, the first socket of each recording its messages.
     */
    static final class ClientSet implements AutoCloseable {

        private final List<NodeProcess> processes;
        private final List<Path> outputs;
        private long cpuMicrosAtReady;
        private long cpuMicrosAtDone;

        private ClientSet(List<NodeProcess> processes, List<Path> outputs) {
            this.processes = processes;
            this.outputs = outputs;
        }

        static ClientSet start(Options options, Path folder, String url, int count)
                throws IOException, InterruptedException {
            int processCount = Math.max(1, (count + options.clientsPerProcess() - 1) / options.clientsPerProcess());
            List<NodeProcess> processes = new ArrayList<>();
            List<Path> outputs = new ArrayList<>();
            ClientSet set = new ClientSet(processes, outputs);
            try {
                for (int i = 0; i < processCount; i++) {
                    int share = count / processCount + (i < count % processCount ? 1 : 0);
                    Path output = folder.resolve("clients-" + i + ".json");
                    List<String> arguments = new ArrayList<>(List.of(
                            "--url", url, "--count", String.valueOf(share), "--out", output.toString(), "--record"));
                    if (!options.origin().isEmpty()) {
                        arguments.addAll(List.of("--origin", options.origin()));
                    }
                    processes.add(NodeProcess.start(
                            options.node(),
                            options.nodeDir().resolve("fanout-clients.js"),
                            arguments,
                            folder.resolve("clients-" + i + ".err")));
                    outputs.add(output);
                }
            } catch (IOException | RuntimeException e) {
                set.close();
                throw e;
            }
            return set;
        }

        void awaitReady(Duration patience) throws IOException, InterruptedException {
            for (NodeProcess process : processes) {
                String[] ready = process.awaitLine("ready", patience).split(" ");
                cpuMicrosAtReady += Long.parseLong(ready[2]);
            }
        }

        void awaitDone(Duration patience) throws IOException, InterruptedException {
            for (NodeProcess process : processes) {
                cpuMicrosAtDone +=
                        Long.parseLong(process.awaitLine("done", patience).split(" ")[1]);
            }
        }

        double cpuPercent(double seconds) {
            return (cpuMicrosAtDone - cpuMicrosAtReady) / 1e4 / seconds;
        }

        Observed read() throws IOException {
            List<Long> latencies = new ArrayList<>();
            List<Integer> live = new ArrayList<>();
            List<Integer> closes = new ArrayList<>();
            List<JsonArray> traces = new ArrayList<>();
            int undated = 0;
            for (Path output : outputs) {
                JsonObject result = JsonText.parse(Files.readString(output, StandardCharsets.UTF_8));
                for (JsonNumber micros : result.getJsonArray("latenciesMicros").getValuesAs(JsonNumber.class)) {
                    latencies.add(micros.longValue());
                }
                for (JsonObject socket : result.getJsonArray("sockets").getValuesAs(JsonObject.class)) {
                    live.add(socket.getInt("live"));
                    closes.add(socket.isNull("close") ? 0 : socket.getInt("close"));
                }
                undated += result.getInt("undated");
                traces.add(result.getJsonArray("trace"));
            }
            return new Observed(
                    latencies.stream().mapToLong(Long::longValue).toArray(),
                    live.stream().mapToInt(Integer::intValue).toArray(),
                    closes.stream().mapToInt(Integer::intValue).toArray(),
                    undated,
                    traces);
        }

        @Override
        public void close() throws InterruptedException {
            for (NodeProcess process : processes) {
                process.close();
            }
        }
    }

    /**
     * The messages one socket received from canvas-batch: the preamble before the live part ({@code connected}, the
     * snapshot) and the live messages, each with its receipt time.
     */
    record Trace(List<String> preamble, List<String> live, List<Double> receivedMs) {

        /** The fullest of the recorded traces: the one with the most live messages, ending with the session's end. */
        static Trace of(List<JsonArray> recorded) throws IOException {
            Trace best = null;
            for (JsonArray messages : recorded) {
                List<String> preamble = new ArrayList<>();
                List<String> live = new ArrayList<>();
                List<Double> received = new ArrayList<>();
                for (JsonObject message : messages.getValuesAs(JsonObject.class)) {
                    if (message.getBoolean("live")) {
                        live.add(message.getString("text"));
                        received.add(message.getJsonNumber("receivedMs").doubleValue());
                    } else {
                        preamble.add(message.getString("text"));
                    }
                }
                boolean complete =
                        !live.isEmpty() && Envelope.scan(live.getLast()).type().equals("session_completed");
                if (complete && (best == null || live.size() > best.live().size())) {
                    best = new Trace(preamble, live, received);
                }
            }
            if (best == null) {
                throw new IOException("no recording client saw the session to its end: nothing to replay");
            }
            return best;
        }

        /**
         * Writes the replay server's input: the preamble, and every live message with its offset from the first, taken
         * from the events' {@code timestamp}s (the schedule canvas-batch was given) or from the recording client's
         * receipt times.
         */
        Path write(Path file, boolean receiptGaps) throws IOException {
            JsonArrayBuilder first = JsonText.JSON.createArrayBuilder();
            preamble.forEach(first::add);
            JsonArrayBuilder messages = JsonText.JSON.createArrayBuilder();
            double origin = receiptGaps ? receivedMs.getFirst() : stampMillis(live.getFirst());
            double previous = 0;
            for (int i = 0; i < live.size(); i++) {
                double at = (receiptGaps ? receivedMs.get(i) : stampMillis(live.get(i))) - origin;
                // never earlier than the message before it: the replay keeps the trace's order
                previous = Math.max(previous, at);
                messages.add(JsonText.JSON
                        .createObjectBuilder()
                        .add("text", live.get(i))
                        .add("offsetMs", previous));
            }
            String json = JsonText.JSON
                    .createObjectBuilder()
                    .add("preamble", first)
                    .add("live", messages)
                    .build()
                    .toString();
            Files.writeString(file, json, StandardCharsets.UTF_8);
            return file;
        }

        /**
         * How many live messages a socket gets when nothing is coalesced: every event, and one {@code progress_update}
         * after each task outcome (docs/contract.md §3.2). The server may have coalesced some of those for the
         * recording socket too, and the replay sends only what the trace holds.
         */
        int fullStream() {
            int events = 0;
            int outcomes = 0;
            for (String message : live) {
                Envelope head = Envelope.scan(message);
                if (!head.derived()) {
                    events++;
                }
                if (head.type().equals("task_completed") || head.type().equals("task_failed")) {
                    outcomes++;
                }
            }
            return events + outcomes;
        }

        private static double stampMillis(String message) throws IOException {
            long micros = Envelope.scan(message).appendedMicros();
            if (micros < 0) {
                throw new IOException("a live message without a timestamp: " + message.substring(0, 120));
            }
            return micros / 1000.0;
        }
    }

    static String table(List<Level> levels) {
        StringBuilder text = new StringBuilder();
        text.append("| sockets | this server p50 / p99 / max | Node `ws` replay p50 / p99 / max |"
                + " messages delivered (this / Node) | of a full stream |\n");
        text.append("| ---: | --- | --- | --- | ---: |\n");
        for (Level level : levels) {
            text.append(f(
                    "| %s | %s | %s | %,d / %,d | %,d |%n",
                    levels.stream().anyMatch(other -> other.run() > 1)
                            ? f("%,d (run %d)", level.sockets(), level.run())
                            : f("%,d", level.sockets()),
                    distribution(level.server().latency()),
                    distribution(level.replay().latency()),
                    level.server().delivered(),
                    level.replay().delivered(),
                    (long) level.fullStream() * level.sockets()));
        }
        return text.toString();
    }

    private static String distribution(Percentiles p) {
        return f("%s / %s / %s", fromMicros(p.p50()), fromMicros(p.p99()), fromMicros(p.max()));
    }

    private static String details(List<Level> levels) {
        StringBuilder text = new StringBuilder();
        text.append(
                "| sockets | run | live messages: full stream / trace | sockets with the whole trace (this / Node) |"
                        + " closes other than 1000 (this / Node) | sender CPU (canvas-batch / Node) |"
                        + " clients' CPU (this / Node) | live part (this / Node) | replay | load average |\n");
        text.append("| ---: | ---: | ---: | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Level level : levels) {
            Side server = level.server();
            Side replay = level.replay();
            text.append(f(
                    "| %,d | %d | %d / %d | %,d / %,d | %s / %s | %.0f %% / %.0f %% | %.0f %% / %.0f %% | %.1f s / %.1f s |"
                            + " %s | %s |%n",
                    level.sockets(),
                    level.run(),
                    level.fullStream(),
                    level.traceMessages(),
                    server.socketsWithEvery(),
                    replay.socketsWithEvery(),
                    closes(server),
                    closes(replay),
                    server.senderCpuPercent(),
                    replay.senderCpuPercent(),
                    server.clientCpuPercent(),
                    replay.clientCpuPercent(),
                    server.liveSeconds(),
                    replay.liveSeconds(),
                    level.replayReport(),
                    level.loadAverage()));
        }
        return text.toString();
    }

    private static String closes(Side side) {
        String closes =
                side.abnormalCloses().isEmpty() ? "none" : side.abnormalCloses().toString();
        return side.undated() == 0 ? closes : closes + f(" (%d without timestamp)", side.undated());
    }

    static String markdown(Options options, List<Level> levels, String loadAtStart, String loadAtEnd, Duration took) {
        MachineFacts machine = MachineFacts.now();
        int processes = levels.stream()
                .mapToInt(level -> (level.sockets() + options.clientsPerProcess() - 1) / options.clientsPerProcess())
                .max()
                .orElse(1);
        return f(
                        """
                ## Fan-out side by side with Node `ws` (issue 12)

                Measured on %s with `%s` (%d min %d s in all). Machine: %s. Load average (1 / 5 / 15 min): %s when the \
                run started, %s when it ended; each level's own is in the second table.

                """,
                        machine.date(),
                        options.command(),
                        took.toMinutes(),
                        took.toSecondsPart(),
                        machine.describe(),
                        loadAtStart,
                        loadAtEnd)
                + table(levels)
                + "\n"
                + details(levels)
                + "\n"
                + f(
                        """
                **How.** One `java -jar bootstrap/target/canvas-batch.jar serve` (this repository's build, %s, \
                `--concurrency %d`) against the load tool's scripted OpenAI-compatible \
                model (`FakeModel`: every call answered after exactly %d ms, so the %d calls of a round end together \
                and their events come in bursts), warmed by one 120-node batch watched by 20 sockets. For each level a \
                new session of %d generated nodes is analyzed; the clients (`benchmarks/node/fanout-clients.js`, the \
                `ws` package pinned in `benchmarks/node/package.json`, in at most %d sockets per Node process, so up \
                to %d processes) open every socket %s and wait until each has its snapshot; then confirm. Every live \
                message (after the snapshot) is timed as its receipt (`performance.timeOrigin + performance.now()` \
                in the client, sub-millisecond) minus its `timestamp`, on this machine's one clock, and counted per \
                socket. `messages delivered` is the sum over the sockets; `of a full stream` is what they would be with \
                nothing coalesced (every event plus one `progress_update` after each task outcome, docs/contract.md \
                §3.2, × sockets). canvas-batch coalesces a group's `progress_update`s (newest wins) only for a socket \
                that has fallen half its queue behind (docs/contract.md §3.5), so a socket that keeps up records the \
                full stream; should the recording socket have fallen behind, the trace is shorter and the replay \
                sends the trace, no more.

                **The replay.** The first socket of each client process records every message it receives; the \
                fullest recording (the most live messages, ending with `session_completed`) is the trace. \
                `benchmarks/node/replay-server.js`, a bare `ws` server in a fresh Node process, sends the trace's \
                preamble (`connected`, the snapshot) to each socket as it connects; once the same client set (the \
                same script, the same number of sockets and processes) has it everywhere, it sends live message k at \
                its start + %s, encoding each message once into a buffer that it `send`s to every open socket. %s \
                After the last message the replay closes every socket with 1000, as canvas-batch does after \
                `session_completed`. The replay column says how late, at worst, a message's sends began after its \
                due time.

                **Read with care.** Everything runs on this machine's two cores: the server (or the replay), the \
                client processes (their CPU is in the table) and the model, with other sessions' builds beside them \
                (load average above). The replay is a fresh Node process, not warmed; canvas-batch was warmed. \
                canvas-batch also does the batch's own work in the same process during the live part (the notes, \
                the canvas, the journal); the replay only sends.
                """,
                        options.diskJournal()
                                ? "the durable journal in a fresh directory"
                                : "the in-memory journal, `--data memory`: no fsync before an event is sent",
                        options.concurrency(),
                        options.latency().toMillis(),
                        options.concurrency(),
                        options.nodes(),
                        options.clientsPerProcess(),
                        processes,
                        options.origin().isEmpty()
                                ? "without an `Origin` header (as scripts connect: `connected`, one `progress_update` per"
                                        + " group and `snapshot`, then live events)"
                                : "with the plugin's `Origin: " + options.origin()
                                        + "` (the plugin's rules of docs/contract.md §3.1: history, no snapshot, and no"
                                        + " `progress_update` at a group's last node, so the full stream below counts one"
                                        + " message per group too many)",
                        options.receiptGaps()
                                ? "(the recording client's receipt time of message k − of the first): the gaps it saw"
                                : "(`timestamp` of message k − `timestamp` of the first): the events' own schedule, the"
                                        + " one canvas-batch was given, not the gaps its delivery produced",
                        options.stampAtSend()
                                ? "**Its `timestamp` is the moment the message's sends begin** (`--replay-stamp send`,"
                                        + " truncated to the millisecond as canvas-batch's): the time a message waited"
                                        + " behind the sends of the messages before it is not in the figures, while"
                                        + " canvas-batch's wait between appending an event and writing it is."
                                : "**Its `timestamp` is the message's scheduled due time, not the moment of sending**"
                                        + " (`--replay-stamp due`, the default): a timer that fires late or the sends of"
                                        + " earlier messages make a message late and that counts, as canvas-batch's"
                                        + " delays between appending an event and writing it count. Due times are whole"
                                        + " milliseconds and stamped exactly, while canvas-batch's `timestamp` is the"
                                        + " append instant truncated to the millisecond, so canvas-batch's figures read"
                                        + " 0–1 ms (on average 0.5 ms) higher for the same delivery.");
    }
}
