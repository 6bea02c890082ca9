package org.canvasbatch.testsupport.socket;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one WebSocket client of the tests: the JDK's own, opened as a client of the whole contract (a script, the
 * dashboard: no {@code Origin}) or as the Obsidian plugin opens it (with its {@code Origin}, which the server serves by
 * the plugin's own rules: history instead of a snapshot, contract §3.1), recording every message, ping, pong and how the socket ended, and letting a test wait for any of
 * them with a deadline instead of a sleep.
 */
public final class TestSocket implements WebSocket.Listener {

    /** How long a test waits for something it expects before it fails. */
    public static final Duration PATIENCE = Duration.ofSeconds(20);

    /** The origin the shipped plugin's sockets carry (Obsidian desktop). */
    public static final String PLUGIN_ORIGIN = "app://obsidian.md";

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<JsonObject> messages = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final Runnable opened;
    private WebSocket socket;
    private Integer closeCode;
    private String closeReason;
    private Throwable error;
    private int pings;
    private int pongs;
    /** Completed when this client may answer the server's close; null: at once. */
    private volatile CompletableFuture<Void> closeAnswer;

    private TestSocket(Runnable opened) {
        this.opened = opened;
    }

    /**
     * Opens a socket as a client of the whole contract does (no {@code Origin}); fails the test when the handshake does
     * not complete in time.
     */
    public static TestSocket connect(URI uri) {
        return open(uri, new TestSocket(() -> {}), null);
    }

    /** Opens a socket as the plugin does: {@code Origin: app://obsidian.md}, never a {@code last_seq}. */
    public static TestSocket connectAsPlugin(URI uri) {
        return open(uri, new TestSocket(() -> {}), PLUGIN_ORIGIN);
    }

    /**
     * Opens a socket as the plugin does inside Obsidian on a system of {@code acceptLanguage} (Chromium sends the
     * system's languages, {@code zh-CN,zh;q=0.9} on a Chinese one, on the handshake).
     */
    public static TestSocket connectAsPlugin(URI uri, String acceptLanguage) {
        return open(uri, new TestSocket(() -> {}), PLUGIN_ORIGIN, acceptLanguage);
    }

    /**
     * Opens a socket as a browser page of {@code origin} does, on a system of {@code acceptLanguage}: the dashboard is a
     * page of the server's own origin ({@code http://host:port}).
     */
    public static TestSocket connectAsPage(URI uri, String origin, String acceptLanguage) {
        return open(uri, new TestSocket(() -> {}), origin, acceptLanguage);
    }

    /**
     * Opens a socket as {@link #connect(URI)} does, through a relay that holds what the server sends after its
     * {@code 101} until this client's WebSocket is open: for a test whose server streams more at once than the JDK
     * client reads in one go (a long replay), which the JDK client would otherwise lose part of (see
     * {@link HandshakeRelay}). The server's bytes arrive unchanged and in order, and are checked as everywhere else.
     */
    public static TestSocket connectHoldingTheStreamUntilOpen(URI uri) {
        HandshakeRelay relay = HandshakeRelay.to(uri);
        try {
            return open(relay.uri(), new TestSocket(relay::opened), null);
        } catch (RuntimeException e) {
            relay.abandon();
            throw e;
        }
    }

    private static TestSocket open(URI uri, TestSocket listener, String origin) {
        return open(uri, listener, origin, null);
    }

    private static TestSocket open(URI uri, TestSocket listener, String origin, String acceptLanguage) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        if (origin != null) {
            builder.header("Origin", origin);
        }
        if (acceptLanguage != null) {
            builder.header("Accept-Language", acceptLanguage);
        }
        listener.socket = builder.buildAsync(uri, listener)
                .orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS)
                .join();
        return listener;
    }

    public static TestSocket connect(String url) {
        return connect(URI.create(url));
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        opened.run();
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
        // the JDK answers the close once this stage completes
        return closeAnswer;
    }

    /**
     * Holds this client's answer to the server's close until {@link #answerClose()}, as a browser does while its renderer
     * is still busy with the messages that came before the close.
     */
    public void holdCloseAnswer() {
        closeAnswer = new CompletableFuture<>();
    }

    public void answerClose() {
        closeAnswer.complete(null);
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

    public void send(String text) {
        socket.sendText(text, true)
                .orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS)
                .join();
    }

    public void sendPartial(String text, boolean last) {
        socket.sendText(text, last).join();
    }

    public void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    public void ping() {
        socket.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).join();
    }

    /**
     * Starts the close handshake from this side, as the plugin's {@code ws.close()} does on a minimize (1000, no reason).
     * (browser) what reaches the socket afterwards is dropped; this client still records it, for a test to look at.
     */
    public void closeFromClient() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "")
                .orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS)
                .join();
    }

    /** Drops the TCP connection without a close handshake, like a laptop lid closing. */
    public void abort() {
        socket.abort();
    }

    public List<JsonObject> messages() {
        lock.lock();
        try {
            return List.copyOf(messages);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the first message that {@code wanted} accepts. */
    public JsonObject await(Predicate<JsonObject> wanted) {
        return await(wanted, PATIENCE);
    }

    public JsonObject await(Predicate<JsonObject> wanted, Duration patience) {
        return awaitState(
                () -> messages.stream().filter(wanted).findFirst().orElse(null), patience, "a matching message");
    }

    /** Waits for the first message of {@code type} that {@code wanted} accepts. */
    public JsonObject await(String type, Predicate<JsonObject> wanted) {
        return await(message -> message.getString("type").equals(type) && wanted.test(message));
    }

    public JsonObject await(String type) {
        return await(type, message -> true);
    }

    /** Waits until {@code count} messages have arrived. */
    public List<JsonObject> awaitCount(int count) {
        return awaitState(() -> messages.size() >= count ? List.copyOf(messages) : null, PATIENCE, count + " messages");
    }

    /** Waits for the server's close frame and returns its code. */
    public int awaitClose() {
        return awaitState(() -> closeCode, PATIENCE, "the close");
    }

    /** Waits until the socket ended, closed or broken: the close code, or -1 when the connection broke. */
    public int awaitEnd(Duration patience) {
        return awaitState(
                () -> closeCode != null ? closeCode : error != null ? Integer.valueOf(-1) : null,
                patience,
                "the socket's end");
    }

    public String closeReason() {
        awaitClose();
        return closeReason;
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closeCode != null || error != null;
        } finally {
            lock.unlock();
        }
    }

    public int awaitPings(int count) {
        return awaitState(() -> pings >= count ? pings : null, PATIENCE, count + " pings");
    }

    public int awaitPongs(int count) {
        return awaitState(() -> pongs >= count ? pongs : null, PATIENCE, count + " pongs");
    }

    /** Waits until {@code state} (read under the socket's lock, so it sees every message so far) is not null. */
    public <T> T awaitState(Supplier<T> state, String what) {
        return awaitState(state, PATIENCE, what);
    }

    private <T> T awaitState(Supplier<T> state, Duration patience, String what) {
        long deadline = System.nanoTime() + patience.toNanos();
        lock.lock();
        try {
            while (true) {
                T value = state.get();
                if (value != null) {
                    return value;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("waited " + patience + " for " + what + "; close " + closeCode + " "
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

    /**
     * The seqs of primary messages (one per journal event, {@code "derived": false}), in arrival order. Replies and
     * notices ({@code connected}, {@code snapshot}, {@code ack}, {@code pong}, an {@code error} that answers a frame or
     * says the journal refuses events) carry no {@code derived} and only the newest seq the socket had.
     */
    public List<Long> primarySeqs() {
        return primarySeqs(messages());
    }

    public static List<Long> primarySeqs(List<JsonObject> messages) {
        return messages.stream()
                .filter(TestSocket::isPrimaryEvent)
                .map(m -> m.getJsonNumber("seq").longValue())
                .toList();
    }

    public static boolean isPrimaryEvent(JsonObject message) {
        return message.containsKey("derived") && !message.getBoolean("derived");
    }

    /** Whether the message is a node's outcome: {@code task_completed} or {@code task_failed}. */
    public static boolean isOutcome(JsonObject message) {
        String type = message.getString("type");
        return type.equals("task_completed") || type.equals("task_failed");
    }

    /** The node an outcome (or any task message) is about. */
    public static String nodeOf(JsonObject taskMessage) {
        return taskMessage.getJsonObject("data").getString("node_id");
    }

    /** The nodes of the outcomes this socket received, in arrival order: what the plugin counts as handled. */
    public List<String> outcomeNodes() {
        return messages().stream()
                .filter(TestSocket::isOutcome)
                .map(TestSocket::nodeOf)
                .toList();
    }

    /** Each message as {@code type#seq} ({@code d} when derived): short enough for a failure message. */
    public static List<String> summary(List<JsonObject> messages) {
        return messages.stream()
                .map(m -> m.getString("type") + "#" + m.getJsonNumber("seq")
                        + (m.getBoolean("derived", false) ? "d" : ""))
                .toList();
    }
}
