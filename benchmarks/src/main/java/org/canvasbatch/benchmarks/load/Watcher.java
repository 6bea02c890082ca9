package org.canvasbatch.benchmarks.load;

import java.net.http.WebSocket;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One client socket on a session, as the plugin keeps it: reads every message, answers pings (the JDK client sends the
 * pong itself), never writes. Optionally records, for every event message after the snapshot, how long after its
 * append it arrived. The JDK calls a listener's methods one at a time, so its fields need no lock; they are read by
 * others only after {@link #completed} or {@link #closed} completes.
 */
final class Watcher implements WebSocket.Listener {

    final CompletableFuture<Void> snapshot = new CompletableFuture<>();
    final CompletableFuture<Long> completed = new CompletableFuture<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();

    private final boolean recording;
    private final StringBuilder partial = new StringBuilder();
    private long[] latenciesMicros = new long[0];
    private String[] latencyTypes = new String[0];
    private int latencyCount;
    private volatile int pings;
    private volatile int messages;
    private int undated;

    Watcher(boolean recording) {
        this.recording = recording;
        if (recording) {
            latenciesMicros = new long[1024];
            latencyTypes = new String[1024];
        }
    }

    @Override
    public void onOpen(WebSocket socket) {
        socket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        Instant received = Instant.now();
        if (!last) {
            partial.append(data);
            socket.request(1);
            return null;
        }
        String text;
        if (partial.isEmpty()) {
            text = data.toString();
        } else {
            text = partial.append(data).toString();
            partial.setLength(0);
        }
        messages++;
        Envelope envelope = Envelope.scan(text);
        if (snapshot.isDone() && recording) {
            if (envelope.appendedMicros() < 0) {
                undated++;
            } else {
                record(
                        received.getEpochSecond() * 1_000_000 + received.getNano() / 1_000 - envelope.appendedMicros(),
                        envelope.derived() ? envelope.type() + " (derived)" : envelope.type());
            }
        }
        switch (envelope.type()) {
            case "snapshot" -> snapshot.complete(null);
            // the plugin's sockets (its Origin) are resumed from the session's history and get no snapshot
            // (docs/contract.md §3.1): live events follow the history, which for a batch not yet confirmed is empty
            case "connected" -> {
                if (text.contains("\"resumed\":true")) {
                    snapshot.complete(null);
                }
            }
            case "session_completed" -> completed.complete(System.nanoTime());
            default -> {}
        }
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket socket, java.nio.ByteBuffer message) {
        pings++;
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
        closed.complete(statusCode);
        snapshot.complete(null);
        return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
        closed.complete(-1);
        snapshot.completeExceptionally(error);
    }

    private void record(long micros, String type) {
        if (latencyCount == latenciesMicros.length) {
            latenciesMicros = Arrays.copyOf(latenciesMicros, latencyCount * 2);
            latencyTypes = Arrays.copyOf(latencyTypes, latencyCount * 2);
        }
        latencyTypes[latencyCount] = type.intern();
        latenciesMicros[latencyCount++] = micros;
    }

    long[] latenciesMicros() {
        return Arrays.copyOf(latenciesMicros, latencyCount);
    }

    /** The message type of each latency, in the same order ({@code "progress_update (derived)"} for a derived one). */
    String[] latencyTypes() {
        return Arrays.copyOf(latencyTypes, latencyCount);
    }

    int pings() {
        return pings;
    }

    int messages() {
        return messages;
    }

    int undated() {
        return undated;
    }

    boolean open() {
        return !closed.isDone();
    }
}
