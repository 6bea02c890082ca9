package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code canvas_path} is the canvas's path inside the vault, and the notes link back to it by that path: Obsidian
 * opens {@code [[CS/Data Structures.canvas]]}, not {@code [[CS//Data Structures.canvas]]}. A request that spells the
 * path with an empty segment ({@code //}, as a hand-made client or a script that joins a folder ending in '/' does)
 * names the same file on disk; the server must either refuse it, as it refuses a '.' segment, or take it as the
 * canvas's one path — never write notes whose link back to their canvas and whose {@code source_canvas} name a path
 * Obsidian cannot open (a click on it creates an empty canvas of that name).
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
    void aCanvasPathWithAnEmptySegmentNeverWritesNotesThatLinkBackToAPathObsidianCannotOpen() throws Exception {
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
        if (analysis.statusCode() >= 400) {
            assertThat(analysis.statusCode()).as(analysis.body()).isBetween(400, 499);
            return; // refused: nothing is written, which is as good as taking the canvas's one path
        }
        assertThat(analysis.statusCode()).as(analysis.body()).isEqualTo(200);
        String session = json(analysis.body()).getString("session_id");
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String state;
        do {
            Thread.sleep(100);
            HttpResponse<String> status = http.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/canvas/intelligent-parallel/" + session))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            state = json(status.body()).getString("state");
            assertThat(System.nanoTime()).as("the batch ends").isLessThan(deadline);
        } while (state.equals("pending") || state.equals("running"));

        Path notes = vault.resolve("CS/Data Structures-notes");
        List<Path> written;
        try (Stream<Path> files = Files.list(notes)) {
            written = files.filter(f -> f.toString().endsWith(".md")).toList();
        }
        assertThat(written).as("the batch wrote its notes").isNotEmpty();
        for (Path note : written) {
            String text = Files.readString(note, StandardCharsets.UTF_8);
            assertThat(text)
                    .as("the note %s links back to the canvas by its path in the vault", note.getFileName())
                    .doesNotContain("CS//Data Structures.canvas")
                    .contains("source_canvas: \"CS/Data Structures.canvas\"")
                    .contains("[[CS/Data Structures.canvas|");
        }
    }

    private HttpResponse<String> post(int port, String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
