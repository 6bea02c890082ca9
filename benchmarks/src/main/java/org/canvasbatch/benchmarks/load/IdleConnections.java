package org.canvasbatch.benchmarks.load;

import static org.canvasbatch.benchmarks.load.Figure.f;

import java.time.Duration;
import java.util.List;

/**
 * Figure 3: many idle sockets on one pending session, held long enough for {@code pingRounds} rounds of the server's
 * 30 s heartbeat; the server's live heap and resident memory per socket, and its CPU while they sit there.
 */
record IdleConnections(
        String label,
        List<String> javaOptions,
        int wanted,
        int held,
        int closedDuringHold,
        int minPings,
        int maxPings,
        int pingRounds,
        double openSeconds,
        double holdSeconds,
        Memory atStart,
        Memory atOpen,
        Memory atEnd,
        double idleCpuPercent,
        List<ClassGrowth> histogram)
        implements Figure {

    /** How many instances and bytes of one class the sockets added, per socket (the histogram after − before). */
    record ClassGrowth(String className, double instancesPerSocket, double bytesPerSocket) {

        static final int TOP = 30;

        static List<ClassGrowth> top(
                java.util.Map<String, ServerProcess.ClassCount> before,
                java.util.Map<String, ServerProcess.ClassCount> after,
                int sockets) {
            ServerProcess.ClassCount none = new ServerProcess.ClassCount(0, 0);
            return after.entrySet().stream()
                    .map(e -> {
                        ServerProcess.ClassCount was = before.getOrDefault(e.getKey(), none);
                        return new ClassGrowth(
                                e.getKey(),
                                (double) (e.getValue().instances() - was.instances()) / sockets,
                                (double) (e.getValue().bytes() - was.bytes()) / sockets);
                    })
                    .sorted(java.util.Comparator.comparingDouble(ClassGrowth::bytesPerSocket)
                            .reversed())
                    .limit(TOP)
                    .toList();
        }
    }

    /**
     * The server's memory at one moment: RSS as it was, then the heap after a forced full collection, then RSS again
     * once it has settled (the collection may give heap back to the system).
     */
    record Memory(long rssKiB, ServerProcess.Heap heap, long rssAfterGcKiB) {
        /** Steady: two readings half a second apart within this much. */
        private static final long SETTLED_KIB = 512;

        private static final Duration MAX_SETTLING = Duration.ofSeconds(10);

        static Memory of(ServerProcess server) throws Exception {
            long rss = server.rssKiB();
            ServerProcess.Heap heap = server.heapAfterFullGc();
            return new Memory(rss, heap, settledRss(server));
        }

        /**
         * G1 hands the regions a full collection freed back to the system on a background thread (JDK 17+), so RSS
         * read at once may still hold some of them; read until two readings agree, or {@link #MAX_SETTLING}.
         */
        private static long settledRss(ServerProcess server) throws Exception {
            long deadline = System.nanoTime() + MAX_SETTLING.toNanos();
            long previous = server.rssKiB();
            while (System.nanoTime() - deadline < 0) {
                Thread.sleep(500);
                long now = server.rssKiB();
                if (Math.abs(now - previous) <= SETTLED_KIB) {
                    return now;
                }
                previous = now;
            }
            return previous;
        }
    }

    static final double TARGET_KIB = 64;
    /** Well under the server's 10-minute idle rule, so that the hold ends before any socket is closed for idling. */
    static final Duration MAX_HOLD = Duration.ofMinutes(4);

    /**
     * @param label       names the server's JVM options in the table, e.g. {@code default JVM options}
     * @param javaOptions the server's extra JVM options
     */
    static IdleConnections measure(Bench bench, String label, List<String> javaOptions, int count, int pingRounds)
            throws Exception {
        bench.say(
                "idle (%s): a fresh server, %,d sockets on one pending session, held for %d ping round%s",
                label, count, pingRounds, pingRounds == 1 ? "" : "s");
        ServerProcess server =
                bench.server("idle-" + System.nanoTime(), new ServerProcess.Launch.PlainJar(javaOptions), 12);
        LoadCanvas canvas = LoadCanvas.write(server.vault(), "idle", 12);
        try (Client client = new Client(server)) {
            String session = client.analyze(canvas);
            // the first sockets load classes and warm the code paths; they are gone before the baseline is taken
            Client.closeAll(client.open(session, 200, 50, () -> new Watcher(false), Duration.ofMinutes(1)));
            Thread.sleep(2_000);
            Memory atStart = Memory.of(server);
            var classesAtStart = server.classHistogram();

            long opening = System.nanoTime();
            List<Client.Socket> sockets =
                    client.open(session, count, 100, () -> new Watcher(false), Duration.ofMinutes(5));
            double openSeconds = (System.nanoTime() - opening) / 1e9;
            bench.say(
                    "idle: %,d sockets open after %.1f s; holding until each had %d ping%s",
                    sockets.size(), openSeconds, pingRounds, pingRounds == 1 ? "" : "s");
            Thread.sleep(2_000);
            Memory atOpen = Memory.of(server);

            long holdStart = System.nanoTime();
            long ticksStart = server.cpuTicks();
            long deadline = holdStart + MAX_HOLD.toNanos();
            while (System.nanoTime() - deadline < 0
                    && minPings(sockets) < pingRounds
                    && open(sockets) == sockets.size()) {
                Thread.sleep(1_000);
            }
            double holdSeconds = (System.nanoTime() - holdStart) / 1e9;
            double cpu = (server.cpuTicks() - ticksStart) * 100.0 / ServerProcess.ticksPerSecond() / holdSeconds;
            int stillOpen = open(sockets);
            int min = minPings(sockets);
            int max = sockets.stream().mapToInt(s -> s.watcher().pings()).max().orElse(0);
            Memory atEnd = Memory.of(server);
            var classesAtEnd = server.classHistogram();
            bench.say("idle: held %.0f s, %,d still open, pings per socket %d–%d", holdSeconds, stillOpen, min, max);
            Client.closeAll(sockets);
            server.stop(Duration.ofSeconds(20));
            return new IdleConnections(
                    label,
                    javaOptions,
                    count,
                    stillOpen,
                    sockets.size() - stillOpen,
                    min,
                    max,
                    pingRounds,
                    openSeconds,
                    holdSeconds,
                    atStart,
                    atOpen,
                    atEnd,
                    cpu,
                    ClassGrowth.top(classesAtStart, classesAtEnd, count));
        }
    }

    private static int minPings(List<Client.Socket> sockets) {
        return sockets.stream().mapToInt(s -> s.watcher().pings()).min().orElse(0);
    }

    private static int open(List<Client.Socket> sockets) {
        return (int) sockets.stream().filter(s -> s.watcher().open()).count();
    }

    double heapPerSocketKiB() {
        return perSocket(atEnd.heap().usedKiB(), atStart.heap().usedKiB());
    }

    /** RSS, both ends measured right after a full collection (the same state, so the difference is the sockets). */
    double rssPerSocketKiB() {
        return perSocket(atEnd.rssAfterGcKiB(), atStart.rssAfterGcKiB());
    }

    private double perSocket(long after, long baseline) {
        return (double) (after - baseline) / wanted;
    }

    @Override
    public List<Row> rows() {
        boolean allHeld = held == wanted && minPings >= pingRounds;
        String with = ", " + label;
        return List.of(
                new Row(
                        "Idle WebSockets held with heartbeats" + with,
                        f("%,d of %,d for %.0f s, %d–%d pings each", held, wanted, holdSeconds, minPings, maxPings),
                        f("%,d, ≥ %d ping rounds", wanted, pingRounds),
                        Verdict.of(allHeld)),
                new Row(
                        "Server live heap per idle socket" + with,
                        f("%.1f KiB", heapPerSocketKiB()),
                        "< 64 KiB",
                        Verdict.of(heapPerSocketKiB() < TARGET_KIB)),
                new Row(
                        "Server RSS per idle socket" + with,
                        f("%.1f KiB", rssPerSocketKiB()),
                        "< 64 KiB",
                        Verdict.of(rssPerSocketKiB() < TARGET_KIB)),
                new Row(
                        f("Server CPU while %,d sockets idle", wanted) + with,
                        f("%.1f %% of one core", idleCpuPercent),
                        "—",
                        Verdict.NONE));
    }

    @Override
    public String details() {
        return f(
                """
                **Idle connections, %s.** A fresh server%s; %,d sockets (client: \
                `java.net.http.WebSocket`, Origin `app://obsidian.md`) on one analyzed, not started session, opened \
                100 handshakes at a time in %.1f s after 200 warm-up sockets had come and gone. Server defaults: ping \
                every 30 s, dead after 2 missed pongs, idle close after 10 min (the hold stays well under it). Held \
                %.0f s, until every socket had received %d ping%s (%d–%d each, each answered by the client's pong); \
                %,d closed during the hold. Memory is measured from outside: heap = `jcmd <pid> GC.run` then \
                `GC.heap_info` (used = live after a full GC; committed = what the JVM holds for the heap); RSS = \
                `VmRSS` of `/proc/<pid>/status`. Per socket = (after the hold − before) / sockets, RSS taken after \
                the full GC at both ends, once two readings half a second apart agree within 512 KiB (G1 returns \
                freed regions on a background thread), so both ends are the same state and the difference is the \
                sockets.

                | | before | sockets just opened | after the hold | per socket (after the hold − before) |
                | --- | ---: | ---: | ---: | ---: |
                | RSS, as it was | %,d KiB | %,d KiB | %,d KiB | %.1f KiB |
                | live heap (used after a full GC) | %,d KiB | %,d KiB | %,d KiB | %.1f KiB |
                | heap committed after that GC | %,d KiB | %,d KiB | %,d KiB | %.1f KiB |
                | RSS after that GC | %,d KiB | %,d KiB | %,d KiB | %.1f KiB |

                Server CPU over the hold (utime + stime from `/proc/<pid>/stat`): %.2f %% of one core.

                What the sockets hold on the heap: `jcmd <pid> GC.class_histogram` (live objects after a full \
                collection, shallow sizes) after the hold minus before the sockets, divided by %,d; the %d classes \
                that grew most, %.1f KiB per socket of the %.1f KiB live heap per socket:

                | class | instances per socket | bytes per socket |
                | --- | ---: | ---: |
                %s
                """,
                label,
                javaOptions.isEmpty() ? "" : " with `" + String.join(" ", javaOptions) + "`",
                wanted,
                openSeconds,
                holdSeconds,
                pingRounds,
                pingRounds == 1 ? "" : "s",
                minPings,
                maxPings,
                closedDuringHold,
                atStart.rssKiB(),
                atOpen.rssKiB(),
                atEnd.rssKiB(),
                rssPerSocketKiB(),
                atStart.heap().usedKiB(),
                atOpen.heap().usedKiB(),
                atEnd.heap().usedKiB(),
                heapPerSocketKiB(),
                atStart.heap().committedKiB(),
                atOpen.heap().committedKiB(),
                atEnd.heap().committedKiB(),
                perSocket(atEnd.heap().committedKiB(), atStart.heap().committedKiB()),
                atStart.rssAfterGcKiB(),
                atOpen.rssAfterGcKiB(),
                atEnd.rssAfterGcKiB(),
                perSocket(atEnd.rssAfterGcKiB(), atStart.rssAfterGcKiB()),
                idleCpuPercent,
                wanted,
                histogram.size(),
                histogram.stream().mapToDouble(ClassGrowth::bytesPerSocket).sum() / 1024,
                heapPerSocketKiB(),
                histogram.stream()
                        .map(c ->
                                f("| `%s` | %.2f | %,.0f |", c.className(), c.instancesPerSocket(), c.bytesPerSocket()))
                        .collect(java.util.stream.Collectors.joining("\n")));
    }
}
