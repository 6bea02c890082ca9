package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} as a real process with an access token and a file journal: health answers only with the token, and
 * after a batch the metrics have moved by exactly what the batch did.
 */
class ServeOperationsTest {

    private static final String TOKEN = "a7c1e9f3b5d2468097531bdf";
    private static final String CANVAS = "Biology/Cell Biology.canvas";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process process : started) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void withATokenHealthAndMetricsAnswerOnlyTheOperatorAndMetricsFollowABatch() throws Exception {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("vault"));
        int port = freePort();
        serve(port, "--vault", vault.toString(), "--data", temp.resolve("data").toString(), "--token", TOKEN);

        assertThat(send("GET", port, "/health/ready", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", port, "/metrics", null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> ready = send("GET", port, "/health/ready", null, TOKEN);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body())
                .contains("\"name\":\"journal\",\"status\":\"UP\"")
                .contains("\"name\":\"executor\",\"status\":\"UP\"");
        String before = metrics(port);
        assertThat(sum(before, "canvasbatch_nodes_succeeded_total")).isZero();
        assertThat(sum(before, "canvasbatch_sessions{state=\"completed\"}")).isZero();

        JsonObject analysis =
                json(send("POST", port, "/canvas/intelligent-parallel", "{\"canvas_path\":\"" + CANVAS + "\"}", TOKEN));
        String session = analysis.getString("session_id");
        int nodes = analysis.getInt("total_nodes");
        assertThat(analysis.getInt("total_estimated_time_seconds"))
                .as("the offline agent writes a note in a moment: a second a round, not a model's 20 s (\"4分钟\" was"
                        + " shown for a batch done in one)")
                .isEqualTo((nodes + 11) / 12);
        TestSocket withoutToken = TestSocket.connect("ws://127.0.0.1:" + port + "/ws/intelligent-parallel/" + session);
        assertThat(withoutToken.awaitEnd(PATIENCE))
                .as("the session's socket is guarded")
                .isEqualTo(4401);
        TestSocket socket = TestSocket.connect(
                "ws://127.0.0.1:" + port + "/ws/intelligent-parallel/" + session + "?token=" + TOKEN);
        socket.await(m -> m.getString("type").equals("snapshot"), PATIENCE);
        assertThat(sum(metrics(port), "canvasbatch_websocket_connections")).isEqualTo(1);
        assertThat(send(
                                "POST",
                                port,
                                "/canvas/intelligent-parallel/confirm",
                                "{\"session_id\":\"" + session + "\"}",
                                TOKEN)
                        .statusCode())
                .isEqualTo(202);
        socket.await(m -> m.getString("type").equals("session_completed"), PATIENCE);
        assertThat(socket.awaitEnd(PATIENCE)).isEqualTo(1000);

        String after = metrics(port);
        assertThat(nodes).isPositive();
        assertThat(sum(after, "canvasbatch_nodes_succeeded_total")).isEqualTo(nodes);
        assertThat(sum(after, "canvasbatch_journal_events_appended_total{type=\"TaskSucceeded\"}"))
                .isEqualTo(nodes);
        assertThat(sum(after, "canvasbatch_sessions{state=\"completed\"}")).isEqualTo(1);
        assertThat(sum(after, "canvasbatch_sessions_finished_total{state=\"completed\"}"))
                .isEqualTo(1);
        assertThat(sum(after, "canvasbatch_agent_call_seconds_count")).isEqualTo(nodes);
        assertThat(after)
                .contains("canvasbatch_agent_call_seconds_bucket{agent=\"")
                .contains("model=\"offline\",outcome=\"success\",le=\"+Inf\",}");
        assertThat(sum(after, "canvasbatch_journal_fsync_seconds_count"))
                .as("every append was synced")
                .isPositive();
        assertThat(sum(after, "canvasbatch_websocket_events_sent_total")).isGreaterThan(nodes);
        assertThat(sum(after, "canvasbatch_nodes_queued")).isZero();
        assertThat(sum(after, "canvasbatch_nodes_failed_total")).isZero();
        assertThat(send("GET", port, "/openapi.yaml?token=" + TOKEN, null, null).body())
                .startsWith("openapi: 3.1.0");
        assertThat(Files.readString(temp.resolve("serve.log")))
                .as("one line per meaningful event: not Helidon's note that our logging is not its own")
                .doesNotContain("no Helidon logging implementation");
    }

    @Test
    void listeningBeyondLoopbackWithoutATokenDoesNotStart() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = Main.run(
                List.of("serve", "--host", "0.0.0.0", "--port", "0", "--data", "memory"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("needs an access token")
                .contains("--token or CANVASBATCH_TOKEN");
    }

    /** The sum of every sample whose series starts with {@code series} (a name, or a name with labels). */
    private static double sum(String scrape, String series) {
        String withLabels = series.endsWith("}") ? series.substring(0, series.length() - 1) : series;
        double total = 0;
        for (String line : scrape.lines().toList()) {
            if (line.startsWith("#")) {
                continue;
            }
            String name = line.substring(0, line.lastIndexOf(' '));
            boolean matches = series.endsWith("}")
                    ? name.startsWith(withLabels)
                    : name.equals(series) || name.startsWith(series + "{");
            if (matches) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private String metrics(int port) throws Exception {
        HttpResponse<String> answer = send("GET", port, "/metrics", null, TOKEN);
        assertThat(answer.statusCode()).isEqualTo(200);
        return answer.body();
    }

    private HttpResponse<String> send(String method, int port, String path, String body, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(PATIENCE)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isBetween(200, 299);
        return Json.createReader(new StringReader(answer.body())).readObject();
    }

    private void serve(int port, String... options) throws Exception {
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(
                javaBinary,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "serve",
                "--port",
                String.valueOf(port)));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(process);
        CountDownLatch ready = new CountDownLatch(1);
        Path log = temp.resolve("serve.log");
        Thread.ofVirtual().start(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    Files.writeString(
                            log,
                            line + System.lineSeparator(),
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    if (line.startsWith("canvas-batch serving")) {
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        if (!ready.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not start: " + (Files.exists(log) ? Files.readString(log) : ""));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
