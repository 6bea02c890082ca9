package org.canvasbatch.adapters.http.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webserver.WebServer;
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

class OperationsRoutesTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final LocalTaskExecutor executor = new LocalTaskExecutor(4);
    private final AtomicBoolean journalWritable = new AtomicBoolean(true);
    private final MetricsRegistry metrics = new MetricsRegistry();
    private WebServer server;

    @AfterEach
    void stop() {
        server.stop();
        executor.shutdown(Duration.ofSeconds(1));
    }

    private void start() {
        HealthCheck journal = () -> journalWritable.get()
                ? HealthCheck.Result.up("journal", "writable")
                : HealthCheck.Result.down("journal", "cannot write to /data: read-only file system");
        OperationsRoutes routes = new OperationsRoutes(
                metrics,
                List.of(() -> HealthCheck.Result.up("process", "answering")),
                List.of(journal, HealthCheck.executor(executor, Duration.ofSeconds(2))));
        HttpRouting.Builder routing = HttpRouting.builder();
        routes.register(routing);
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .shutdownHook(false)
                .routing(routing)
                .build()
                .start();
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
        assertThat(all.containsKey("error")).as("no envelope when all is well").isFalse();
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
        assertThat(body.getString("error")).isEqualTo("ServiceUnavailableError");
        assertThat(body.getString("message")).contains("journal").contains("read-only file system");
        assertThat(body.getJsonObject("detail").getString("message")).isEqualTo(body.getString("message"));
        assertThat(body.getJsonObject("details").getJsonArray("down").getString(0))
                .isEqualTo("journal");

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
        JsonObject executorCheck = json(ready).getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                .filter(c -> c.getString("name").equals("executor"))
                .findFirst()
                .orElseThrow();
        assertThat(executorCheck.getString("status")).isEqualTo("DOWN");
        assertThat(executorCheck.getString("detail")).contains("shut down");
    }

    @Test
    void aCheckThatThrowsIsReportedDownInsteadOfFailingTheRequest() throws Exception {
        HealthCheck broken = () -> {
            throw new IllegalStateException("probe exploded");
        };
        OperationsRoutes routes = new OperationsRoutes(metrics, List.of(), List.of(broken));
        HttpRouting.Builder routing = HttpRouting.builder();
        routes.register(routing);
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .shutdownHook(false)
                .routing(routing)
                .build()
                .start();

        HttpResponse<String> ready = get("/health/ready");

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("probe exploded");
    }

    @Test
    void metricsAreServedInThePrometheusTextFormat() throws Exception {
        metrics.counter("canvasbatch_nodes_succeeded_total", "Nodes.", "agent").inc("memory-anchor");
        start();

        HttpResponse<String> answer = get("/metrics");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type").orElse(""))
                .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(answer.body()).contains("canvasbatch_nodes_succeeded_total{agent=\"memory-anchor\"} 1\n");
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
