package org.canvasbatch.adapters.http.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.health.HealthCheck;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Health and metrics as an operator's tools read them, from Helidon's observe feature on a real server. */
class OperationsTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final LocalTaskExecutor executor = new LocalTaskExecutor(4);
    private final AtomicBoolean journalWritable = new AtomicBoolean(true);
    private final MeterRegistry metrics = Operations.meterRegistry();
    private WebServer server;

    @AfterEach
    void stop() {
        server.stop();
        executor.shutdown(Duration.ofSeconds(1));
    }

    private void start() {
        HealthCheck journal = Operations.readiness(
                "journal",
                () -> journalWritable.get()
                        ? Operations.up("writable")
                        : Operations.down("cannot write to /data: read-only file system"));
        start(new Operations(metrics, List.of(journal, Operations.executor(executor, Duration.ofSeconds(2)))));
    }

    private void start(Operations operations) {
        WebServerConfig.Builder config = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .shutdownHook(false)
                .featuresDiscoverServices(false);
        operations.configure(config);
        HttpRouting.Builder routing = HttpRouting.builder();
        operations.route(routing);
        server = config.routing(routing).build().start();
    }

    @Test
    void aHealthyServerIsUpEverywhere() throws Exception {
        start();

        for (String path : List.of("/health", "/health/live", "/health/ready")) {
            HttpResponse<String> answer = get(path);
            assertThat(answer.statusCode()).as(path).isEqualTo(200);
            assertThat(json(answer).getString("status")).isEqualTo("UP");
        }
        JsonObject all = json(get("/health"));
        assertThat(all.getJsonArray("checks").getValuesAs(JsonObject.class))
                .extracting(c -> c.getString("name") + " " + c.getString("status"))
                .containsExactly("process UP", "journal UP", "executor UP");
        assertThat(all.getJsonArray("checks")
                        .getJsonObject(1)
                        .getJsonObject("data")
                        .getString("detail"))
                .isEqualTo("writable");
    }

    @Test
    void aJournalThatCannotBeWrittenMakesTheServerNotReadyButStillAlive() throws Exception {
        start();
        journalWritable.set(false);

        HttpResponse<String> ready = get("/health/ready");
        HttpResponse<String> all = get("/health");

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(all.statusCode()).isEqualTo(503);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        JsonObject body = json(ready);
        assertThat(body.getString("status")).isEqualTo("DOWN");
        JsonObject journal = check(body, "journal");
        assertThat(journal.getString("status")).isEqualTo("DOWN");
        assertThat(journal.getJsonObject("data").getString("detail")).contains("read-only file system");

        journalWritable.set(true);
        assertThat(get("/health/ready").statusCode())
                .as("ready again once it is fixed")
                .isEqualTo(200);
    }

    @Test
    void anExecutorThatWasShutDownIsDown() throws Exception {
        start();
        executor.shutdown(Duration.ZERO);

        HttpResponse<String> ready = get("/health/ready");

        assertThat(ready.statusCode()).isEqualTo(503);
        JsonObject executorCheck = check(json(ready), "executor");
        assertThat(executorCheck.getString("status")).isEqualTo("DOWN");
        assertThat(executorCheck.getJsonObject("data").getString("detail")).contains("shut down");
    }

    @Test
    void aCheckThatThrowsIsReportedDownInsteadOfFailingTheRequest() throws Exception {
        HealthCheck broken = Operations.readiness("broken", () -> {
            throw new IllegalStateException("probe exploded");
        });
        start(new Operations(metrics, List.of(broken)));

        HttpResponse<String> ready = get("/health/ready");

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("probe exploded");
    }

    @Test
    void metricsAreServedInThePrometheusTextFormat() throws Exception {
        metrics.getOrCreate(Counter.builder("canvasbatch_test_nodes_total")
                        .description("Nodes.")
                        .tags(List.of(Tag.create("agent", "memory-anchor"))))
                .increment();
        start();

        HttpResponse<String> answer = get("/metrics");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(answer.body())
                .contains("# TYPE canvasbatch_test_nodes_total counter\n")
                .as("no scope label of Helidon's")
                .contains("canvasbatch_test_nodes_total{agent=\"memory-anchor\",} 1.0\n");
    }

    @Test
    void onlyGetIsAllowed() throws Exception {
        start();

        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(uri("/metrics"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(405);
        assertThat(answer.headers().firstValue("Allow").orElse("")).contains("GET");
        assertThat(answer.body()).contains("MethodNotAllowedError");
    }

    private static JsonObject check(JsonObject health, String name) {
        return health.getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                .filter(c -> c.getString("name").equals(name))
                .findFirst()
                .orElseThrow();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static JsonObject json(HttpResponse<String> answer) {
        try (var reader = Json.createReader(new StringReader(answer.body()))) {
            return reader.readObject();
        }
    }
}
