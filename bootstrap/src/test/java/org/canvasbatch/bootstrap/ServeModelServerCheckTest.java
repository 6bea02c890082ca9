package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} with a model asks its server once, after it listens, whether batches can work, and logs one line when
 * they cannot: the server is down, or refuses the key. Nothing when it works or when no model is configured; never the
 * key, nor what a server sent; and a server that takes the connection and never answers does not hold up the start.
 */
class ServeModelServerCheckTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String KEY = "sk-learner-secret-4b1e77";

    @TempDir
    Path temp;

    private Process server;
    private int port;

    @AfterEach
    void stopServer() throws InterruptedException {
        if (server != null) {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aModelServerThatIsDownIsSaidInOneLineOnceServing() throws Exception {
        String down = "http://127.0.0.1:" + closedPort() + "/v1";

        serve(model(down));

        awaitTrue(() -> log().contains("is not answering"), "the check's line");
        List<String> lines = lines();
        assertThat(lines.stream().filter(line -> line.contains("The OpenAI-compatible server at")))
                .singleElement()
                .satisfies(line -> assertThat(line)
                        .contains(" WARNING ")
                        .endsWith("WARNING The OpenAI-compatible server at " + down
                                + " is not answering (connection refused); batches will fail until it does."));
        assertThat(indexOf(lines, "canvas-batch serving"))
                .as("said once serving")
                .isLessThan(indexOf(lines, "is not answering"));
        assertThat(log()).doesNotContain(KEY);
    }

    @Test
    void aModelServerThatRefusesTheKeyIsSaidWithoutTheKey() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            // quoting the key back, as a careless or hostile server may
            llm.listModelsWith(Reply.error(401, "Incorrect API key provided: " + KEY));

            serve(model(llm.openAiBaseUrl()));

            awaitTrue(() -> log().contains("refused the API key"), "the check's line");
            assertThat(lines().stream().filter(line -> line.contains("The OpenAI-compatible server at")))
                    .singleElement()
                    .satisfies(line -> assertThat(line)
                            .endsWith("WARNING The OpenAI-compatible server at " + llm.openAiBaseUrl()
                                    + " refused the API key (HTTP 401); batches will fail until the key is right:"
                                    + " check --api-key or OPENAI_API_KEY."));
            assertThat(log()).doesNotContain(KEY).doesNotContain("Incorrect API key");
            assertThat(llm.modelListings())
                    .singleElement()
                    .satisfies(listing ->
                            assertThat(listing.header("authorization")).isEqualTo("Bearer " + KEY));
        }
    }

    @Test
    void aModelServerThatWorksGivesNoLine() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            serve(model(llm.openAiBaseUrl()));

            awaitTrue(() -> llm.modelListings().size() == 1, "the check");
            awaitTrue(() -> log().contains("Rehearsed "), "the warm-up, long after the check's answer");
            assertThat(log()).doesNotContain("The OpenAI-compatible server", "not answering", "API key", KEY);
            assertThat(llm.modelListings())
                    .as("the check is the warm-up's connection, not one more")
                    .hasSize(1);
        }
    }

    @Test
    void theOfflineAgentChecksNothingAndSaysNothing() throws Exception {
        serve(List.of());

        awaitTrue(() -> log().contains("Rehearsed "), "the warm-up");
        assertThat(lines()).noneMatch(line -> line.contains(" WARNING "));
        assertThat(log()).doesNotContain("not answering", "API key");
    }

    /**
     * The check runs off the start's path: a model server that takes the connection and never answers costs the start
     * nothing. The server listens and answers before the check gives up, which it then says.
     */
    @Test
    void aModelServerThatNeverAnswersDoesNotHoldUpTheStart() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.listModelsWith(Reply.hang());

            serve(model(llm.openAiBaseUrl()));

            HttpResponse<String> live = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            awaitTrue(() -> log().contains("is not answering"), "the check giving up");
            List<String> lines = lines();
            String listening = lines.get(indexOf(lines, "canvas-batch HTTP API listening"));
            String warning = lines.get(indexOf(lines, "is not answering"));
            assertThat(warning)
                    .endsWith("WARNING The OpenAI-compatible server at " + llm.openAiBaseUrl()
                            + " is not answering (no answer within 5 s); batches will fail until it does.");
            assertThat(timeOf(listening))
                    .as("listening before the check gave up")
                    .isBefore(timeOf(warning));
            assertThat(indexOf(lines, "canvas-batch serving")).isLessThan(indexOf(lines, "is not answering"));
        }
    }

    private static Instant timeOf(String logLine) {
        return Instant.parse(logLine.substring(0, logLine.indexOf(' ')));
    }

    private static List<String> model(String baseUrl) {
        return List.of("--model-provider", "openai", "--base-url", baseUrl, "--model", "fake-model", "--api-key", KEY);
    }

    private void serve(List<String> modelOptions) throws Exception {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        port = freePort();
        List<String> arguments = new ArrayList<>(
                List.of("--port", String.valueOf(port), "--vault", vault.toString(), "--data", "memory"));
        arguments.addAll(modelOptions);
        server = ServeProcess.start(temp.resolve("serve.log"), PATIENCE, arguments);
    }

    private String log() {
        try {
            return Files.readString(temp.resolve("serve.log"));
        } catch (IOException e) {
            return "";
        }
    }

    private List<String> lines() {
        return log().lines().toList();
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        throw new AssertionError("no line with " + part + " in " + lines);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: " + what).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
