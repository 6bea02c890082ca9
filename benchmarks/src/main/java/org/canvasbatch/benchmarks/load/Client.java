package org.canvasbatch.benchmarks.load;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The plugin's side of the wire, over real sockets: analyze, confirm, and as many WebSockets as asked for. Sockets are
 * spread over a few HTTP clients so that one selector thread does not carry thousands of them alone.
 */
final class Client implements AutoCloseable {

    /** An open socket and what it has seen. */
    record Socket(WebSocket webSocket, Watcher watcher) {}

    private static final int SOCKETS_PER_CLIENT = 2_500;
    /** Sockets opened together up to this many are each a plugin window of their own. */
    private static final int OWN_WINDOWS_UP_TO = 100;

    private static final String PLUGIN_ORIGIN = "app://obsidian.md";

    private final HttpClient http = newHttpClient(null);
    private final List<HttpClient> socketClients = new ArrayList<>();
    private final String httpBase;
    private final String wsBase;

    Client(ServerProcess server) {
        this(server.httpBase(), server.wsBase());
    }

    /** A client of any server that speaks the WebSocket side of the contract, e.g. a bare Node {@code ws} server. */
    Client(String httpBase, String wsBase) {
        this.httpBase = httpBase;
        this.wsBase = wsBase;
    }

    /** {@code POST /canvas/intelligent-parallel} with the plugin's body; returns the session id. */
    String analyze(LoadCanvas canvas) throws IOException, InterruptedException {
        HttpResponse<String> answer = post("/canvas/intelligent-parallel", canvas.analyzeRequest());
        if (answer.statusCode() != 200) {
            throw new IOException("analyze answered " + answer.statusCode() + ": " + answer.body());
        }
        JsonObject json = JsonText.parse(answer.body());
        return json.getString("session_id");
    }

    /** {@code POST /canvas/intelligent-parallel/confirm} with {@code {session_id}} only, as the plugin sends it. */
    void confirm(String sessionId) throws IOException, InterruptedException {
        HttpResponse<String> answer =
                post("/canvas/intelligent-parallel/confirm", "{\"session_id\":" + JsonText.quote(sessionId) + "}");
        if (answer.statusCode() != 202) {
            throw new IOException("confirm answered " + answer.statusCode() + ": " + answer.body());
        }
    }

    /** Cancels a batch (the answer is not checked: it may have ended). */
    void cancel(String sessionId) throws IOException, InterruptedException {
        post("/canvas/intelligent-parallel/cancel/" + sessionId, "{}");
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpBase + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Origin", PLUGIN_ORIGIN)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /**
     * Opens {@code count} sockets on the session, at most {@code parallel} handshakes at a time, and waits until each
     * has its snapshot (or was refused).
     *
     * @throws IOException when not every socket opened and got its snapshot within {@code patience}
     */
    List<Socket> open(String sessionId, int count, int parallel, Supplier<Watcher> watchers, Duration patience)
            throws IOException, InterruptedException {
        URI uri = URI.create(wsBase + "/ws/intelligent-parallel/" + sessionId);
        Semaphore handshakes = new Semaphore(parallel);
        List<CompletableFuture<Socket>> opening = new ArrayList<>(count);
        long deadline = System.nanoTime() + patience.toNanos();
        for (int i = 0; i < count; i++) {
            if (!handshakes.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            Watcher watcher = watchers.get();
            CompletableFuture<Socket> socket = socketClient(i, count)
                    .newWebSocketBuilder()
                    .header("Origin", PLUGIN_ORIGIN)
                    .connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(uri, watcher)
                    .thenCompose(ws -> watcher.snapshot.thenApply(ignored -> new Socket(ws, watcher)));
            socket.whenComplete((ok, error) -> handshakes.release());
            opening.add(socket);
        }
        List<Socket> sockets = new ArrayList<>(count);
        int failed = 0;
        Throwable firstError = null;
        for (CompletableFuture<Socket> socket : opening) {
            try {
                Socket open = socket.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (open.watcher().open()) {
                    sockets.add(open);
                } else {
                    failed++;
                    firstError = firstError != null
                            ? firstError
                            : new IOException(
                                    "closed with " + open.watcher().closed.getNow(0) + " before its snapshot");
                }
            } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
                failed++;
                firstError = firstError != null ? firstError : refusal(e);
            }
        }
        if (sockets.size() < count) {
            closeAll(sockets);
            throw new IOException("only " + sockets.size() + " of " + count + " sockets opened within "
                    + patience.toSeconds() + " s (" + failed + " failed, first: " + firstError + ")");
        }
        return sockets;
    }

    /** A refused handshake with what the server answered (the JDK's exception names neither status nor body). */
    private static Throwable refusal(Exception e) {
        if (e.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
            HttpResponse<?> answer = refused.getResponse();
            Object body = answer.body();
            String text =
                    body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(body);
            return new IOException(
                    "handshake refused with " + answer.statusCode() + " "
                            + answer.headers().map() + ": " + text.strip(),
                    e);
        }
        return e;
    }

    /** Opens {@code count} draining sockets on the session, {@code parallel} handshakes at a time. */
    List<DrainSocket> drains(String sessionId, int count, int parallel) throws IOException, InterruptedException {
        URI uri = URI.create(wsBase + "/ws/intelligent-parallel/" + sessionId);
        List<java.util.concurrent.Future<DrainSocket>> opening = new ArrayList<>(count);
        try (var handshakes = java.util.concurrent.Executors.newFixedThreadPool(
                parallel, Thread.ofVirtual().name("drain-open").factory())) {
            for (int i = 0; i < count; i++) {
                opening.add(handshakes.submit(() -> DrainSocket.open(uri)));
            }
        }
        List<DrainSocket> drains = new ArrayList<>(count);
        IOException failure = null;
        for (var socket : opening) {
            try {
                drains.add(socket.get());
            } catch (java.util.concurrent.ExecutionException e) {
                failure = failure != null ? failure : new IOException("a draining socket did not open", e.getCause());
            }
        }
        if (failure != null) {
            drains.forEach(DrainSocket::close);
            throw failure;
        }
        return drains;
    }

    /**
     * The HTTP client of socket {@code index} of {@code count}. A few sockets (the measuring probes) are each a plugin
     * window of their own, from an address of their own ({@link Loopback}): the server hands each event to one socket of
     * a window, and every probe is to receive them all. Thousands of sockets (idle ones) share a client each 2 500, and
     * are one window, as a client per socket would cost a selector thread each.
     */
    private HttpClient socketClient(int index, int count) {
        if (count <= OWN_WINDOWS_UP_TO) {
            HttpClient own = newHttpClient(Loopback.next());
            socketClients.add(own);
            return own;
        }
        int which = index / SOCKETS_PER_CLIENT;
        while (socketClients.size() <= which) {
            socketClients.add(newHttpClient(null));
        }
        return socketClients.get(which);
    }

    /** Closes each socket (1000) and waits a little for the server's answers; a bounded wait, never forever. */
    static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            if (socket.watcher().open()) {
                socket.webSocket().sendClose(WebSocket.NORMAL_CLOSURE, "load done");
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Socket socket : sockets) {
            try {
                socket.watcher().closed.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception notClosedInTime) {
                socket.webSocket().abort();
            }
        }
    }

    private static HttpClient newHttpClient(InetAddress localAddress) {
        HttpClient.Builder builder =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30));
        if (localAddress != null) {
            builder.localAddress(localAddress);
        }
        return builder.build();
    }

    @Override
    public void close() {
        // shutdownNow: close() would wait for every socket's exchange, which a socket the server keeps open never ends
        socketClients.forEach(HttpClient::shutdownNow);
        http.shutdownNow();
    }
}
