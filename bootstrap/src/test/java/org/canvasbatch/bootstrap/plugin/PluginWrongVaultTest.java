package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 5: the commonest mistake — a server started with another {@code --vault} than the learner's. The
 * analysis used to be accepted: notes went into a new folder of the server's vault, no canvas was touched, and the
 * summary said the canvas was updated. Now the preview's error view shows why, and nothing is written anywhere.
 */
class PluginWrongVaultTest {

    @TempDir
    Path temp;

    private PluginHarness server;
    private ObsidianPlugin plugin;

    @AfterEach
    void stop() {
        if (plugin != null) {
            plugin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** The learner's vault (a copy of the fixture vault) and a server serving another, empty vault. */
    private Path learnersVaultAndAServerOfAnother() throws IOException {
        Path learners = FixtureVault.copyTo(temp.resolve("learner"));
        Path other =
                Files.createDirectories(temp.resolve("other-vault/.obsidian")).getParent();
        server = new PluginHarness(other, 0);
        return learners;
    }

    @Test
    void aCanvasOfAnotherVaultShowsTheServersMessageInThePreviewsErrorViewNotASummary() throws IOException {
        Path learners = learnersVaultAndAServerOfAnother();
        plugin = server.plugin();

        GroupPreviewModal preview = plugin.runIntelligentParallel(learners, FixtureVault.DISCRETE_MATH);

        assertThat(preview.error())
                .hasValueSatisfying(message -> assertThat(message)
                        .contains(
                                "画布“" + FixtureVault.DISCRETE_MATH + "”不在此服务器的库",
                                server.vault.toAbsolutePath().toString(),
                                "--vault <包含 .obsidian 文件夹的那个目录> 重新启动服务器"));
        // the plugin retries every non-2xx three times: the same answer each time, and nothing created
        assertThat(plugin.requests())
                .hasSize(4)
                .allSatisfy(call -> assertThat(call.status()).isEqualTo(404));
        assertThat(server.core.useCases().status().sessions()).isEmpty();
        assertThat(plugin.noticeTexts()).noneMatch(t -> t.startsWith("Starting batch processing"));
        try (var written = Files.walk(server.vault)) {
            assertThat(written.filter(Files::isRegularFile)).isEmpty();
        }
        assertThat(learners.resolve("数学/离散数学-notes")).doesNotExist();
        assertThat(plugin.awaitIdle(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void aLearnerWhoseSystemReadsEnglishGetsTheSameAdviceInEnglish() throws IOException {
        Path learners = learnersVaultAndAServerOfAnother();
        plugin = server.plugin(settings -> settings.withAcceptLanguage("en-US,en;q=0.9"));

        GroupPreviewModal preview = plugin.runIntelligentParallel(learners, FixtureVault.DISCRETE_MATH);

        assertThat(preview.error())
                .hasValueSatisfying(message -> assertThat(message)
                        .contains(
                                "The canvas '" + FixtureVault.DISCRETE_MATH + "' is not in this server's vault ("
                                        + server.vault.toAbsolutePath() + ")",
                                "restart it with --vault <the folder that holds .obsidian>"));
    }

    @Test
    void aNamedPipeNamedLikeTheCanvasIsSaidToBeOneNotACanvasOfAnotherVault() throws Exception {
        server = new PluginHarness(temp);
        Files.createDirectories(server.vault.resolve("Pipes"));
        Process mkfifo = new ProcessBuilder(
                        "mkfifo", server.vault.resolve("Pipes/p.canvas").toString())
                .inheritIO()
                .start();
        assertThat(mkfifo.waitFor()).isZero();

        // what the dashboard's form or any other caller that names a canvas sends (the plugin reads the file first)
        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + server.server.port() + "/canvas/intelligent-parallel"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"canvas_path\":\"Pipes/p.canvas\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
        assertThat(answer.body())
                .contains("'Pipes/p.canvas' is a named pipe (FIFO)")
                .doesNotContain("--vault", "not in this server's vault");
        assertThat(server.core.useCases().status().sessions()).isEmpty();
    }
}
