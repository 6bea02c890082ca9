package org.canvasbatch.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The reconnect storm's resuming clients, in a process of their own. In the tool's own JVM their thousand sockets,
 * buffers and threads shared a heap and two carrier threads with the sockets that time the live session, and the
 * tool's own pauses were charged to the server: learners' sockets are not one process either. It says {@code ready},
 * opens every socket when it reads {@code go}, then prints one line per socket and {@code done}; times are nanoseconds
 * from its {@code go}.
 */
final class StormClients {

    /** Addresses of the tool's own sockets stay below this; the storm's come from above it. */
    static final int FIRST_ADDRESS = 32_768;

    private StormClients() {}

    public static void main(String[] args) throws Exception {
        String resume = args[0];
        long events = Long.parseLong(args[1]);
        int sockets = Integer.parseInt(args[2]);
        int behind = Integer.parseInt(args[3]);
        Loopback.startAt(FIRST_ADDRESS);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        out.println("ready");
        if (!"go".equals(in.readLine())) {
            return;
        }
        long start = System.nanoTime();
        List<CompletableFuture<ReplayStorm.Received>> replays = new ArrayList<>();
        try {
            for (int k = 0; k < sockets; k++) {
                long lastSeq = events - (long) k * behind / sockets;
                replays.add(ReplayStorm.replay(URI.create(resume + lastSeq)));
            }
        } catch (IOException e) {
            out.println("failed " + e);
            return;
        }
        out.println("opened " + (System.nanoTime() - start));
        for (CompletableFuture<ReplayStorm.Received> replay : replays) {
            try {
                ReplayStorm.Received r = replay.get(10, TimeUnit.MINUTES);
                out.println("received " + r.messages() + " " + r.bytes() + " " + r.closeCode() + " "
                        + (r.upgradedAt() - start) + " " + (r.firstMessageAt() == 0 ? -1 : r.firstMessageAt() - start)
                        + " " + (r.closedAt() - start));
            } catch (ExecutionException e) {
                out.println("failed " + e.getCause());
                return;
            }
        }
        out.println("done");
    }
}
