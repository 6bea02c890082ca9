package org.canvasbatch.testsupport.plugin;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shipped Obsidian plugin's "Intelligent Batch Processing" (智能批量处理), modelled for tests: it applies exactly the
 * plugin's rules to what a real server answers over real HTTP and a real WebSocket, and says what the learner would
 * see — the preview (or its error view), the group badges, the notices with their counts, the summary (or none), the
 * failed list, what a retry does, and whether the modal ever ends. This is the "plugin model" of issue 9
 * ({@code PluginModal} there).
 *
 * <p><b>Source.</b> oinani0721/canvas-learning-system at {@code a55db2ab},
 * {@code _archive/canvas-progress-tracker/obsidian-plugin/}; docs/obsidian-plugin-client.md describes it, and issue 9
 * adds what a run of the real plugin showed. Each rule below names its lines; the three modals are modelled in
 * {@link GroupPreviewModal}, {@link ProgressMonitorModal} and {@link ResultSummaryModal}, whose Javadoc continues.
 * <ul>
 *   <li>{@code main.ts:2643-2677}: the active canvas is read and parsed; every node whose {@code color} is
 *       {@code "1"}, {@code "red"}, {@code "#ff0000"}, {@code "6"}, {@code "purple"} or {@code "#a855f7"} is sent, any
 *       type, as {@code {id, type, text, color, x, y, width, height}} ({@code text} left out when absent, as
 *       {@code JSON.stringify} drops {@code undefined}); none gives the notice "No red or purple nodes found…".
 *   <li>{@code main.ts:2690}: the analyze base is {@code claudeCodeUrl || 'http://localhost:8000/api/v1'}.
 *   <li>{@code main.ts:2731-2767}: confirm shows "Starting batch processing for N groups...", posts exactly
 *       {@code {session_id}}, and on a non-2xx shows "Failed to confirm session: " + {@code message} (else
 *       {@code HTTP <status>}) and stops; the progress modal opens only after the answer.
 *   <li>{@code main.ts:2737-2739}: the socket base is the same setting with {@code http://} → {@code ws://}.
 *   <li>{@code main.ts:2771-2820}: completion opens the result summary with the {@code session_completed} data (or the
 *       terminal poll answer) and the analyze groups; cancel shows "Batch processing was cancelled.".
 *   <li>{@code main.ts:2783-2801}: a retry posts {@code {canvas_path, node_id, agent}} to {@code /canvas/single-agent};
 *       {@code response.ok} is the whole outcome.
 * </ul>
 *
 * <p><b>Time.</b> The plugin's timers (reconnects after 1, 2, 3 s; polling every 5 s; the 1 s before the summary; the
 * analyze back-off of 1, 2, 4 s; its 30 s timeout) run on a scaled clock ({@link Settings#timeScale}): fast, in the
 * same order and ratios. Jitter of the analyze back-off is left out. Everything runs on one thread, like the renderer.
 *
 * <p><b>Not modelled.</b> CORS preflights (checked by the HTTP adapter's own tests), the DOM beyond the texts the
 * learner reads, and Obsidian's {@code Modal.close()} beyond "the first close runs {@code onClose}" (whether a second
 * close runs it again is not documented; the learner could not tell the difference).
 */
public final class ObsidianPlugin implements AutoCloseable {

    /**
     * @param claudeCodeUrl  the plugin's server setting, e.g. {@code http://127.0.0.1:8000} (no trailing slash)
     * @param acceptLanguage what Electron announces (the system's languages), null for none
     * @param timeScale      real milliseconds per plugin millisecond: 0.05 runs the plugin's 1 s in 50 ms
     */
    public record Settings(String claudeCodeUrl, String acceptLanguage, double timeScale) {

        public static Settings of(String claudeCodeUrl) {
            return new Settings(claudeCodeUrl, "zh-CN,zh;q=0.9", 0.05);
        }

        public Settings withAcceptLanguage(String value) {
            return new Settings(claudeCodeUrl, value, timeScale);
        }

        public Settings withTimeScale(double value) {
            return new Settings(claudeCodeUrl, acceptLanguage, value);
        }
    }

    /**
     * An Obsidian {@code Notice}.
     *
     * @param durationMillis how long it stays (plugin time); 0 stays until clicked, -1 is Obsidian's default
     * @param atMillis       when it appeared, plugin milliseconds since the plugin started
     */
    public record Notice(String text, long durationMillis, long atMillis) {}

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    final Settings settings;
    final EventLoop loop;
    final BrowserFetch fetch;
    private final HttpClient http;
    private final Map<String, String> browserHeaders;
    private final List<Notice> notices = new CopyOnWriteArrayList<>();
    private final List<String> oddities = new CopyOnWriteArrayList<>();
    private final AtomicInteger sockets = new AtomicInteger();
    private volatile CompletableFuture<Void> network = CompletableFuture.completedFuture(null);

    public ObsidianPlugin(Settings settings) {
        this.settings = settings;
        this.loop = new EventLoop(settings.timeScale());
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Origin", "app://obsidian.md");
        if (settings.acceptLanguage() != null) {
            headers.put("Accept-Language", settings.acceptLanguage());
        }
        this.browserHeaders = Map.copyOf(headers);
        this.fetch = new BrowserFetch(loop, http, browserHeaders);
    }

    public static ObsidianPlugin connectedTo(String claudeCodeUrl) {
        return new ObsidianPlugin(Settings.of(claudeCodeUrl));
    }

    /** The command on the canvas at {@code vaultRoot/canvasPath}, as the file is on disk now. */
    public GroupPreviewModal runIntelligentParallel(Path vaultRoot, String canvasPath) {
        try {
            return runIntelligentParallel(
                    canvasPath, Files.readString(vaultRoot.resolve(canvasPath), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code handleIntelligentParallelClick} (main.ts:2629-2708) on the active canvas {@code canvasPath} whose file holds
     * {@code canvasJson}: the eligible nodes go to a new {@link GroupPreviewModal}, which starts analysing at once.
     *
     * @throws IllegalStateException when the plugin would stop before any request (no eligible node, a canvas that is
     *                               not JSON): its notice is in {@link #notices()}
     */
    public GroupPreviewModal runIntelligentParallel(String canvasPath, String canvasJson) {
        return loop.call(() -> {
            JsonObject canvas;
            try (var reader = Json.createReader(new StringReader(canvasJson))) {
                canvas = reader.readObject();
            } catch (RuntimeException e) {
                notice("Failed to parse Canvas file", -1);
                throw new IllegalStateException("the plugin cannot parse the canvas");
            }
            List<JsonObject> eligible = eligibleNodes(canvas);
            if (eligible.isEmpty()) {
                notice(
                        "No red or purple nodes found in Canvas. Intelligent processing requires nodes that need"
                                + " review.",
                        -1);
                throw new IllegalStateException("the plugin found no red or purple node");
            }
            String base =
                    settings.claudeCodeUrl() == null || settings.claudeCodeUrl().isEmpty()
                            ? "http://localhost:8000/api/v1"
                            : settings.claudeCodeUrl();
            GroupPreviewModal preview = new GroupPreviewModal(this, canvasPath, eligible, base);
            preview.open();
            return preview;
        });
    }

    /** Every notice shown so far, in order. */
    public List<Notice> notices() {
        return List.copyOf(notices);
    }

    public List<String> noticeTexts() {
        return notices.stream().map(Notice::text).toList();
    }

    /** How many WebSockets the plugin has created ({@code new WebSocket}), all modals together. */
    public int socketsCreated() {
        return sockets.get();
    }

    /** Every request the plugin made, with the status it got (0: no answer). */
    public List<PluginRequest> requests() {
        return fetch.calls();
    }

    /**
     * Waits until the plugin has nothing scheduled and nothing under way: no modal ticking, no reconnect pending, no
     * polling, no request, no socket. A plugin caught in a reconnect or polling loop never gets there.
     */
    public boolean awaitIdle(Duration patience) {
        return loop.await(loop::idle, patience);
    }

    /**
     * Things the real plugin would stumble over that the model noticed (an event for a group it does not know, a count
     * that is not a number, a handler that threw); a faithful server gives none.
     */
    public List<String> oddities() {
        List<String> all = new ArrayList<>(oddities);
        loop.failures().forEach(f -> all.add("a handler threw: " + f));
        return all;
    }

    @Override
    public void close() {
        loop.close();
        http.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------- for the modals

    void notice(String text, long durationMillis) {
        notices.add(new Notice(text, durationMillis, loop.now()));
    }

    void oddity(String what) {
        oddities.add(what);
    }

    BrowserWebSocket newWebSocket(String url) {
        URI uri = URI.create(url);
        sockets.incrementAndGet();
        return new BrowserWebSocket(loop, http, uri, browserHeaders, network);
    }

    /**
     * From now on the network holds every socket handshake back until {@code gate} opens (a slow connection, a busy
     * machine): what happens on the server meanwhile happens before the plugin's socket opens. HTTP is not held.
     */
    public ObsidianPlugin holdSocketsUntil(java.util.concurrent.CountDownLatch gate) {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        Thread.ofVirtual().name("plugin-network-gate").start(() -> {
            try {
                gate.await();
                opened.complete(null);
            } catch (InterruptedException e) {
                opened.completeExceptionally(e);
            }
        });
        network = opened;
        return this;
    }

    Duration patience() {
        return PATIENCE;
    }

    /**
     * {@code handleGroupProcessingConfirm} (main.ts:2720-2836): the confirm POST, then the progress modal.
     *
     * @param opened receives the progress modal once it is open, or null when confirm failed (its notice is shown)
     */
    void confirm(
            String canvasPath,
            JsonValue sessionId,
            List<GroupPreviewModal.Group> groups,
            java.util.function.Consumer<ProgressMonitorModal> opened) {
        notice("Starting batch processing for " + groups.size() + " groups...", -1);
        String apiBase = settings.claudeCodeUrl();
        String wsBase = apiBase.replaceFirst("^https://", "wss://").replaceFirst("^http://", "ws://");
        JsonObjectBuilder body = Json.createObjectBuilder();
        if (sessionId != null) {
            body.add("session_id", sessionId);
        }
        fetch.fetch(
                "POST",
                apiBase + "/canvas/intelligent-parallel/confirm",
                body.build().toString(),
                null,
                settings.timeScale(),
                response -> {
                    if (!response.ok()) {
                        String message = response.json()
                                .map(error -> Js.stringOr(error, "message", null))
                                .orElse(null);
                        notice(
                                "Failed to confirm session: "
                                        + (message != null ? message : "HTTP " + response.status()),
                                -1);
                        opened.accept(null);
                        return;
                    }
                    ProgressMonitorModal progress =
                            new ProgressMonitorModal(this, canvasPath, jsString(sessionId), groups, apiBase, wsBase);
                    progress.open();
                    opened.accept(progress);
                },
                failure -> {
                    notice("Failed to confirm session: " + failure.message(), -1);
                    opened.accept(null);
                });
    }

    /** {@code `${value}`} of a JSON value the plugin puts into a URL. */
    static String jsString(JsonValue value) {
        if (value == null) {
            return "undefined";
        }
        return switch (value.getValueType()) {
            case STRING -> ((JsonString) value).getString();
            case NUMBER -> Js.print(((JsonNumber) value).doubleValue());
            case NULL -> "null";
            case TRUE -> "true";
            case FALSE -> "false";
            default -> value.toString();
        };
    }

    private static final Set<String> ELIGIBLE = Set.of("1", "red", "6", "purple", "#ff0000", "#a855f7");

    private static List<JsonObject> eligibleNodes(JsonObject canvas) {
        List<JsonObject> eligible = new ArrayList<>();
        JsonValue nodes = canvas.get("nodes");
        if (nodes == null || nodes.getValueType() != JsonValue.ValueType.ARRAY) {
            return eligible;
        }
        for (JsonValue value : nodes.asJsonArray()) {
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                continue;
            }
            JsonObject node = value.asJsonObject();
            JsonValue color = node.get("color");
            if (color instanceof JsonString text && ELIGIBLE.contains(text.getString())) {
                JsonObjectBuilder sent = Json.createObjectBuilder();
                for (String field : List.of("id", "type", "text", "color", "x", "y", "width", "height")) {
                    JsonValue v = node.get(field);
                    if (v != null) {
                        sent.add(field, v);
                    }
                }
                eligible.add(sent.build());
            }
        }
        return eligible;
    }

    static JsonArrayBuilder array(List<JsonObject> items) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        items.forEach(array::add);
        return array;
    }

    /** Waits on the loop for {@code condition}, failing the test with {@code what} when it does not come. */
    void expect(java.util.function.BooleanSupplier condition, Duration patience, String what) {
        if (!loop.await(condition, patience)) {
            throw new AssertionError("the plugin model waited " + patience + " in vain for " + what);
        }
    }

    /** Plugin milliseconds as a {@link Duration} of real time, for tests that let plugin time pass. */
    Duration real(long pluginMillis) {
        return Duration.ofNanos(Math.round(pluginMillis * settings.timeScale() * 1_000_000));
    }

    Optional<String> acceptLanguage() {
        return Optional.ofNullable(settings.acceptLanguage());
    }
}
