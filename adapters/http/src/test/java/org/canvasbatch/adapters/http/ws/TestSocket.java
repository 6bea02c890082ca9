package org.canvasbatch.adapters.http.ws;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/** A JDK WebSocket client that records every message and the close, and lets a test wait for either. */
final class TestSocket implements WebSocket.Listener {

    static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<JsonObject> messages = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;
    private Integer closeCode;
    private String closeReason;
    private Throwable error;
    private int pings;
    private int pongs;

    /**
     * A client that speaks the whole contract (a script, the dashboard): no {@code Origin}, so the server does not take
     * it for the Obsidian plugin, whose sockets it serves by the plugin's own rules.
     */
    static TestSocket connect(URI uri) {
        return connect(uri, HTTP.newWebSocketBuilder());
    }

    /** A socket as the Obsidian plugin opens it: {@code Origin: app://obsidian.md}, never a {@code last_seq}. */
    static TestSocket connectAsPlugin(URI uri) {
        return connect(uri, HTTP.newWebSocketBuilder().header("Origin", "app://obsidian.md"));
    }

    private static TestSocket connect(URI uri, WebSocket.Builder builder) {
        TestSocket listener = new TestSocket();
        listener.socket = builder.buildAsync(uri, listener)
                .orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS)
                .join();
        return listener;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            JsonObject message =
                    Json.createReader(new StringReader(partial.toString())).readObject();
            partial.setLength(0);
            signal(() -> messages.add(message));
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        signal(() -> pings++);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        signal(() -> pongs++);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        signal(() -> {
            closeCode = statusCode;
            closeReason = reason;
        });
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable failure) {
        signal(() -> error = failure);
    }

    private void signal(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    void sendPartial(String text, boolean last) {
        socket.sendText(text, last).join();
    }

    void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    void ping() {
        socket.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).join();
    }

    /** Drops the TCP connection without a close handshake, like a laptop lid closing. */
    void abort() {
        socket.abort();
    }

    List<JsonObject> messages() {
        lock.lock();
        try {
            return List.copyOf(messages);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the first message (from {@code from} on) of {@code type} matching {@code wanted}. */
    JsonObject await(String type, Predicate<JsonObject> wanted) {
        return awaitState(
                () -> {
                    for (JsonObject message : messages) {
                        if (message.getString("type").equals(type) && wanted.test(message)) {
                            return message;
                        }
                    }
                    return null;
                },
                "a " + type + " message");
    }

    JsonObject await(String type) {
        return await(type, m -> true);
    }

    /** Waits until {@code count} messages have arrived. */
    List<JsonObject> awaitCount(int count) {
        return awaitState(() -> messages.size() >= count ? List.copyOf(messages) : null, count + " messages");
    }

    int awaitClose() {
        return awaitState(() -> closeCode, "the close");
    }

    String closeReason() {
        awaitClose();
        return closeReason;
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closeCode != null || error != null;
        } finally {
            lock.unlock();
        }
    }

    int awaitPings(int count) {
        return awaitState(() -> pings >= count ? pings : null, count + " pings");
    }

    int awaitPongs(int count) {
        return awaitState(() -> pongs >= count ? pongs : null, count + " pongs");
    }

    interface State<T> {
        T get();
    }

    <T> T awaitState(State<T> state, String what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        lock.lock();
        try {
            while (true) {
                T value = state.get();
                if (value != null) {
                    return value;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for " + what + "; close " + closeCode + " "
                            + closeReason + ", error " + error + (error == null ? "" : " cause " + error.getCause())
                            + ", messages " + summary(messages));
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

    static List<String> summary(List<JsonObject> messages) {
        return messages.stream()
                .map(m -> m.getString("type") + "#" + m.getJsonNumber("seq")
                        + (m.getBoolean("derived", false) ? "d" : ""))
                .toList();
    }

    /** Seqs of the primary event messages, in arrival order. */
    static List<Long> primarySeqs(List<JsonObject> messages) {
        return messages.stream()
                .filter(TestSocket::isPrimaryEvent)
                .map(m -> m.getJsonNumber("seq").longValue())
                .toList();
    }

    static boolean isPrimaryEvent(JsonObject message) {
        return message.containsKey("derived") && !message.getBoolean("derived");
    }
}
