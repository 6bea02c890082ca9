package org.canvasbatch.adapters.http;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.http.dashboard.DashboardExtension;
import org.canvasbatch.adapters.http.ops.Operations;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;

/**
 * The whole HTTP face as serve assembles it (REST API, WebSocket channel and its events endpoint, the operations
 * routes, the dashboard) over a real core with a scripted agent, on a free port: what the API documents describe.
 */
final class DocumentedServer implements AutoCloseable {

    static final Duration PATIENCE = Duration.ofSeconds(20);

    static final String CANVAS = "docs/check.canvas";

    final ScriptedAgent agent = new ScriptedAgent();
    /** Holds {@link #CANVAS} with the node {@code x1}, for callers that name nodes of a canvas in the vault. */
    final InMemoryVault vault = new InMemoryVault()
            .withCanvas(new Canvas(CANVAS, List.of(CanvasNode.text("x1", "什么是逆否命题", "1", 0, 0, 250, 60)), List.of()));

    final CanvasBatchCore core;
    final CanvasBatchServer server;
    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final AtomicInteger ids = new AtomicInteger();
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    DocumentedServer() {
        this(CoreSettings.DEFAULT);
    }

    /** With the core's settings (limits) given; retries quick as always. */
    DocumentedServer(CoreSettings settings) {
        core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        new InMemoryEventLog(),
                        agent,
                        vault,
                        executor,
                        Instant::now,
                        () -> new SessionId("doc-" + ids.incrementAndGet()),
                        new SplittableRandom(7)),
                settings.withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)));
        ServerSettings base = ServerSettings.onPort(0);
        SessionSocketChannel sockets = new SessionSocketChannel(core.useCases(), WsSettings.DEFAULT);
        Operations ops = new Operations(
                Operations.meterRegistry(), List.of(Operations.executor(executor, Duration.ofSeconds(5))));
        server = new CanvasBatchServer(
                        core.useCases(),
                        base.withExtension(sockets.asServerExtension(base))
                                .withExtension(new DashboardExtension())
                                .withExtension(ops))
                .start();
    }

    @Override
    public void close() {
        server.stop();
        executor.shutdown(Duration.ofSeconds(1));
    }

    EventRecorder record(String sessionId) {
        EventRecorder recorder = new EventRecorder();
        core.useCases().subscriptions().subscribe(new SessionId(sessionId), recorder::accept);
        return recorder;
    }

    record Answer(int status, String contentType, String text) {
        JsonObject json() {
            try (var reader = Json.createReader(new StringReader(text))) {
                return reader.readObject();
            }
        }

        boolean isJson() {
            return contentType != null && contentType.startsWith("application/json");
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    Answer send(String method, String path, String json) {
        return send(method, path, json, "Content-Type", "application/json");
    }

    /** A request with the given headers (name, value pairs) instead of the JSON content type. */
    Answer send(String method, String path, String json, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(PATIENCE)
                .method(method, json == null ? BodyPublishers.noBody() : BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        HttpRequest request = builder.build();
        try {
            var response = http.send(request, BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(null),
                    response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    Answer post(String path, String json) {
        return send("POST", path, json);
    }

    /** Analyses text nodes given as id/text pairs (one colour, the plugin's way) and returns the answer. */
    Answer analyze(String... idsAndTexts) {
        return post(
                "/canvas/intelligent-parallel",
                "{\"canvas_path\":\"docs/check.canvas\",\"nodes\":" + ApiHarness.nodesJson(idsAndTexts) + "}");
    }

    /** As {@link #analyze}, sent from {@code localAddress}, one of the machine's loopback addresses: another client. */
    Answer analyzeFrom(String localAddress, String... idsAndTexts) {
        try {
            HttpClient from = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .localAddress(java.net.InetAddress.getByName(localAddress))
                    .build();
            var response = from.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + server.port() + "/canvas/intelligent-parallel"))
                            .timeout(PATIENCE)
                            .header("Content-Type", "application/json")
                            .POST(BodyPublishers.ofString("{\"canvas_path\":\"docs/check.canvas\",\"nodes\":"
                                    + ApiHarness.nodesJson(idsAndTexts) + "}"))
                            .build(),
                    BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(null),
                    response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The HTTP status that refuses a handshake on {@code path}; fails if the handshake succeeds. */
    int socketRefusal(String path) {
        try {
            http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + path), new WebSocket.Listener() {})
                    .orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS)
                    .join()
                    .abort();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
        throw new AssertionError("the handshake on " + path + " was accepted");
    }

    TestSocket socket(String path) {
        return TestSocket.connect("ws://127.0.0.1:" + server.port() + path);
    }
}
