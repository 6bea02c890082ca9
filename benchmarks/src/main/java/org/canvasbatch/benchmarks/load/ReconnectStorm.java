package org.canvasbatch.benchmarks.load;

import static org.canvasbatch.benchmarks.load.Figure.f;
import static org.canvasbatch.benchmarks.load.Figure.fromMicros;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.canvasbatch.domain.session.SessionId;

/**
 * A reconnect storm (issue 12): {@code sockets} sockets reconnect at once with {@code ?last_seq=N} to a big finished
 * session, each a little behind its end, while a live session runs on the same server; the live session's event latency
 * (as {@link EventLatency} measures it, with {@code probes} measuring sockets) against the same session shape on the
 * quiet server just before. Target: the storm's p99 within 2 × the quiet p99.
 */
record ReconnectStorm(
        int sockets,
        long events,
        int behind,
        int liveNodes,
        Duration latency,
        int probes,
        EventLatency.Level quiet,
        EventLatency.Level storm,
        int completeReplays,
        long replayedMessages,
        long replayedBytes,
        double stormSeconds,
        long rssBeforeKiB,
        long rssPeakKiB,
        double openSeconds,
        Spread upgraded,
        Spread firstMessage,
        Spread closed,
        String launch)
        implements Figure {

    /** When the resumes reached a point, in seconds from the storm's start. */
    record Spread(double p50, double p90, double max) {
        static Spread of(List<Double> seconds) {
            if (seconds.isEmpty()) {
                return new Spread(Double.NaN, Double.NaN, Double.NaN);
            }
            List<Double> sorted = seconds.stream().sorted().toList();
            return new Spread(
                    sorted.get((sorted.size() - 1) / 2),
                    sorted.get((int) Math.ceil(0.9 * sorted.size()) - 1),
                    sorted.getLast());
        }

        @Override
        public String toString() {
            return String.format("%.1f / %.1f / %.1f s", p50, p90, max);
        }
    }

    static final double TARGET_RATIO = 2.0;

    /**
     * @param nodes  nodes of the finished session (2 × nodes + 3 events)
     * @param behind socket k resumes from {@code last_seq = events − k × behind / sockets}: the storm's sockets missed
     *               between 0 and {@code behind} events, as clients that followed the session and lost their connection
     */
    static ReconnectStorm measure(
            Bench bench,
            int nodes,
            int sockets,
            int behind,
            int liveNodes,
            Duration latency,
            int probes,
            List<String> javaOptions)
            throws Exception {
        String name = "reconnect-" + System.nanoTime();
        Path data = bench.folder(name + "/journal");
        SessionId id = new SessionId(UUID.randomUUID().toString());
        long events = ReplayStorm.writeSession(data, id, nodes);
        bench.say(
                "reconnect storm: a finished session of %,d events written; %,d sockets will resume it up to %d events"
                        + " behind its end while a live session of %d nodes runs",
                events, sockets, behind, liveNodes);
        ServerProcess server = bench.spawn(
                name,
                new ServerProcess.Launch.PlainJar(javaOptions),
                new ServerProcess.Options(
                        bench.vault(name), data.toString(), 12, bench.model().baseUrl()));
        server.awaitFirstAnswer(Duration.ofSeconds(120));
        String resume = server.wsBase() + "/ws/intelligent-parallel/" + id.value() + "?last_seq=";
        try {
            LoadTool.warmUp(bench, server);
            // the resume path too: class loading and compilation are not what the storm is about
            ReplayStorm.replay(URI.create(resume + (events - behind))).get(2, TimeUnit.MINUTES);

            bench.say("reconnect storm: the live session on the quiet server");
            EventLatency.Level quiet =
                    EventLatency.level(bench, server, liveNodes, latency, Duration.ZERO, probes, probes, () -> {});
            long rssBefore = server.rssKiB();

            List<CompletableFuture<ReplayStorm.Received>> replays = new ArrayList<>();
            AtomicLong peakRss = new AtomicLong(rssBefore);
            long[] stormStart = {0};
            long[] opened = {0};
            bench.say("reconnect storm: the same live session while %,d sockets resume", sockets);
            EventLatency.Level storm =
                    EventLatency.level(bench, server, liveNodes, latency, Duration.ZERO, probes, probes, () -> {
                        stormStart[0] = System.nanoTime();
                        for (int k = 0; k < sockets; k++) {
                            long lastSeq = events - (long) k * behind / sockets;
                            replays.add(ReplayStorm.replay(URI.create(resume + lastSeq)));
                        }
                        opened[0] = System.nanoTime();
                        Thread.ofVirtual().name("reconnect-rss").start(() -> {
                            while (replays.stream().anyMatch(r -> !r.isDone())) {
                                try {
                                    peakRss.accumulateAndGet(server.rssKiB(), Math::max);
                                    Thread.sleep(50);
                                } catch (Exception gone) {
                                    return;
                                }
                            }
                        });
                    });
            int complete = 0;
            long messages = 0;
            long bytes = 0;
            List<Double> upgraded = new ArrayList<>();
            List<Double> firstMessage = new ArrayList<>();
            List<Double> closed = new ArrayList<>();
            for (CompletableFuture<ReplayStorm.Received> replay : replays) {
                ReplayStorm.Received received = replay.get(10, TimeUnit.MINUTES);
                messages += received.messages();
                bytes += received.bytes();
                upgraded.add((received.upgradedAt() - stormStart[0]) / 1e9);
                if (received.firstMessageAt() != 0) {
                    firstMessage.add((received.firstMessageAt() - stormStart[0]) / 1e9);
                }
                closed.add((received.closedAt() - stormStart[0]) / 1e9);
                if (received.closeCode() == 1000) {
                    complete++;
                }
            }
            double seconds = (System.nanoTime() - stormStart[0]) / 1e9;
            bench.say(
                    "reconnect storm: live p99 %s quiet, %s during the storm; %,d of %,d resumes closed 1000 after %.1f s"
                            + ", %,.1f MB (p50 / p90 / max: upgraded %s, first message %s, closed %s)",
                    fromMicros(quiet.all().p99()),
                    fromMicros(storm.all().p99()),
                    complete,
                    sockets,
                    seconds,
                    bytes / 1e6,
                    Spread.of(upgraded),
                    Spread.of(firstMessage),
                    Spread.of(closed));
            return new ReconnectStorm(
                    sockets,
                    events,
                    behind,
                    liveNodes,
                    latency,
                    probes,
                    quiet,
                    storm,
                    complete,
                    messages,
                    bytes,
                    seconds,
                    rssBefore,
                    peakRss.get(),
                    (opened[0] - stormStart[0]) / 1e9,
                    Spread.of(upgraded),
                    Spread.of(firstMessage),
                    Spread.of(closed),
                    javaOptions.isEmpty() ? "default JVM options" : "`" + String.join(" ", javaOptions) + "`");
        } finally {
            server.stop(Duration.ofSeconds(20));
        }
    }

    double ratio() {
        return quiet.all().p99() <= 0
                ? Double.NaN
                : (double) storm.all().p99() / quiet.all().p99();
    }

    @Override
    public List<Row> rows() {
        return List.of(
                new Row(
                        f(
                                "Reconnect storm, %,d sockets resuming a %,d-event session: live session's p99",
                                sockets, events),
                        f(
                                "%s during the storm against %s quiet (%.2f ×)",
                                fromMicros(storm.all().p99()),
                                fromMicros(quiet.all().p99()),
                                ratio()),
                        "≤ 2 × quiet",
                        Verdict.of(ratio() <= TARGET_RATIO && completeReplays == sockets)),
                new Row(
                        "Reconnect storm: resumes complete, server RSS growth",
                        f(
                                "%,d of %,d in %.1f s (%,d messages); RSS %,d → %,d MiB peak",
                                completeReplays,
                                sockets,
                                stormSeconds,
                                replayedMessages,
                                rssBeforeKiB / 1024,
                                rssPeakKiB / 1024),
                        "all",
                        Verdict.of(completeReplays == sockets)));
    }

    @Override
    public String details() {
        return f(
                """
                **Reconnect storm (issue 12).** A finished session of %,d events (as in the replay storm: each node \
                started once and succeeded with a 2 000-character note preview) is written into a fresh data folder; a \
                server (`java -jar canvas-batch.jar serve`, %s) recovers it at start and is warmed by one small batch \
                and one resume. Then a live session of %d generated nodes (model %d ms flat, concurrency 12) runs \
                twice, each time watched by %d measuring sockets (`java.net.http.WebSocket`, every message timed as \
                receipt − `timestamp`, as in the event latency figures): once on the quiet server, once while %,d \
                sockets reconnect to the finished session the moment it is confirmed, socket k with \
                `?last_seq=events − k × %d / %,d` (0–%d events behind the end, handshake-only clients that read and \
                discard every byte). Each resume is sent the events after its `last_seq`, then `session_completed` \
                and the close 1000.

                | | quiet | during the storm |
                | --- | ---: | ---: |
                | live messages measured | %,d | %,d |
                | p50 | %s | %s |
                | p99 | %s | %s |
                | max | %s | %s |
                | live batch | %.1f s | %.1f s |
                | server CPU | %.0f %% | %.0f %% |

                The storm: %,d of %,d resumes closed with 1000, %,d messages (%,.1f MB of text) in %.1f s; server RSS %,d MiB before, \
                %,d MiB at its peak. The tool opened the %,d sockets (connect and upgrade request, one after the \
                other) in %.1f s; from the storm's start, p50 / p90 / max: upgrade answered %s, first message %s, \
                close frame %s.
                """,
                events,
                launch,
                liveNodes,
                latency.toMillis(),
                probes,
                sockets,
                behind,
                sockets,
                behind,
                quiet.all().count(),
                storm.all().count(),
                fromMicros(quiet.all().p50()),
                fromMicros(storm.all().p50()),
                fromMicros(quiet.all().p99()),
                fromMicros(storm.all().p99()),
                fromMicros(quiet.all().max()),
                fromMicros(storm.all().max()),
                quiet.batchSeconds(),
                storm.batchSeconds(),
                quiet.serverCpuPercent(),
                storm.serverCpuPercent(),
                completeReplays,
                sockets,
                replayedMessages,
                replayedBytes / 1e6,
                stormSeconds,
                rssBeforeKiB / 1024,
                rssPeakKiB / 1024,
                sockets,
                openSeconds,
                upgraded,
                firstMessage,
                closed);
    }
}
