package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Found by a hostile test (the socket refused origins the API accepts). CONTRACT §1: a request with an {@code Origin} is served when the origin is allowed — the CORS allowlist (default
 * {@code http://localhost[:port]}, any port) or the server's own origin (its dashboard, whatever allowed name it was
 * opened by) — and any other gets 403 {@code OriginNotAllowedError}. The WebSocket upgrade must follow the same rule
 * as HTTP (the dashboard's live view opens a socket from its own origin). Server wired as bootstrap wires it.
 */
class SocketOriginTest {

    private final LocalTaskExecutor executor = new LocalTaskExecutor(16);
    private final AtomicInteger ids = new AtomicInteger();
    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    new InMemoryEventLog(),
                    new ScriptedAgent(),
                    new InMemoryVault()
                            .withCanvas(new Canvas(
                                    "a.canvas", List.of(CanvasNode.text("a", "什么是命题", "1", 0, 0, 250, 60)), List.of())),
                    executor,
                    Instant::now,
                    () -> new SessionId("s" + ids.incrementAndGet()),
                    new SplittableRandom(3)),
            CoreSettings.DEFAULT);
    private final SessionSocketChannel channel = new SessionSocketChannel(core.useCases(), WsSettings.DEFAULT);
    private final CanvasBatchServer server;

    SocketOriginTest() {
        ServerSettings settings = ServerSettings.onPort(0).withAllowedHosts(List.of("studybox.local"));
        server = new CanvasBatchServer(core.useCases(), settings.withExtension(channel.asServerExtension(settings)))
                .start();
    }

    @AfterEach
    void stop() {
        server.stop();
        executor.shutdown(Duration.ofMillis(20));
    }

    /**
     * The plugin's own rules follow the upgrade's real {@code Origin}: the header under which the server's upgrade
     * hands it to the socket cannot be sent by a client to pass for the plugin.
     */
    @Test
    void aClientCannotPassForThePluginThroughTheHeaderTheOriginIsHandedOnIn() throws Exception {
        String id = session();

        String spoofed = firstMessage(
                id, java.util.Map.of(FrameCheckingUpgrader.CHECKED_ORIGIN.defaultCase(), "app://obsidian.md"));
        String plugin = firstMessage(id, java.util.Map.of("Origin", "app://obsidian.md"));

        assertThat(spoofed)
                .as("a script's socket gets a snapshot")
                .contains("\"type\":\"connected\"")
                .contains("\"resumed\":false");
        assertThat(plugin)
                .as("the plugin's socket gets its history")
                .contains("\"type\":\"connected\"")
                .contains("\"resumed\":true");
    }

    private String firstMessage(String id, java.util.Map<String, String> headers) throws Exception {
        var first = new java.util.concurrent.CompletableFuture<String>();
        var builder = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder();
        headers.forEach(builder::header);
        java.net.http.WebSocket socket = builder.buildAsync(
                        java.net.URI.create("ws://127.0.0.1:" + server.port() + "/ws/intelligent-parallel/" + id),
                        new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(
                                    java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
                                first.complete(data.toString());
                                return null;
                            }
                        })
                .join();
        try {
            return first.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            socket.abort();
        }
    }

    private String session() {
        String answer = exchange(
                "POST",
                "/canvas/intelligent-parallel",
                "localhost:" + server.port(),
                null,
                "",
                "{\"canvas_path\":\"a.canvas\"}");
        int at = answer.indexOf("\"session_id\":\"") + 14;
        return answer.substring(at, answer.indexOf('"', at));
    }

    /** One raw HTTP/1.1 exchange; returns the answer as text (status line first). */
    private String exchange(String method, String path, String host, String origin, String extra, String body) {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + (body == null ? "" : "Content-Type: application/json\r\n")
                + "Content-Length: " + content.length + "\r\nConnection: close\r\n" + extra + "\r\n";
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            StringBuilder text = new StringBuilder();
            int n;
            while ((n = in.read(buffer)) > 0) {
                text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                if (text.toString().contains("HTTP/1.1 101")) {
                    break; // a socket: do not wait for its close
                }
            }
            return text.toString();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private String upgrade(String id, String host, String origin) {
        return exchange(
                "GET",
                "/ws/intelligent-parallel/" + id,
                host,
                origin,
                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n",
                null);
    }

    private String status(String id, String host, String origin) {
        return exchange("GET", "/canvas/intelligent-parallel/" + id, host, origin, "", null);
    }

    @Test
    void aLocalToolOnAnotherLocalhostPortThatMayCallTheApiMayAlsoOpenItsSocket() {
        String id = session();
        String host = "localhost:" + server.port();

        assertThat(status(id, host, "http://localhost:3000")).startsWith("HTTP/1.1 200");
        assertThat(upgrade(id, host, "http://localhost:3000"))
                .as("http://localhost[:port] is in the default allowlist")
                .startsWith("HTTP/1.1 101");
    }

    @Test
    void theDashboardOpenedByAnAllowedHostNameMayOpenItsSocketFromItsOwnOrigin() {
        String id = session();
        String host = "studybox.local:" + server.port();
        String own = "http://" + host;

        assertThat(status(id, host, own)).startsWith("HTTP/1.1 200");
        assertThat(upgrade(id, host, own)).as("the server's own origin").startsWith("HTTP/1.1 101");
    }

    @Test
    void theDashboardOfAServerOnAPickedPortMayOpenItsSocket() {
        // --port 0 picks a free port; the dashboard is then http://127.0.0.1:<picked>
        String id = session();
        String host = "127.0.0.1:" + server.port();
        String own = "http://" + host;

        assertThat(status(id, host, own)).startsWith("HTTP/1.1 200");
        assertThat(upgrade(id, host, own)).startsWith("HTTP/1.1 101");
    }

    @Test
    void aForeignPagesSocketIsRefusedWithTheOriginEnvelope() {
        String id = session();

        String answer = upgrade(id, "localhost:" + server.port(), "https://evil.example");

        assertThat(answer).startsWith("HTTP/1.1 403");
        assertThat(answer).contains("\"error\":\"OriginNotAllowedError\"").doesNotContain("could not be read as HTTP");
    }
}
