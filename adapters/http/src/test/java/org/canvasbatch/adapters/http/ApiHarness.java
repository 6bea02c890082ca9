package org.canvasbatch.adapters.http;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;

/**
 * A real core (in-memory journal, virtual-thread executor, scripted agent, in-memory vault) behind a real server on a
 * free port, and a JDK HTTP client that talks to it the way the plugin does: every call from origin
 * {@code app://obsidian.md} with {@code Content-Type: application/json}.
 */
final class ApiHarness implements AutoCloseable {

    static final String PLUGIN_ORIGIN = "app://obsidian.md";

    final ScriptedAgent agent = new ScriptedAgent();
    final InMemoryVault vault = new InMemoryVault();
    /** Canvas paths whose reads fail with the given problem, to stand in for a real vault's refusals. */
    final Map<String, RuntimeException> vaultFailures = new ConcurrentHashMap<>();
    /**
     * Canvas paths every use of which fails with the given problem, {@code canvasExists} included: what the file vault
     * does with a path it refuses as it resolves it (outside the vault, through a broken link or a loop of links).
     */
    final Map<String, RuntimeException> pathFailures = new ConcurrentHashMap<>();

    final InMemoryEventLog log = new InMemoryEventLog();
    final CanvasBatchCore core;
    final CanvasBatchServer server;
    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final AtomicInteger sessions = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    ApiHarness() {
        this(ServerSettings.onPort(0));
    }

    ApiHarness(ServerSettings settings) {
        this(core -> settings);
    }

    /** @param settings the server's settings, given the core (for extensions such as the WebSocket channel) */
    ApiHarness(java.util.function.Function<CanvasBatchCore, ServerSettings> settings) {
        this(settings, CoreSettings.DEFAULT);
    }

    ApiHarness(java.util.function.Function<CanvasBatchCore, ServerSettings> settings, CoreSettings coreSettings) {
        core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        log,
                        agent,
                        new FailingVault(),
                        executor,
                        Instant::now,
                        () -> new SessionId("s" + sessions.incrementAndGet()),
                        new SplittableRandom(7)),
                coreSettings.withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)));
        server = new CanvasBatchServer(core.useCases(), settings.apply(core)).start();
    }

    @Override
    public void close() {
        server.stop();
        executor.shutdown(Duration.ofSeconds(1));
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    Answer post(String path, String json, String... headers) {
        return send("POST", path, json == null ? BodyPublishers.noBody() : BodyPublishers.ofString(json), headers);
    }

    Answer get(String path, String... headers) {
        return send("GET", path, BodyPublishers.noBody(), headers);
    }

    /** A request as the plugin's fetch sends it, unless {@code headers} say otherwise (pairs; a null value removes). */
    Answer send(String method, String path, BodyPublisher body, String... headers) {
        Map<String, String> all = new java.util.LinkedHashMap<>();
        all.put("Origin", PLUGIN_ORIGIN);
        all.put("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            all.put(headers[i], headers[i + 1]);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body);
        all.forEach((name, value) -> {
            if (value != null) {
                request.header(name, value);
            }
        });
        try {
            var response = http.send(request.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts recording a session's events now (what the WebSocket would see from here on). */
    EventRecorder record(String sessionId) {
        EventRecorder recorder = new EventRecorder();
        core.useCases().subscriptions().subscribe(new SessionId(sessionId), recorder::accept);
        return recorder;
    }

    /** Waits until the session has finished (or finished again after a rerun), using its event stream. */
    void awaitFinished(EventRecorder events, int times) {
        events.await(
                SessionFinished.class,
                e -> events.events().stream()
                                .filter(SessionFinished.class::isInstance)
                                .count()
                        >= times);
    }

    /**
     * Puts a canvas at {@code path} into the vault holding {@code nodesJson} (an array of canvas nodes, as the plugin
     * sends them): analyze only takes canvases that are in the server's vault.
     */
    ApiHarness canvas(String path, String nodesJson) {
        List<CanvasNode> nodes = new ArrayList<>();
        try (var reader = Json.createReader(new StringReader(nodesJson))) {
            for (var value : reader.readArray()) {
                JsonObject node = value.asJsonObject();
                nodes.add(new CanvasNode(
                        node.get("id") instanceof jakarta.json.JsonString id
                                ? id.getString()
                                : String.valueOf(node.get("id")),
                        node.getString("type", "text"),
                        node.getString("text", null),
                        node.getString("file", null),
                        node.getString("url", null),
                        node.getString("label", null),
                        node.getString("color", null),
                        node.getJsonNumber("x") == null
                                ? 0
                                : node.getJsonNumber("x").doubleValue(),
                        node.getJsonNumber("y") == null
                                ? 0
                                : node.getJsonNumber("y").doubleValue(),
                        250,
                        60));
            }
        }
        vault.withCanvas(new Canvas(path, nodes, List.of()));
        return this;
    }

    /** Puts an empty canvas at each of {@code paths} into the vault. */
    ApiHarness canvases(String... paths) {
        for (String path : paths) {
            vault.withCanvas(new Canvas(path, List.of(), List.of()));
        }
        return this;
    }

    static String nodesJson(String... idsAndTexts) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < idsAndTexts.length; i += 2) {
            if (i > 0) {
                json.append(',');
            }
            json.append(Json.createObjectBuilder()
                    .add("id", idsAndTexts[i])
                    .add("type", "text")
                    .add("text", idsAndTexts[i + 1])
                    .add("color", "1")
                    .add("x", 0)
                    .add("y", i * 100)
                    .add("width", 250)
                    .add("height", 60)
                    .build());
        }
        return json.append(']').toString();
    }

    static CanvasNode node(String id, String text, String color) {
        return CanvasNode.text(id, text, color, 0, 0, 250, 60);
    }

    record Answer(int status, HttpHeaders headers, String text) {

        JsonObject json() {
            try (var reader = Json.createReader(new StringReader(text))) {
                return reader.readObject();
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        String allowOrigin() {
            return header("Access-Control-Allow-Origin");
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    /** The in-memory vault, except for canvases told to fail. */
    private final class FailingVault implements Vault {
        @Override
        public org.canvasbatch.domain.canvas.Canvas readCanvas(String canvasPath) {
            refusePath(canvasPath);
            RuntimeException failure = vaultFailures.get(canvasPath);
            if (failure != null) {
                throw failure;
            }
            return vault.readCanvas(canvasPath);
        }

        @Override
        public boolean canvasExists(String canvasPath) {
            refusePath(canvasPath);
            return vault.canvasExists(canvasPath);
        }

        @Override
        public String contentOf(String canvasPath, CanvasNode node) {
            refusePath(canvasPath);
            return vault.contentOf(canvasPath, node);
        }

        @Override
        public WrittenNote writeNote(NoteDraft draft) {
            refusePath(draft.canvasPath());
            return vault.writeNote(draft);
        }

        private void refusePath(String canvasPath) {
            RuntimeException failure = pathFailures.get(canvasPath);
            if (failure != null) {
                throw failure;
            }
        }
    }

    static VaultException outsideVault(String path) {
        return new VaultException(VaultException.Reason.OUTSIDE_VAULT, path, "'" + path + "' leads outside the vault");
    }
}
