package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} with a model whose server is down, refuses the key or fails says so in one line under its plan, before
 * the batch fails node by node, never quoting the key or what the server sent; with a server that works, or the
 * offline agent, it says nothing more; and it never waits for that check.
 */
class RunModelServerCheckTest {

    private static final String KEY = "sk-learner-secret-7f3a9c";
    private static final String CANVAS = "Logic.canvas";
    private static final String CANVAS_JSON = "{\"nodes\":["
            + "{\"id\":\"q1\",\"type\":\"text\",\"text\":\"What is a proposition?\",\"color\":\"1\",\"x\":0,\"y\":0,"
            + "\"width\":250,\"height\":60},"
            + "{\"id\":\"q2\",\"type\":\"text\",\"text\":\"What is a tautology?\",\"color\":\"6\",\"x\":0,\"y\":200,"
            + "\"width\":250,\"height\":60}],\"edges\":[]}";

    @TempDir
    Path temp;

    private record Outcome(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }

        List<String> warnings() {
            return out.lines().filter(line -> line.startsWith("Warning: ")).toList();
        }
    }

    private Outcome run(List<String> options) throws IOException {
        Path vault = temp.resolve("vault");
        Files.createDirectories(vault.resolve(".obsidian"));
        Files.writeString(vault.resolve(CANVAS), CANVAS_JSON);
        List<String> args = new ArrayList<>(List.of(
                "run", vault.resolve(CANVAS).toString(), "--data", "memory", "--plain", "--model-timeout", "10s"));
        args.addAll(options);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<String> model(String baseUrl, String... more) {
        List<String> options = new ArrayList<>(List.of(
                "--model-provider", "openai", "--base-url", baseUrl, "--model", "fake-model", "--api-key", KEY));
        options.addAll(List.of(more));
        return options;
    }

    private static String closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
        }
    }

    @Test
    void aModelServerThatIsDownIsSaidOnceUnderThePlanBeforeTheNodesFail() throws Exception {
        String down = closedPort();

        Outcome outcome = run(model(down));

        assertThat(outcome.exitCode()).as(outcome.all()).isEqualTo(1);
        assertThat(outcome.warnings())
                .containsExactly("Warning: The OpenAI-compatible server at " + down
                        + " is not answering (connection refused); batches will fail until it does.");
        assertThat(outcome.out().indexOf("Warning: "))
                .as("said before the first node fails")
                .isLessThan(outcome.out().indexOf("FAILED"))
                .isGreaterThan(outcome.out().indexOf("question node(s)"));
        assertThat(outcome.all()).doesNotContain(KEY);
    }

    @Test
    void aModelServerThatRefusesTheKeyIsSaidWithoutTheKeyOrWhatTheServerSaid() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            // the answer quotes the key back, as a careless or hostile server may
            llm.listModelsWith(Reply.error(401, "Incorrect API key provided: " + KEY + "."))
                    .requireApiKey("sk-the-right-one");

            Outcome outcome = run(model(llm.openAiBaseUrl()));

            assertThat(outcome.exitCode()).as(outcome.all()).isEqualTo(1);
            assertThat(outcome.warnings())
                    .containsExactly("Warning: The OpenAI-compatible server at " + llm.openAiBaseUrl()
                            + " refused the API key (HTTP 401); batches will fail until the key is right: check"
                            + " --api-key or OPENAI_API_KEY.");
            assertThat(outcome.all()).doesNotContain(KEY).doesNotContain("sk-learner");
        }
    }

    @Test
    void aModelServerThatWorksGivesNoWarning() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            Outcome outcome = run(model(llm.openAiBaseUrl()));

            assertThat(outcome.exitCode()).as(outcome.all()).isZero();
            assertThat(outcome.out()).contains("2 succeeded, 0 failed, of 2");
            assertThat(outcome.warnings()).isEmpty();
            assertThat(outcome.all()).doesNotContain("not answering", "API key", KEY);
            assertThat(llm.modelListings()).as("the check asked the model list").isNotEmpty();
            assertThat(llm.calls()).as("and the model only the two notes").isEqualTo(2);
        }
    }

    @Test
    void theOfflineAgentChecksNoServerAndSaysNothingMore() throws Exception {
        Outcome outcome = run(List.of());

        assertThat(outcome.exitCode()).as(outcome.all()).isZero();
        assertThat(outcome.warnings()).isEmpty();
        assertThat(outcome.all()).doesNotContain("not answering", "model server", "API key");
    }

    /** A proxy's error page of megabytes, with terminal escapes in it, is never echoed: its status says enough. */
    @Test
    void aHostileServersLongAnswerIsNotEchoed() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            String page = "<html>\u001b[2J\u001b]0;owned\u0007" + "A".repeat(500_000) + "\u202e</html>";
            llm.listModelsWith(Reply.raw(503, "text/html", page, Map.of()));

            Outcome outcome = run(model(llm.openAiBaseUrl()));

            assertThat(outcome.warnings())
                    .containsExactly("Warning: The OpenAI-compatible server at " + llm.openAiBaseUrl()
                            + " answered with a server error (HTTP 503); batches may fail until it recovers.");
            assertThat(outcome.all()).doesNotContain("AAAAAAAAAA", "\u001b", "owned", "\u202e");
        }
    }

    /** A server that takes the connection and never answers its model list: the batch goes on without waiting. */
    @Test
    void aModelListThatNeverComesDoesNotHoldUpTheBatch() throws Exception {
        Duration checkTime = Duration.ofMinutes(2);
        System.setProperty(Wiring.MODEL_SERVER_CHECK_MILLIS, String.valueOf(checkTime.toMillis()));
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.listModelsWith(Reply.hang());
            long started = System.nanoTime();

            Outcome outcome = run(model(llm.openAiBaseUrl()));

            assertThat(outcome.exitCode()).as(outcome.all()).isZero();
            assertThat(outcome.out()).contains("2 succeeded, 0 failed, of 2");
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .as("done long before the check would give up")
                    .isLessThan(checkTime.dividedBy(2));
            assertThat(outcome.warnings())
                    .as("the batch ended before the check did")
                    .isEmpty();
        } finally {
            System.clearProperty(Wiring.MODEL_SERVER_CHECK_MILLIS);
        }
    }

    @Test
    void aDryRunSaysItTooBeforeItsLastLine() throws Exception {
        String down = closedPort();

        Outcome outcome = run(model(down, "--dry-run"));

        assertThat(outcome.exitCode()).as(outcome.all()).isZero();
        List<String> lines = outcome.out().lines().toList();
        assertThat(lines.get(lines.size() - 2))
                .isEqualTo("Warning: The OpenAI-compatible server at " + down
                        + " is not answering (connection refused); batches will fail until it does.");
        assertThat(lines.getLast()).isEqualTo("Dry run: nothing was written.");
    }
}
