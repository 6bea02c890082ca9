package org.canvasbatch.benchmarks.load;

import static org.canvasbatch.benchmarks.load.Figure.f;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The comparison for {@link IdleConnections} (issue 12): the same idle clients held by a bare Node {@code ws} server
 * ({@code benchmarks/node/idle-server.js}: one {@code connected} message each, a ping every 30 s), its resident memory
 * per socket after a full collection.
 */
record IdleNodeConnections(
        int wanted,
        int held,
        int minPings,
        int maxPings,
        double holdSeconds,
        long rssBeforeKiB,
        long rssAfterGcBeforeKiB,
        long rssHeldKiB,
        long rssAfterGcHeldKiB,
        long heapBeforeKiB,
        long heapHeldKiB)
        implements Figure {

    static IdleNodeConnections measure(Bench bench, String node, Path nodeDir, int count, int pingRounds)
            throws Exception {
        bench.say(
                "idle (bare Node ws server): %,d sockets held for %d ping round%s",
                count, pingRounds, pingRounds == 1 ? "" : "s");
        Path folder = bench.folder("idle-node-" + System.nanoTime());
        try (NodeProcess server = NodeProcess.start(
                node, List.of("--expose-gc"), nodeDir.resolve("idle-server.js"), List.of(), folder.resolve("err"))) {
            String port = server.awaitLine("listening", Duration.ofSeconds(30))
                    .substring("listening ".length())
                    .strip();
            try (Client client = new Client("http://127.0.0.1:" + port, "ws://127.0.0.1:" + port)) {
                // as for canvas-batch: the first sockets warm the code paths and are gone before the baseline
                Client.closeAll(client.open("idle", 200, 50, () -> new Watcher(false), Duration.ofMinutes(1)));
                Thread.sleep(2_000);
                long rssBefore = ServerProcess.rssKiB(server.pid());
                long[] before = gc(server);

                List<Client.Socket> sockets =
                        client.open("idle", count, 100, () -> new Watcher(false), Duration.ofMinutes(5));
                long holdStart = System.nanoTime();
                long deadline = holdStart + IdleConnections.MAX_HOLD.toNanos();
                while (System.nanoTime() - deadline < 0
                        && sockets.stream()
                                        .mapToInt(s -> s.watcher().pings())
                                        .min()
                                        .orElse(0)
                                < pingRounds
                        && sockets.stream().allMatch(s -> s.watcher().open())) {
                    Thread.sleep(1_000);
                }
                double holdSeconds = (System.nanoTime() - holdStart) / 1e9;
                int held =
                        (int) sockets.stream().filter(s -> s.watcher().open()).count();
                int min = sockets.stream()
                        .mapToInt(s -> s.watcher().pings())
                        .min()
                        .orElse(0);
                int max = sockets.stream()
                        .mapToInt(s -> s.watcher().pings())
                        .max()
                        .orElse(0);
                long rssHeld = ServerProcess.rssKiB(server.pid());
                long[] after = gc(server);
                bench.say(
                        "idle (bare Node ws server): held %.0f s, %,d still open, RSS %,d → %,d KiB after GC",
                        holdSeconds, held, before[1], after[1]);
                Client.closeAll(sockets);
                return new IdleNodeConnections(
                        count,
                        held,
                        min,
                        max,
                        holdSeconds,
                        rssBefore,
                        before[1],
                        rssHeld,
                        after[1],
                        before[0],
                        after[0]);
            }
        }
    }

    /** A full collection in the Node server: its used heap and its RSS after it, in KiB. */
    private static long[] gc(NodeProcess server) throws Exception {
        server.send("gc");
        String[] answer = server.awaitLine("gc", Duration.ofSeconds(60)).split(" ");
        return new long[] {Long.parseLong(answer[1]), ServerProcess.rssKiB(server.pid())};
    }

    double rssPerSocketKiB() {
        return (double) (rssAfterGcHeldKiB - rssAfterGcBeforeKiB) / wanted;
    }

    @Override
    public List<Row> rows() {
        return List.of(new Row(
                "RSS per idle socket, bare Node `ws` server (comparison)",
                f("%.1f KiB (%,d of %,d held, %d–%d pings each)", rssPerSocketKiB(), held, wanted, minPings, maxPings),
                "—",
                Verdict.NONE));
    }

    @Override
    public String details() {
        return f(
                """
                **Idle connections, a bare Node `ws` server (comparison).** The same clients (%,d \
                `java.net.http.WebSocket`s, Origin `app://obsidian.md`, 200 warm-up sockets first) held by \
                `node --expose-gc benchmarks/node/idle-server.js` (the `ws` package of `benchmarks/node`, one \
                `connected` message per socket, a ping to every socket every 30 s and a socket that missed the last \
                pong cut off). Held %.0f s, until every socket had %d–%d pings; %,d of %,d open at the end. RSS = \
                `VmRSS`, taken after `global.gc()` at both ends.

                | | before | after the hold | per socket |
                | --- | ---: | ---: | ---: |
                | RSS, as it was | %,d KiB | %,d KiB | %.1f KiB |
                | V8 heap used after a full GC | %,d KiB | %,d KiB | %.1f KiB |
                | RSS after that GC | %,d KiB | %,d KiB | %.1f KiB |
                """,
                wanted,
                holdSeconds,
                minPings,
                maxPings,
                held,
                wanted,
                rssBeforeKiB,
                rssHeldKiB,
                (double) (rssHeldKiB - rssBeforeKiB) / wanted,
                heapBeforeKiB,
                heapHeldKiB,
                (double) (heapHeldKiB - heapBeforeKiB) / wanted,
                rssAfterGcBeforeKiB,
                rssAfterGcHeldKiB,
                rssPerSocketKiB());
    }
}
