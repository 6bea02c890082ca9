package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.http.CanvasBatchServer;
import org.canvasbatch.adapters.http.ServerSettings;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The channel attached to the REST server the way bootstrap does it: the plugin's whole flow over one port. */
class ServerExtensionFlowTest {

    private static final String PLUGIN = "app://obsidian.md";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final AtomicInteger ids = new AtomicInteger();
    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    new InMemoryEventLog(),
                    new ScriptedAgent(),
                    // the canvas the plugin analyses is in the vault, as analyze requires
                    new InMemoryVault()
                            .withCanvas(new org.canvasbatch.domain.canvas.Canvas(
                                    "数学/离散数学.canvas",
                                    List.of(
                                            org.canvasbatch.domain.canvas.CanvasNode.text(
                                                    "a", "什么是逆否命题", "1", 0, 0, 250, 60),
                                            org.canvasbatch.domain.canvas.CanvasNode.text(
                                                    "b", "命题和逆命题的区别", "6", 0, 100, 250, 60)),
                                    List.of())),
                    executor,
                    Instant::now,
                    () -> new SessionId("s" + ids.incrementAndGet()),
                    new SplittableRandom(3)),
            CoreSettings.DEFAULT);
    private final SessionSocketChannel channel = new SessionSocketChannel(core.useCases(), WsSettings.DEFAULT);
    private final CanvasBatchServer server;

    ServerExtensionFlowTest() {
        ServerSettings settings = ServerSettings.onPort(0);
        server = new CanvasBatchServer(core.useCases(), settings.withExtension(channel.asServerExtension(settings)))
                .start();
    }

    @AfterEach
    void stop() {
        server.stop();
        executor.shutdown(Duration.ofMillis(20));
    }

    private record Answer(int status, JsonObject body, String allowOrigin) {}

    private Answer call(String method, String path, String body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .header("Content-Type", "application/json")
                    .header("Origin", PLUGIN)
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body))
                    .build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    response.statusCode(),
                    Json.createReader(new StringReader(response.body())).readObject(),
                    response.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private String analyze() {
        String nodes = "[{\"id\":\"a\",\"type\":\"text\",\"text\":\"什么是逆否命题\",\"color\":\"1\",\"x\":0,\"y\":0,"
                + "\"width\":250,\"height\":60},{\"id\":\"b\",\"type\":\"text\",\"text\":\"命题和逆命题的区别\","
                + "\"color\":\"6\",\"x\":0,\"y\":100,\"width\":250,\"height\":60}]";
        Answer answer = call(
                "POST",
                "/canvas/intelligent-parallel",
                "{\"canvas_path\":\"数学/离散数学.canvas\",\"nodes\":" + nodes
                        + ",\"options\":{\"grouping_mode\":\"intelligent\",\"max_groups\":6,\"auto_execute\":false}}");
        assertThat(answer.status()).isEqualTo(200);
        return answer.body().getString("session_id");
    }

    private URI socket(String sessionId) {
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws/intelligent-parallel/" + sessionId);
    }

    @Test
    void thePluginAnalysesWatchesConfirmsAndReadsTheHistoryOnOnePort() {
        String id = analyze();
        TestSocket plugin = TestSocket.connect(socket(id));
        plugin.await("snapshot");

        assertThat(call("POST", "/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\"}")
                        .status())
                .isEqualTo(202);

        JsonObject completed = plugin.await("session_completed");
        assertThat(completed.getJsonObject("data").getJsonArray("node_results")).hasSize(2);
        assertThat(plugin.awaitClose()).isEqualTo(1000);
        Answer history = call("GET", "//canvas/intelligent-parallel/" + id + "/events/?after_seq=0", null);
        assertThat(history.status()).isEqualTo(200);
        assertThat(history.allowOrigin()).isEqualTo(PLUGIN);
        assertThat(TestSocket.primarySeqs(history.body().getJsonArray("events").getValuesAs(JsonObject.class)))
                .startsWith(1L, 2L);
        Answer unknown = call("GET", "/api/v1/canvas/intelligent-parallel/nope/events", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.allowOrigin()).isEqualTo(PLUGIN);
    }

    @Test
    void stoppingTheServerClosesOpenSocketsWith1001() {
        String id = analyze();
        TestSocket plugin = TestSocket.connect(socket(id));
        plugin.await("snapshot");

        server.stop();

        assertThat(plugin.awaitClose()).isEqualTo(1001);
        assertThat(plugin.closeReason()).isEqualTo("server shutting down");
    }

    @Test
    void aPageFromAnOriginNotAllowedCannotOpenASocket() {
        String id = analyze();

        assertThatThrownBy(() -> HTTP.newWebSocketBuilder()
                        .header("Origin", "https://evil.example")
                        .buildAsync(socket(id), new java.net.http.WebSocket.Listener() {})
                        .join())
                .hasRootCauseMessage("Unexpected HTTP response status code 403");
    }
}
