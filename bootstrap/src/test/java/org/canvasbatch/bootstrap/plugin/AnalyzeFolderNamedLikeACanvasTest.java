package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.canvasbatch.fixtures.FixtureVault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An analysis of a path where a folder named like a canvas is: the answer says it is a folder. It used to be the
 * advice for a canvas missing from the server's vault ("restart the server with --vault …"), which sends the learner
 * to look for another vault when the path leads into this one.
 */
class AnalyzeFolderNamedLikeACanvasTest {

    @TempDir
    Path temp;

    private PluginHarness server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aFolderNamedLikeACanvasIsACanvasPathProblemNamingTheFolder() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        Files.createDirectories(vault.resolve("数学/复变函数.canvas"));
        server = new PluginHarness(vault, 0);

        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.base() + "/canvas/intelligent-parallel"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"canvas_path\": \"数学/复变函数.canvas\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
        JsonObject error = Json.createReader(new StringReader(answer.body())).readObject();
        assertThat(error.getString("message"))
                .contains("'数学/复变函数.canvas' is a folder, not a canvas file")
                .doesNotContain("--vault");
        assertThat(server.core.useCases().status().sessions()).as("no session").isEmpty();
        try (var inside = Files.list(vault.resolve("数学/复变函数.canvas"))) {
            assertThat(inside).as("nothing written into the folder").isEmpty();
        }
    }
}
