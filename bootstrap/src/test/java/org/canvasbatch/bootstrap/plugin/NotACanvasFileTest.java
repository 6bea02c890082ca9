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
import java.util.List;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A path where something other than a canvas file is (a folder named like a canvas, a named pipe): the answer says what
 * is there. An analysis of a folder used to get the advice for a canvas missing from the server's vault ("restart the
 * server with --vault …"), which sends the learner to look for another vault when the path leads into this one, and a
 * single node's run of a folder or a pipe "no canvas at …" (found by hostile tests).
 */
class NotACanvasFileTest {

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

    @Test
    void aSingleNodeRunOfAFolderOrAPipeNamedLikeACanvasSaysWhatIsThere() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        Files.createDirectories(vault.resolve("数学/复变函数.canvas"));
        Process mkfifo = new ProcessBuilder(
                        "mkfifo", vault.resolve("数学/管道.canvas").toString())
                .inheritIO()
                .start();
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();
        server = new PluginHarness(vault, 0);

        HttpResponse<String> folder = singleNode("数学/复变函数.canvas");
        HttpResponse<String> pipe = singleNode("数学/管道.canvas");

        assertThat(folder.statusCode()).as(folder.body()).isEqualTo(422);
        assertThat(message(folder)).contains("'数学/复变函数.canvas' is a folder, not a canvas file");
        assertThat(pipe.statusCode()).as(pipe.body()).isEqualTo(422);
        assertThat(message(pipe)).contains("'数学/管道.canvas' is a named pipe");
        assertThat(server.agent.calls()).as("the model is asked nothing").isEmpty();
    }

    /**
     * A hostile tester's reproduction: {@code ln -s selfloop VAULT/selfloop}, then an analysis of
     * {@code selfloop/x.canvas} answered 503 VaultUnavailableError (no Retry-After) with a 76-line stack trace in the
     * log (VaultException, FileSystemException ELOOP), and a single node's run of it 502. The path leads nowhere, as
     * one through a broken link does: a 422 on canvas_path in words, one log line, no stack trace.
     */
    @Test
    void aPathThroughALoopOfSymbolicLinksIsACanvasPathProblemInWords() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        Files.createSymbolicLink(vault.resolve("selfloop"), Path.of("selfloop"));
        server = new PluginHarness(vault, 0);

        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch")) {
            HttpResponse<String> analysis = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(server.base() + "/canvas/intelligent-parallel"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"canvas_path\": \"selfloop/x.canvas\"}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> single = singleNode("selfloop/x.canvas");

            for (HttpResponse<String> answer : List.of(analysis, single)) {
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
                JsonObject error =
                        Json.createReader(new StringReader(answer.body())).readObject();
                assertThat(error.getString("error")).isEqualTo("ValidationError");
                assertThat(error.getJsonArray("errors").getJsonObject(0).getString("field"))
                        .isEqualTo("canvas_path");
                assertThat(error.getString("message"))
                        .contains("'selfloop/x.canvas' goes through a loop of symbolic links", "'selfloop'");
            }
            assertThat(logs.visibleRecords())
                    .as("one line per refused request, none with a stack trace")
                    .hasSizeLessThanOrEqualTo(2)
                    .allSatisfy(r -> assertThat(r.getThrown()).isNull());
        }
        assertThat(server.core.useCases().status().sessions()).as("no session").isEmpty();
        assertThat(server.agent.calls()).as("the model is asked nothing").isEmpty();
    }

    private HttpResponse<String> singleNode(String canvasPath) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.base() + "/canvas/single-agent"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"canvas_path\": \"" + canvasPath
                                        + "\", \"node_id\": \"q1\", \"agent\": \"oral-explanation\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static String message(HttpResponse<String> answer) {
        return Json.createReader(new StringReader(answer.body())).readObject().getString("message");
    }
}
