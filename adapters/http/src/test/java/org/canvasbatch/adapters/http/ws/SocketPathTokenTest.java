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
import org.canvasbatch.adapters.http.ops.AccessToken;
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
 * Found by a hostile test. CONTRACT §1: with an access token (a server listening beyond loopback, {@code --host
 * 0.0.0.0}) every route needs it, and §3.1: a socket caller the token does not admit is accepted and closed 4401
 * "whatever the session", so that it learns nothing about which batches exist. A request to the socket path that says
 * {@code Upgrade: websocket} but is not a complete handshake (no {@code Sec-WebSocket-Version}) was let past the token
 * by the edge (it looked like an upgrade the socket guards itself) and then answered as plain HTTP by the socket
 * path's own route: 404 {@code SessionNotFoundError} for a batch that does not exist, 426 naming the batch for one that
 * does. Anyone on the network could tell the two apart without the token. Server wired as bootstrap wires it.
 */
class SocketPathTokenTest {

    private static final String TOKEN = "f3b1c2d4e5a6978801234567";

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

    SocketPathTokenTest() {
        ServerSettings settings = ServerSettings.onPort(0).withAccessToken(AccessToken.of(TOKEN));
        server = new CanvasBatchServer(core.useCases(), settings.withExtension(channel.asServerExtension(settings)))
                .start();
    }

    @AfterEach
    void stop() {
        server.stop();
        executor.shutdown(Duration.ofMillis(20));
    }

    @Test
    void withoutTheTokenAnIncompleteHandshakeDoesNotTellWhetherABatchExists() {
        String existing = session();

        String known = halfUpgrade(existing);
        String unknown = halfUpgrade("s999");

        assertThat(known).as("a batch that exists").startsWith("HTTP/1.1 401").doesNotContain(existing);
        assertThat(unknown).as("a batch that does not").startsWith("HTTP/1.1 401");
    }

    @Test
    void withTheTokenTheSameRequestStillSaysWhatItIs() {
        String existing = session();

        assertThat(halfUpgrade(existing + "?token=" + TOKEN)).startsWith("HTTP/1.1 426");
        assertThat(halfUpgrade("s999?token=" + TOKEN)).startsWith("HTTP/1.1 404");
    }

    /** {@code Upgrade: websocket} and a key, but no {@code Sec-WebSocket-Version}: Helidon serves it as plain HTTP. */
    private String halfUpgrade(String idAndQuery) {
        return exchange(
                "GET",
                "/ws/intelligent-parallel/" + idAndQuery,
                "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
                null,
                null);
    }

    private String session() {
        String answer = exchange(
                "POST",
                "/canvas/intelligent-parallel",
                "Authorization: Bearer " + TOKEN + "\r\n",
                "{\"canvas_path\":\"a.canvas\"}",
                null);
        assertThat(answer).startsWith("HTTP/1.1 200");
        int at = answer.indexOf("\"session_id\":\"") + 14;
        return answer.substring(at, answer.indexOf('"', at));
    }

    /** One raw HTTP/1.1 exchange; returns the answer as text (status line first). */
    private String exchange(String method, String path, String extra, String body, String origin) {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n"
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
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
