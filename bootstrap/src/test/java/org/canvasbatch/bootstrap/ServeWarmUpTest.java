package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A freshly started {@code serve} gets ready for its first batch before anyone asks: it opens its connection to the
 * model server at start, and one per call of the round to come when a batch is analysed, before the learner confirms;
 * and what it does to get ready writes nothing into the vault or the journal and asks the model nothing.
 */
class ServeWarmUpTest {

    private static final String CANVAS = "CS/Data Structures.canvas";
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
    void theModelServerSeesTheConnectionsBeforeTheLearnerConfirmsAndIsAskedNothing() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        Path journal = temp.resolve("journal");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            int port = freePort();
            serve(vault, journal, port, llm);

            awaitTrue(() -> llm.modelListings().size() == 1, "the model server sees the connection opened at start");
            assertThat(llm.modelListings().getFirst().header("authorization")).isEqualTo("Bearer sk-warm-up");

            JsonObject analysis = post(port, "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + CANVAS + "\"}");
            awaitTrue(() -> log().contains("Rehearsed "), "the rehearsal ended");
            assertThat(log())
                    .as("the learner's analysis stops the rehearsal, which otherwise runs for seconds")
                    .contains("stopped for the learner's work");
            int firstRound = Math.min(analysis.getInt("total_nodes"), 2);
            awaitTrue(
                    () -> llm.modelListings().size() == 1 + firstRound,
                    "a connection for each call of the first round, before confirm");
            assertThat(llm.calls())
                    .as("nothing asked of the model before confirm")
                    .isZero();

            post(
                    port,
                    "/canvas/intelligent-parallel/confirm",
                    "{\"session_id\": \"" + analysis.getString("session_id") + "\"}");
            awaitTrue(() -> llm.calls() == analysis.getInt("total_nodes"), "every node asked once after confirm");
        }
    }

    @Test
    void gettingReadyWritesNothingIntoTheVaultOrTheJournal() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        Path journal = temp.resolve("journal");
        Path scratch = Files.createDirectories(temp.resolve("tmp"));
        Map<String, String> vaultBefore = files(vault);
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            serve(vault, journal, freePort(), llm, Map.of("JDK_JAVA_OPTIONS", "-Djava.io.tmpdir=" + scratch));
            awaitTrue(() -> llm.modelListings().size() == 1, "the server got ready");
            awaitTrue(() -> log().contains("Rehearsed "), "the rehearsal batches ran");

            List<String> lines = List.of(log().split("\\R"));
            assertThat(indexOfLineStarting(lines, "canvas-batch serving"))
                    .as("serving before the rehearsal ended")
                    .isLessThan(indexOfLineContaining(lines, "Rehearsed "));
            assertThat(lines)
                    .as("the rehearsal's batches are not logged as the learner's")
                    .noneMatch(line -> line.contains("analysed:") || line.contains("Rehearsal.canvas"));
            assertThat(lines.get(indexOfLineContaining(lines, "Rehearsed ")))
                    .contains("Rehearsed " + ServeRehearsal.BATCHES + " batch(es)");
            assertThat(files(scratch))
                    .as("the throwaway vault and journal are deleted")
                    .isEmpty();

            server.destroy(); // SIGTERM: a clean stop, which flushes whatever it holds
            assertThat(server.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

            assertThat(files(vault)).as("the vault as it was").isEqualTo(vaultBefore);
            assertThat(files(journal).keySet())
                    .as("no session in the journal")
                    .noneMatch(name -> name.endsWith(".journal"));
            assertThat(llm.calls()).isZero();
        }
    }

    private String log() {
        try {
            return Files.readString(temp.resolve("serve.log"));
        } catch (IOException e) {
            return "";
        }
    }

    private static int indexOfLineStarting(List<String> lines, String start) {
        return java.util.stream.IntStream.range(0, lines.size())
                .filter(i -> lines.get(i).startsWith(start))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with " + start + " in " + lines));
    }

    private static int indexOfLineContaining(List<String> lines, String part) {
        return java.util.stream.IntStream.range(0, lines.size())
                .filter(i -> lines.get(i).contains(part))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + part + " in " + lines));
    }

    private void serve(Path vault, Path journal, int port, FakeLlmServer llm) throws Exception {
        serve(vault, journal, port, llm, Map.of());
    }

    private void serve(Path vault, Path journal, int port, FakeLlmServer llm, Map<String, String> environment)
            throws Exception {
        server = ServeProcess.start(
                temp.resolve("serve.log"),
                PATIENCE,
                List.of(
                        "--port",
                        String.valueOf(port),
                        "--vault",
                        vault.toString(),
                        "--data",
                        journal.toString(),
                        "--concurrency",
                        "2",
                        "--model-provider",
                        "openai",
                        "--base-url",
                        llm.openAiBaseUrl(),
                        "--model",
                        "fake-model",
                        "--api-key",
                        "sk-warm-up"),
                environment);
    }

    /** Every file under {@code root}, by its relative path, with its size and modification time. */
    private static Map<String, String> files(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.exists(root)) {
            return files;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.filter(Files::isRegularFile).forEach(path -> {
                try {
                    files.put(
                            root.relativize(path).toString(),
                            Files.size(path) + " "
                                    + Files.getLastModifiedTime(path).toMillis());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return files;
    }

    private JsonObject post(int port, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: " + what).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
