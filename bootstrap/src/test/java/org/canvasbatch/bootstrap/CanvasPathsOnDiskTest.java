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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canvas a batch names, as the notes link back to it and as it is on disk, against a real server.
 *
 * <p>A {@code canvas_path} spelled with an empty segment ({@code CS//Data Structures.canvas}, as a script joining a
 * folder that ends in '/' makes) names the same file, but notes linking back to it would name a path Obsidian cannot
 * open (a click on it creates an empty canvas of that name): it is refused, as a '.' segment is.
 *
 * <p>The learner renames (or moves, or deletes) the canvas in Obsidian while its batch runs. The notes are still written
 * into the vault, but they cannot be linked into a canvas that is no longer there. Contract §2.3: a succeeded node's
 * {@code link_problem} is null, or — for a note written but not linked into its canvas — why. The plugin's summary
 * says the canvas was updated; the status must not say every note is linked when none is.
 */
class CanvasPathsOnDiskTest {

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
        int port = serve(vault);

        HttpResponse<String> analysis = post(
                port,
                "/canvas/intelligent-parallel",
                "{\"canvas_path\": \"CS//Data Structures.canvas\", \"options\": {\"auto_execute\": true}}");
        assertThat(analysis.statusCode()).as(analysis.body()).isEqualTo(422);
        assertThat(analysis.body()).contains("empty segment");
        assertThat(vault.resolve("CS/Data Structures-notes")).doesNotExist();
    }

    @Test
    void aNoteWrittenAfterItsCanvasWasRenamedSaysItIsNotLinked() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        int port = serve(vault);

        HttpResponse<String> analysis =
                post(port, "/canvas/intelligent-parallel", "{\"canvas_path\": \"CS/Data Structures.canvas\"}");
        assertThat(analysis.statusCode()).as(analysis.body()).isEqualTo(200);
        String session = json(analysis.body()).getString("session_id");
        // the learner renames the canvas in Obsidian after the preview, before pressing start
        Files.move(vault.resolve("CS/Data Structures.canvas"), vault.resolve("CS/Data Structures (old).canvas"));
        HttpResponse<String> confirm =
                post(port, "/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session + "\"}");
        assertThat(confirm.statusCode()).as(confirm.body()).isBetween(200, 299);

        long deadline = System.nanoTime() + PATIENCE.toNanos();
        JsonObject status;
        do {
            Thread.sleep(100);
            status = json(http.send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + port + "/canvas/intelligent-parallel/" + session))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            assertThat(System.nanoTime()).as("the batch ends").isLessThan(deadline);
        } while (status.getString("state").equals("running"));

        Path renamed = vault.resolve("CS/Data Structures (old).canvas");
        String canvas = Files.readString(renamed, StandardCharsets.UTF_8);
        assertThat(Files.exists(vault.resolve("CS/Data Structures.canvas")))
                .as("no canvas is made anew at the old path")
                .isFalse();
        var results = status.getJsonArray("node_results");
        assertThat(results).as(status.toString()).isNotEmpty();
        for (var value : results) {
            JsonObject result = value.asJsonObject();
            if (!result.getString("status").equals("success")) {
                continue;
            }
            String note = result.getString("file_path");
            boolean linked = canvas.contains(note.replace("\"", "\\\""));
            assertThat(linked || !result.isNull("link_problem"))
                    .as(
                            "node %s: its note %s is in no canvas, yet link_problem is %s",
                            result.getString("node_id"), note, result.get("link_problem"))
                    .isTrue();
        }
    }

    /** A real {@code serve} of the vault with an in-memory journal; its port. */
    private int serve(Path vault) throws Exception {
        int port = freePort();
        server = ServeProcess.start(
                temp.resolve("serve.log"),
                PATIENCE,
                List.of("--vault", vault.toString(), "--data", "memory", "--port", String.valueOf(port)));
        return port;
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
