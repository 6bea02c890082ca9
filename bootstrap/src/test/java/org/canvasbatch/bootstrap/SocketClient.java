package org.canvasbatch.bootstrap;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/** A WebSocket client as the plugin would be, recording every message and how the socket ended. */
final class SocketClient implements WebSocket.Listener {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<JsonObject> messages = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private Integer closeCode;
    private boolean broken;

    /**
     * A client of the whole contract (a script, the dashboard): no {@code Origin}, so the server does not serve it by the
     * Obsidian plugin's rules (history instead of a snapshot); the plugin's own flow is tested with the plugin model.
     */
    static SocketClient connect(HttpClient http, String url) {
        SocketClient client = new SocketClient();
        http.newWebSocketBuilder()
                .buildAsync(URI.create(url), client)
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
        return client;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        lock.lock();
        try {
            partial.append(data);
            if (last) {
                messages.add(
                        Json.createReader(new StringReader(partial.toString())).readObject());
                partial.setLength(0);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        socket.request(1);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
        end(statusCode, false);
        return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
        end(null, true);
    }

    private void end(Integer code, boolean failed) {
        lock.lock();
        try {
            closeCode = code;
            broken = failed;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a message matches; fails the test after {@code patience}. */
    JsonObject await(Predicate<JsonObject> wanted, Duration patience) {
        return waitFor(() -> messages.stream().filter(wanted).findFirst().orElse(null), patience, "a matching message");
    }

    /** Waits until the socket ended (closed or broken) and returns the close code, or -1 when it broke. */
    int awaitEnd(Duration patience) {
        return waitFor(
                () -> closeCode != null ? closeCode : broken ? Integer.valueOf(-1) : null,
                patience,
                "the socket's end");
    }

    private <T> T waitFor(java.util.function.Supplier<T> probe, Duration patience, String what) {
        long deadline = System.nanoTime() + patience.toNanos();
        lock.lock();
        try {
            while (true) {
                T found = probe.get();
                if (found != null) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("waited " + patience + " for " + what + "; got " + types());
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            lock.unlock();
        }
    }

    List<JsonObject> messages() {
        lock.lock();
        try {
            return List.copyOf(messages);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The seqs of primary messages (one per journal event, {@code "derived": false}), in arrival order. Replies and
     * notices ({@code connected}, {@code snapshot}, {@code ack}, {@code pong}, an {@code error} that answers a frame or
     * says the journal refuses events) carry no {@code derived} and only the newest seq the socket had.
     */
    List<Long> primarySeqs() {
        return messages().stream()
                .filter(m -> m.containsKey("derived") && !m.getBoolean("derived"))
                .map(m -> m.getJsonNumber("seq").longValue())
                .toList();
    }

    private List<String> types() {
        return messages.stream().map(m -> m.getString("type")).toList();
    }
}
