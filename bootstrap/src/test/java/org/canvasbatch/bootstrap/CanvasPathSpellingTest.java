package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code canvas_path} is the canvas's path inside the vault, and the notes link back to it by that path: Obsidian
 * opens {@code [[CS/Data Structures.canvas]]}, not {@code [[CS//Data Structures.canvas]]}. A request that spells the
 * path with an empty segment ({@code //}, as a hand-made client or a script that joins a folder ending in '/' does)
 * names the same file on disk, but notes linking back to it would name a path Obsidian cannot open (a click on it
 * creates an empty canvas of that name): it is refused, as a '.' segment is, and nothing is written.
 */
class CanvasPathSpellingTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newHttpClient();
    private Process server;

    @AfterEach
    void stopServer() throws InterruptedException {
        if (server != null) {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCanvasPathWithAnEmptySegmentIsRefusedAndNothingIsWritten() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        int port = freePort();
        server = ServeProcess.start(
                temp.resolve("serve.log"),
                PATIENCE,
                List.of("--vault", vault.toString(), "--data", "memory", "--port", String.valueOf(port)));

        HttpResponse<String> analysis = post(
                port,
                "/canvas/intelligent-parallel",
                "{\"canvas_path\": \"CS//Data Structures.canvas\", \"options\": {\"auto_execute\": true}}");
        assertThat(analysis.statusCode()).as(analysis.body()).isEqualTo(422);
        assertThat(analysis.body()).contains("empty segment");
        assertThat(vault.resolve("CS/Data Structures-notes")).doesNotExist();
    }

    private HttpResponse<String> post(int port, String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
