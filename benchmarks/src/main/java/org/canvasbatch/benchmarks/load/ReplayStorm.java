package org.canvasbatch.benchmarks.load;

import static org.canvasbatch.benchmarks.load.Figure.f;
import static org.canvasbatch.benchmarks.load.Figure.fromMicros;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.canvasbatch.adapters.journal.FileJournal;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;

/**
 * A replay storm (issue 14): many sockets reconnect at once with {@code ?last_seq=0} to one big finished session, so
 * that each must be sent the session's whole history from the journal. Measured from outside: how long
 * {@code /health/live} takes to answer while it runs (polled every 20 ms on a fresh connection), whether {@code /health}
 * stays UP, how far the server's resident memory grows, and how long the storm takes.
 *
 * <p>The session is written straight into the server's data folder before the server starts, by the journal itself,
 * with events made by the real aggregate: {@code nodes} nodes, each started once and succeeded with a 2 000-character
 * note preview (what a model's answer leaves in the journal), so {@code 2 × nodes + 3} events.
 */
record ReplayStorm(
        int sockets,
        long events,
        Received perReplay,
        int completeReplays,
        double stormSeconds,
        Percentiles live,
        int liveProbes,
        Percentiles idleLive,
        List<Long> slowProbesAtMillis,
        int healthProbes,
        int healthDown,
        long rssBeforeKiB,
        long rssPeakKiB,
        long liveHeapBeforeKiB,
        long liveHeapAfterKiB,
        String launch)
        implements Figure {

    static final double LIVE_TARGET_MILLIS = 100;
    static final long RSS_TARGET_MIB = 200;
    /** The server cuts off a socket that did not answer its close frame after 5 s; these clients never answer. */
    private static final long CLOSE_GRACE_MILLIS = 6_000;

    /** A generated note as the output preview carries it: mixed CJK and Latin Markdown, 2 000 characters. */
    private static final String NOTE = ("## 逆否命题 Contrapositive\n若 p 则 q ⇔ 若非 q 则非 p. An example follows. ")
            .repeat(40)
            .substring(0, 2_000);

    static ReplayStorm measure(Bench bench, int nodes, int sockets, List<String> javaOptions) throws Exception {
        String name = "replay-" + System.nanoTime();
        Path data = bench.folder(name + "/journal");
        SessionId id = new SessionId(UUID.randomUUID().toString());
        long events = writeSession(data, id, nodes);
        bench.say(
                "replay storm: a finished session of %,d events written; %d sockets will replay it from seq 0",
                events, sockets);
        ServerProcess server = bench.spawn(
                name,
                new ServerProcess.Launch.PlainJar(javaOptions),
                new ServerProcess.Options(
                        bench.vault(name), data.toString(), 12, bench.model().baseUrl()));
        server.awaitFirstAnswer(Duration.ofSeconds(120));
        URI uri = URI.create(server.wsBase() + "/ws/intelligent-parallel/" + id.value() + "?last_seq=0");
        try {
            // one replay first: class loading and compilation are not what the storm is about; then what the server
            // holds when idle (once closing sockets are gone), and a second replay to bring its heap back to size
            Received first = replay(uri).get(5, TimeUnit.MINUTES);
            Thread.sleep(CLOSE_GRACE_MILLIS);
            ServerProcess.Heap heapBefore = server.heapAfterFullGc();
            replay(uri).get(5, TimeUnit.MINUTES);
            for (int i = 0; i < 20; i++) {
                probe(server, "/health/live");
            }
            Thread.sleep(2_000);
            long rssBefore = server.rssKiB();

            Percentiles idle = Percentiles.of(idleProbes(server, 100));
            AtomicBoolean storming = new AtomicBoolean(true);
            List<Long> liveMicros = new ArrayList<>();
            List<Long> slowAt = new ArrayList<>();
            long[] stormStart = {System.nanoTime()};
            AtomicLong peakRss = new AtomicLong(rssBefore);
            int[] health = {0, 0};
            Thread prober = Thread.ofPlatform().name("replay-probe").start(() -> {
                long round = 0;
                while (storming.get()) {
                    try {
                        long sentAt = System.nanoTime();
                        Probe live = probe(server, "/health/live");
                        synchronized (liveMicros) {
                            liveMicros.add(live.micros());
                            if (live.micros() >= LIVE_TARGET_MILLIS * 1000) {
                                slowAt.add((sentAt - stormStart[0]) / 1_000_000);
                            }
                        }
                        if (round++ % 10 == 0) {
                            Probe all = probe(server, "/health");
                            health[0]++;
                            if (all.status() != 200) {
                                health[1]++;
                            }
                        }
                        peakRss.accumulateAndGet(server.rssKiB(), Math::max);
                        Thread.sleep(20);
                    } catch (IOException e) {
                        synchronized (liveMicros) {
                            liveMicros.add(TimeUnit.SECONDS.toMicros(30));
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long started = System.nanoTime();
            stormStart[0] = started;
            List<CompletableFuture<Received>> replays = new ArrayList<>();
            for (int i = 0; i < sockets; i++) {
                replays.add(replay(uri));
            }
            int complete = 0;
            for (CompletableFuture<Received> replay : replays) {
                Received received = replay.get(15, TimeUnit.MINUTES);
                if (received.messages() == first.messages() && received.closeCode() == 1000) {
                    complete++;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            storming.set(false);
            prober.join();
            Thread.sleep(CLOSE_GRACE_MILLIS);
            ServerProcess.Heap heap = server.heapAfterFullGc();
            long[] micros;
            synchronized (liveMicros) {
                micros = liveMicros.stream().mapToLong(Long::longValue).toArray();
            }
            return new ReplayStorm(
                    sockets,
                    events,
                    first,
                    complete,
                    seconds,
                    Percentiles.of(micros),
                    micros.length,
                    idle,
                    List.copyOf(slowAt),
                    health[0],
                    health[1],
                    rssBefore,
                    peakRss.get(),
                    heapBefore.usedKiB(),
                    heap.usedKiB(),
                    javaOptions.isEmpty() ? "default JVM options" : "`" + String.join(" ", javaOptions) + "`");
        } finally {
            server.stop(Duration.ofSeconds(20));
        }
    }

    /** {@code count} timed probes of {@code /health/live} on the idle server, one every 20 ms: the floor to compare. */
    private static long[] idleProbes(ServerProcess server, int count) throws IOException, InterruptedException {
        long[] micros = new long[count];
        for (int i = 0; i < count; i++) {
            micros[i] = probe(server, "/health/live").micros();
            Thread.sleep(20);
        }
        return micros;
    }

    /** Writes a finished session of {@code nodes} succeeded nodes into a data folder; returns its event count. */
    static long writeSession(Path data, SessionId id, int nodes) {
        List<PlannedTask> tasks = new ArrayList<>();
        List<List<String>> groupNodes = new ArrayList<>();
        int groupCount = 6;
        for (int g = 0; g < groupCount; g++) {
            groupNodes.add(new ArrayList<>());
        }
        for (int n = 1; n <= nodes; n++) {
            int group = 1 + n % groupCount;
            groupNodes.get(group - 1).add("node-" + n);
            tasks.add(new PlannedTask("node-" + n, group, "什么是逆否命题？Explain question " + n, AgentId.ORAL_EXPLANATION));
        }
        List<Group> groups = new ArrayList<>();
        for (int g = 1; g <= groupCount; g++) {
            groups.add(new Group(
                    g,
                    "逻辑 " + g,
                    List.of("命题", "逆否"),
                    Category.DEFINITION,
                    AgentId.ORAL_EXPLANATION,
                    Priority.HIGH,
                    0.8,
                    groupNodes.get(g - 1)));
        }
        SessionSettings settings = new SessionSettings(12, Duration.ofSeconds(3_600), Duration.ofSeconds(120), 3);
        // recent enough that the 30-minute retention of finished sessions keeps it for the whole run
        Instant now = Instant.now().minusSeconds(nodes / 10 + 60);
        Session.Creation creation =
                Session.create(id, "Maths/逻辑.canvas", groups, tasks, settings, 0.4, groupCount, now);
        Session session = creation.session();
        long count = 0;
        try (FileJournal journal = FileJournal.open(data)) {
            List<SessionEvent> batch = new ArrayList<>(List.of(creation.event()));
            batch.addAll(session.start(null, now));
            for (int n = 1; n <= nodes; n++) {
                now = now.plusMillis(100);
                String node = "node-" + n;
                batch.addAll(session.startTask(node, now));
                batch.addAll(session.recordSuccess(
                        node, 1, "notes/" + node + ".md", 4_096, 2_300, NOTE, "load-model", now.plusMillis(50)));
                if (batch.size() >= 1_000) {
                    journal.append(batch);
                    count += batch.size();
                    batch = new ArrayList<>();
                }
            }
            journal.append(batch);
            count += batch.size();
        }
        return count;
    }

    /**
     * What one socket received: its text messages and their bytes, up to the server's close frame; when (
     * {@link System#nanoTime()}) the upgrade was answered, the first message arrived and the close frame arrived.
     */
    record Received(long messages, long bytes, int closeCode, long upgradedAt, long firstMessageAt, long closedAt) {}

    /**
     * A socket that replays the session: it reads frame headers and skips the payloads (no decoding, so that thirty of
     * them cost this JVM little), until the server's close frame; completes with what it received.
     */
    /** A client's pong frame (masked, as RFC 6455 asks of a client) for a ping's payload of at most 125 bytes. */
    private static byte[] pong(byte[] payload) {
        byte[] mask = new byte[4];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(mask);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x8A;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    static CompletableFuture<Received> replay(URI uri) throws IOException {
        Socket socket = new Socket();
        // a window of its own: sockets of one plugin window share the events between them
        socket.bind(new InetSocketAddress(Loopback.next(), 0));
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 30_000);
        byte[] nonce = new byte[16];
        new java.security.SecureRandom().nextBytes(nonce);
        String request = "GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: " + uri.getHost()
                + ":" + uri.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + java.util.Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Origin: app://obsidian.md\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        CompletableFuture<Received> done = new CompletableFuture<>();
        Thread.ofVirtual().name("replay-client").start(() -> {
            try (socket;
                    var in = new java.io.DataInputStream(
                            new java.io.BufferedInputStream(socket.getInputStream(), 65_536))) {
                int matched = 0;
                while (matched < 4) {
                    int b = in.read();
                    if (b < 0) {
                        throw new IOException("the server closed during the upgrade");
                    }
                    matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
                }
                long upgradedAt = System.nanoTime();
                long firstMessageAt = 0;
                long messages = 0;
                long bytes = 0;
                while (true) {
                    int first = in.readUnsignedByte();
                    int second = in.readUnsignedByte();
                    long length = second & 0x7F;
                    if (length == 126) {
                        length = in.readUnsignedShort();
                    } else if (length == 127) {
                        length = in.readLong();
                    }
                    int opcode = first & 0x0F;
                    if (opcode == 8) {
                        int code = length >= 2 ? in.readUnsignedShort() : 0;
                        done.complete(
                                new Received(messages, bytes, code, upgradedAt, firstMessageAt, System.nanoTime()));
                        return;
                    }
                    if (opcode == 9) {
                        // answer the server's heartbeat as a browser does: a resume that outlasts two ping
                        // intervals (a storm) would otherwise be dropped as dead
                        byte[] payload = in.readNBytes((int) length);
                        socket.getOutputStream().write(pong(payload));
                        continue;
                    }
                    in.skipNBytes(length);
                    if (opcode == 1) {
                        if (messages == 0) {
                            firstMessageAt = System.nanoTime();
                        }
                        messages++;
                        bytes += length;
                    }
                }
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private record Probe(int status, long micros) {}

    /** One GET on a fresh connection, timed until the whole answer is read. */
    private static Probe probe(ServerProcess server, String path) throws IOException {
        URI base = URI.create(server.httpBase());
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), base.getPort()), 30_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort() + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            StringBuilder head = new StringBuilder();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the server closed before answering " + path);
                }
                head.append((char) b);
                matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
            }
            var length = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)")
                    .matcher(head);
            in.skipNBytes(length.find() ? Long.parseLong(length.group(1)) : 0);
            long micros = (System.nanoTime() - started) / 1_000;
            int status = head.indexOf("HTTP/1.1 ") == 0 ? Integer.parseInt(head.substring(9, 12)) : -1;
            return new Probe(status, micros);
        }
    }

    @Override
    public List<Row> rows() {
        String what = f("%d sockets replaying a %,d-event session from seq 0, %s", sockets, events, launch);
        long growthMiB = (rssPeakKiB - rssBeforeKiB) / 1024;
        return List.of(
                new Row(
                        "Replay storm, " + what + ": `/health/live` while it runs",
                        f(
                                "p50 %s, p99 %s, max %s (%d probes, %d at 100 ms or more%s); idle: p50 %s, p99 %s,"
                                        + " max %s",
                                fromMicros(live.p50()),
                                fromMicros(live.p99()),
                                fromMicros(live.max()),
                                liveProbes,
                                slowProbesAtMillis.size(),
                                slowProbesAtMillis.isEmpty()
                                        ? ""
                                        : ", sent " + slowProbesAtMillis + " ms into the storm",
                                fromMicros(idleLive.p50()),
                                fromMicros(idleLive.p99()),
                                fromMicros(idleLive.max())),
                        "< 100 ms",
                        Verdict.of(live.max() >= 0 && live.max() / 1000.0 < LIVE_TARGET_MILLIS)),
                new Row(
                        "Replay storm, " + what + ": server RSS growth",
                        f(
                                "%,d MiB (%,d → %,d MiB peak; live heap after a full GC %,d MiB before, %,d MiB after)",
                                growthMiB,
                                rssBeforeKiB / 1024,
                                rssPeakKiB / 1024,
                                liveHeapBeforeKiB / 1024,
                                liveHeapAfterKiB / 1024),
                        "< 200 MB",
                        Verdict.of(growthMiB * 1024L * 1024 < RSS_TARGET_MIB * 1_000_000L)),
                new Row(
                        "Replay storm, " + what + ": `/health` DOWN answers",
                        f("%d of %d", healthDown, healthProbes),
                        "0",
                        Verdict.of(healthDown == 0)),
                new Row(
                        "Replay storm, " + what + ": complete replays, wall time",
                        f("%d of %d complete in %.1f s", completeReplays, sockets, stormSeconds),
                        "all",
                        Verdict.of(completeReplays == sockets)));
    }

    @Override
    public String details() {
        return f(
                """
                **Replay storm.** A finished session of %,d events (%,d nodes, each started once and succeeded with a \
                2 000-character note preview) is written into a fresh data folder by the journal itself; a server \
                (`java -jar canvas-batch.jar serve`, %s) recovers it at start. After one unmeasured full replay (then, 6 s later, a full GC \
                gives the live heap before; another full replay and 2 s of rest), %d sockets connect at once with `?last_seq=0` (handshake-only clients that read and discard \
                every byte as fast as they can) and each is sent the whole history, then `session_completed` and the \
                close 1000; a replay counts as complete when it delivered as many messages as the first one (%,d messages, %,d bytes, then \
                close %d). \
                Meanwhile `GET /health/live` is timed every 20 ms on a fresh connection (until the whole answer is \
                read), `GET /health` every tenth round, and the server's RSS (`/proc/<pid>/status`) sampled each round; \
                the same probe on the idle server just before (100 probes) gives the floor the machine allows. \
                The live heap after is taken 6 s after the last replay ended (once the server has cut off the closed \
                sockets, which hold Helidon's send buffers until then): what the storm leaves behind is the rendered \
                chunks kept for the next replay (a cache of at most 32 MiB, dropped after a minute unused) and the \
                checkpoints of the counts.
                """,
                events,
                (events - 3) / 2,
                launch,
                sockets,
                perReplay.messages(),
                perReplay.bytes(),
                perReplay.closeCode());
    }
}
