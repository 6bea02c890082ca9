package org.canvasbatch.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.canvasbatch.adapters.journal.postgres.PostgresEventLog;
import org.canvasbatch.adapters.journal.postgres.PostgresLocation;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * Cluster mode's figures against a real PostgreSQL ({@code benchmarks/run-cluster} starts a throwaway one): appends per
 * second into the event table, the latency of an event from one server's append to another server's subscriber
 * (NOTIFY, then the row read), the failover time from a SIGKILL of the server running a batch to the next model call
 * made by another server, and batches spread over three servers against the ideal.
 *
 * <pre>java … ClusterBench --data postgresql://USER@HOST:PORT/DB --repo DIR [--quick]</pre>
 */
public final class ClusterBench {

    private ClusterBench() {}

    public static void main(String[] args) throws Exception {
        String data = null;
        Path repo = Path.of(".");
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = args[++i];
                case "--repo" -> repo = Path.of(args[++i]);
                case "--quick" -> quick = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (data == null) {
            throw new IllegalArgumentException("--data postgresql://… is required");
        }
        PostgresLocation location = PostgresLocation.parse(data);
        System.out.println(
                "machine: " + MachineFacts.now().describe() + "; load average at start " + MachineFacts.loadAverage());
        appends(location, quick ? Duration.ofSeconds(3) : Duration.ofSeconds(10));
        latency(location, quick ? 300 : 2_000);
        failover(repo, data, quick ? 1 : 3);
        spread(repo, data, quick, false, List.of());
        // placement: every batch confirmed on one server, which hands them to the idle ones
        spread(repo, data, quick, true, List.of());
        // a cluster-wide limit that never binds (36 = 3 × 12): what taking and giving back a permit per call costs
        spread(repo, data, quick, false, List.of("--cluster-provider-limit", "36"));
        // a binding limit: 12 calls at once over the 36 slots of the cluster
        spread(repo, data, quick, false, List.of("--cluster-provider-limit", "12"));
        System.out.println("load average at the end: " + MachineFacts.loadAverage());
    }

    /** 16 threads, each appending one event at a time to its own session, as fast as the database takes them. */
    private static void appends(PostgresLocation location, Duration length) throws Exception {
        try (PostgresEventLog log = PostgresEventLog.open(location)) {
            int threads = 16;
            AtomicLong stored = new AtomicLong();
            long end = System.nanoTime() + length.toNanos();
            String run = Long.toString(System.nanoTime(), 36);
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                SessionId id = new SessionId("append-" + run + "-" + t);
                writers.add(Thread.ofPlatform().start(() -> {
                    long seq = 1;
                    while (System.nanoTime() < end) {
                        log.append(List.of(event(id, seq++)));
                        stored.incrementAndGet();
                    }
                }));
            }
            for (Thread writer : writers) {
                writer.join();
            }
            System.out.printf(
                    "appends: %d threads, one event per append: %.0f events/s over %d s%n",
                    threads, stored.get() / (double) length.toSeconds(), length.toSeconds());
        }
    }

    /** One event every 5 ms appended by server A; the time until server B's subscriber has it. */
    private static void latency(PostgresLocation location, int events) throws Exception {
        try (PostgresEventLog a = PostgresEventLog.open(location);
                PostgresEventLog b = PostgresEventLog.open(location)) {
            SessionId id = new SessionId("latency-" + Long.toString(System.nanoTime(), 36));
            long[] sent = new long[events + 1];
            long[] micros = new long[events];
            CountDownLatch all = new CountDownLatch(events);
            b.subscribe(id, event -> {
                int seq = (int) event.seq();
                micros[seq - 1] = (System.nanoTime() - sent[seq]) / 1_000;
                all.countDown();
            });
            for (int seq = 1; seq <= events; seq++) {
                sent[seq] = System.nanoTime();
                a.append(List.of(event(id, seq)));
                TimeUnit.MILLISECONDS.sleep(5);
            }
            if (!all.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("server B heard " + (events - all.getCount()) + " of " + events);
            }
            Percentiles p = Percentiles.of(micros);
            System.out.printf(
                    "cross-server event latency (append on A → subscriber on B), %d events: p50 %.2f ms, p99 %.2f ms,"
                            + " max %.2f ms%n",
                    p.count(), p.p50() / 1000.0, p.p99() / 1000.0, p.max() / 1000.0);
        }
    }

    /** SIGKILL of the server running a batch (model calls of 1 s) → the first model call made by another server. */
    private static void failover(Path repo, String data, int runs) throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Path work = Files.createTempDirectory("cluster-failover");
            Path vault = Files.createDirectories(work.resolve("vault"));
            LoadCanvas canvas = LoadCanvas.write(vault, "failover", 100);
            try (FakeModel model = FakeModel.start()) {
                model.latency(Duration.ofSeconds(1));
                ServerProcess a = start(repo, vault, data, model, work.resolve("a.log"), List.of());
                ServerProcess b = start(repo, vault, data, model, work.resolve("b.log"), List.of());
                try (a;
                        b;
                        Client client = new Client(a)) {
                    String session = client.analyze(canvas);
                    client.confirm(session);
                    awaitCalls(model, 30);
                    a.kill();
                    // taken once the process is gone: a call started after it can only be another server's
                    long killed = System.nanoTime();
                    long next = awaitCallAfter(model, killed, Duration.ofSeconds(60));
                    millis.add((next - killed) / 1_000_000);
                    // cancelled, or the next run's servers would take this unfinished batch over and call its model
                    try (Client survivor = new Client(b)) {
                        survivor.cancel(session);
                    }
                }
            }
        }
        System.out.printf(
                "failover (SIGKILL of the running server → next model call by another; lease 10 s, look every 5 s):"
                        + " %s ms%n",
                millis);
    }

    /** 300 nodes of 1 s: three batches of 100, each confirmed on another of three servers with 12 slots each. */
    private static void spread(Path repo, String data, boolean quick, boolean confirmOnFirst, List<String> more)
            throws Exception {
        int perBatch = quick ? 36 : 100;
        Path work = Files.createTempDirectory("cluster-spread");
        Path vault = Files.createDirectories(work.resolve("vault"));
        try (FakeModel model = FakeModel.start()) {
            model.latency(Duration.ofSeconds(1));
            List<ServerProcess> servers = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    servers.add(start(repo, vault, data, model, work.resolve("s" + i + ".log"), more));
                }
                List<String> sessions = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    LoadCanvas canvas = LoadCanvas.write(vault, "spread-" + i, perBatch);
                    try (Client analyzer = new Client(servers.getFirst())) {
                        sessions.add(analyzer.analyze(canvas));
                    }
                }
                long started = System.nanoTime();
                for (int i = 0; i < 3; i++) {
                    try (Client client = new Client(servers.get(confirmOnFirst ? 0 : i))) {
                        client.confirm(sessions.get(i));
                    }
                }
                HttpClient http = HttpClient.newHttpClient();
                ConcurrentHashMap<String, Boolean> done = new ConcurrentHashMap<>();
                while (done.size() < 3) {
                    for (String session : sessions) {
                        // asked of the first server, which runs only one of them
                        HttpResponse<String> status = http.send(
                                HttpRequest.newBuilder(URI.create(servers.getFirst()
                                                        .httpBase() + "/canvas/intelligent-parallel/" + session))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (JsonText.parse(status.body()).getString("status").equals("completed")) {
                            done.put(session, true);
                        }
                    }
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                int limit = more.contains("--cluster-provider-limit")
                        ? Integer.parseInt(more.get(more.indexOf("--cluster-provider-limit") + 1))
                        : 36;
                double ideal = Math.ceil(3.0 * perBatch / Math.min(36, limit));
                System.out.printf(
                        "spread%s%s: %d nodes of 1 s as 3 batches over 3 servers × 12: %.1f s (ideal %.0f s, %.0f%% of"
                                + " it), peak %d calls in flight of %d%n",
                        confirmOnFirst ? ", all confirmed on one server" : ", each confirmed on its own server",
                        more.isEmpty() ? "" : ", " + String.join(" ", more),
                        3 * perBatch,
                        seconds,
                        ideal,
                        100 * ideal / seconds,
                        model.peakInFlight(),
                        Math.min(36, limit));
            } finally {
                for (ServerProcess server : servers) {
                    server.close();
                }
            }
        }
    }

    private static ServerProcess start(Path repo, Path vault, String data, FakeModel model, Path log, List<String> more)
            throws IOException, InterruptedException {
        ServerProcess server = ServerProcess.start(
                repo,
                new ServerProcess.Launch.PlainJar(),
                new ServerProcess.Options(vault, data, 12, model.baseUrl(), more),
                log);
        server.awaitFirstAnswer(Duration.ofSeconds(60));
        return server;
    }

    private static void awaitCalls(FakeModel model, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (model.calls().size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the model got " + model.calls().size() + " calls of " + count);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    private static long awaitCallAfter(FakeModel model, long afterNanos, Duration patience)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            for (FakeModel.Call call : model.calls()) {
                if (call.startedNanos() > afterNanos) {
                    return call.startedNanos();
                }
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        throw new IllegalStateException("no model call within " + patience + " of the kill");
    }

    private static SessionEvent event(SessionId id, long seq) {
        return new SessionEvent.SessionPaused(id, seq, Instant.now(), "benchmark event " + seq);
    }
}
