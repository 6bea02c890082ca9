package org.canvasbatch.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.canvasbatch.adapters.journal.FileJournal;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The durable journal under load: appends with every event synced before it returns (many sessions at once, as a busy
 * server runs them), and the time to recover sessions on start. {@link #main} measures the heap an idle, finished
 * session costs after recovery.
 *
 * <pre>
 * java -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *     org.openjdk.jmh.Main JournalBenchmark -t 16
 * java -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *     org.canvasbatch.benchmarks.JournalBenchmark
 * </pre>
 */
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class JournalBenchmark {

    private static final Instant T0 = Instant.parse("2025-03-14T09:00:00Z");
    /** A generated note as the output preview carries it: mixed CJK and Latin Markdown, 1 500 chars. */
    private static final String NOTE = ("## 逆否命题 Contrapositive\n若 p 则 q ⇔ 若非 q 则非 p. An example follows. ")
            .repeat(30)
            .substring(0, 1_500);

    /** One journal in a fresh directory shared by every appending thread. */
    @State(Scope.Benchmark)
    public static class OpenJournal {
        Path directory;
        FileJournal journal;

        @Setup(Level.Trial)
        public void open() throws IOException {
            directory = Files.createTempDirectory("journal-bench-append");
            journal = FileJournal.open(directory);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            journal.close();
            deleteTree(directory);
        }
    }

    /** Each thread is one running session: the core serialises a session's appends, sessions append in parallel. */
    @State(Scope.Thread)
    public static class RunningSession {
        SessionId id;
        long seq;

        @Setup(Level.Trial)
        public void start() {
            id = new SessionId("bench-" + UUID.randomUUID());
        }

        List<SessionEvent> nextEvent() {
            return List.of(batchEvent(id, ++seq));
        }
    }

    /**
     * Event {@code seq} of a running session: a node starting and a node succeeding with its note preview in turn, the
     * bulk of a batch's events.
     */
    public static SessionEvent batchEvent(SessionId id, long seq) {
        Instant at = T0.plusMillis(seq);
        String node = "node-" + seq / 2;
        return seq % 2 == 1
                ? new TaskStarted(id, seq, at, node, 1, AgentId.ORAL_EXPLANATION, 1)
                : new TaskSucceeded(
                        id,
                        seq,
                        at,
                        node,
                        1,
                        AgentId.ORAL_EXPLANATION,
                        1,
                        "notes/" + node + ".md",
                        4_096,
                        2_300,
                        NOTE,
                        "gpt-4o-mini");
    }

    /** Durable events per second over all threads (one event per append, each synced before append returns). */
    @Benchmark
    @Threads(16)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void appendThroughput(OpenJournal journal, RunningSession session) {
        journal.journal.append(session.nextEvent());
    }

    /** How long one durable append takes under the same load (see the p0.99 line). */
    @Benchmark
    @Threads(16)
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void appendLatency(OpenJournal journal, RunningSession session) {
        journal.journal.append(session.nextEvent());
    }

    /** Finished sessions on disk, as a server leaves them when it stops. */
    @State(Scope.Benchmark)
    public static class StoredSessions {
        @Param("100")
        public int sessions;
        /** Nodes per session; each gives two events, plus created, started and finished: 99 nodes = 201 events. */
        @Param("99")
        public int nodes;

        Path directory;

        @Setup(Level.Trial)
        public void write() throws IOException {
            directory = Files.createTempDirectory("journal-bench-recover");
            writeFinishedSessions(directory, sessions, nodes, NOTE);
        }

        @TearDown(Level.Trial)
        public void delete() throws IOException {
            deleteTree(directory);
        }
    }

    /** Opening the journal: every file scanned, checksummed and decoded, its index built. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 5)
    @Measurement(iterations = 20)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int recoverOpen(StoredSessions stored) {
        try (FileJournal journal = FileJournal.open(stored.directory)) {
            return journal.sessionIds().size();
        }
    }

    /** What a start costs the core: open, then read every session's events and fold them into its aggregate. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 5)
    @Measurement(iterations = 20)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public List<Session> recoverAndReplay(StoredSessions stored) {
        try (FileJournal journal = FileJournal.open(stored.directory)) {
            List<Session> sessions = new ArrayList<>();
            for (SessionId id : journal.sessionIds()) {
                sessions.add(Session.fromHistory(journal.readAfter(id, 0, Integer.MAX_VALUE)));
            }
            return sessions;
        }
    }

    /**
     * Heap per idle finished session after recovery: what the journal keeps (its index), and, for comparison, what the
     * core's aggregate of the same session holds. Run with a fixed heap for stable numbers.
     */
    public static void main(String[] args) throws IOException {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 99;
        Path directory = Files.createTempDirectory("journal-bench-memory");
        try {
            writeFinishedSessions(directory, sessions, nodes, "short note");
            long before = usedHeapAfterGc();
            long started = System.nanoTime();
            FileJournal journal = FileJournal.open(directory);
            long openMillis = (System.nanoTime() - started) / 1_000_000;
            long withJournal = usedHeapAfterGc();
            List<Session> aggregates = new ArrayList<>();
            for (SessionId id : journal.sessionIds()) {
                aggregates.add(Session.fromHistory(journal.readAfter(id, 0, Integer.MAX_VALUE)));
            }
            long withAggregates = usedHeapAfterGc();
            System.out.printf(
                    "%d sessions x %d events recovered in %d ms%n",
                    journal.sessionIds().size(), 2 * nodes + 3, openMillis);
            System.out.printf("journal index per idle session: %,d bytes%n", (withJournal - before) / sessions);
            System.out.printf(
                    "core Session aggregate per idle session (for comparison): %,d bytes%n",
                    (withAggregates - withJournal) / aggregates.size());
            journal.close();
        } finally {
            deleteTree(directory);
        }
    }

    /** Writes finished sessions through the journal itself, events produced by the real aggregate. */
    static void writeFinishedSessions(Path directory, int sessions, int nodes, String note) {
        try (FileJournal journal = FileJournal.open(directory)) {
            for (int s = 0; s < sessions; s++) {
                journal.append(finishedSession(new SessionId("stored-" + s), nodes, note));
            }
        }
    }

    static List<SessionEvent> finishedSession(SessionId id, int nodes, String note) {
        List<PlannedTask> tasks = new ArrayList<>();
        List<String> nodeIds = new ArrayList<>();
        for (int n = 1; n <= nodes; n++) {
            nodeIds.add("node-" + n);
            tasks.add(new PlannedTask("node-" + n, 1, "什么是逆否命题？Explain question " + n, AgentId.ORAL_EXPLANATION));
        }
        Group group = new Group(
                1,
                "逻辑",
                List.of("命题", "逆否"),
                Category.DEFINITION,
                AgentId.ORAL_EXPLANATION,
                Priority.HIGH,
                0.8,
                nodeIds);
        SessionSettings settings = new SessionSettings(12, Duration.ofSeconds(600), Duration.ofSeconds(120), 3);
        Session.Creation creation = Session.create(id, "Maths/逻辑.canvas", List.of(group), tasks, settings, 0.4, 1, T0);
        Session session = creation.session();
        List<SessionEvent> events = new ArrayList<>(List.of(creation.event()));
        Instant now = T0.plusSeconds(1);
        events.addAll(session.start(null, now));
        for (String node : nodeIds) {
            now = now.plusMillis(500);
            events.addAll(session.startTask(node, now));
            events.addAll(session.recordSuccess(
                    node, 1, "notes/" + node + ".md", 4_096, 2_300, note, "gpt-4o-mini", now.plusSeconds(2)));
        }
        return events;
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    public static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
