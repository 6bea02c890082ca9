package org.canvasbatch.adapters.http.ops;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an operator reads off a running server: {@code /health} (with {@code /health/live} and {@code /health/ready}),
 * {@code /metrics} in the Prometheus text format, and the API documents {@code /openapi.yaml} and
 * {@code /asyncapi.yaml}. Register it as a server extension's routes ({@code ServerExtension.routes(ops::register)}),
 * so that these paths get the same CORS, path canonicalisation and access-token rule as the API.
 *
 * <p>Live means the process answers HTTP at all; ready means it can take a batch now: every readiness check is UP.
 * {@code /health} is the readiness answer with the liveness checks included. A DOWN answer is 503 and also carries the
 * API's error envelope fields, since every non-2xx of this server does.
 */
public final class OperationsRoutes {

    /** Where the API documents live in the jar; the build copies them there from {@code docs/}. */
    public static final String DOCUMENTS = "org/canvasbatch/adapters/http/ops/api/";

    public static final List<String> DOCUMENT_NAMES = List.of("openapi.yaml", "asyncapi.yaml");
    /** Every path these routes answer (GET only). */
    public static final List<String> PATHS =
            List.of("/health", "/health/live", "/health/ready", "/metrics", "/openapi.yaml", "/asyncapi.yaml");

    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

    private final MetricsRegistry metrics;
    private final List<HealthCheck> liveness;
    private final List<HealthCheck> readiness;
    private final Map<String, byte[]> documents;

    /**
     * @param liveness  checks that say the process itself is sound (answering is already one)
     * @param readiness checks that say it can do work now (journal writable, executor running)
     */
    public OperationsRoutes(MetricsRegistry metrics, List<HealthCheck> liveness, List<HealthCheck> readiness) {
        this.metrics = metrics;
        this.liveness = List.copyOf(liveness);
        this.readiness = List.copyOf(readiness);
        this.documents = loadDocuments();
    }

    public HttpRouting.Builder register(HttpRouting.Builder routing) {
        routing.get("/health", (req, res) -> health(res, all()));
        routing.get("/health/live", (req, res) -> health(res, liveness));
        routing.get("/health/ready", (req, res) -> health(res, readiness));
        routing.get("/metrics", this::metrics);
        for (String name : DOCUMENT_NAMES) {
            routing.get("/" + name, document(name));
        }
        for (String path : PATHS) {
            routing.any(path, OperationsRoutes::notAllowed);
        }
        return routing;
    }

    private List<HealthCheck> all() {
        List<HealthCheck> checks = new ArrayList<>(liveness);
        checks.addAll(readiness);
        return checks;
    }

    private static void health(ServerResponse response, List<HealthCheck> checks) {
        boolean up = true;
        JsonArrayBuilder results = JSON.createArrayBuilder();
        List<String> down = new ArrayList<>();
        List<String> downNames = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            HealthCheck.Result result =
                    checks.get(i).guarded("check " + (i + 1)).check();
            up &= result.up();
            if (!result.up()) {
                down.add(result.name() + " (" + result.detail() + ")");
                downNames.add(result.name());
            }
            results.add(JSON.createObjectBuilder()
                    .add("name", result.name())
                    .add("status", result.up() ? "UP" : "DOWN")
                    .add("detail", result.detail()));
        }
        JsonObjectBuilder body =
                JSON.createObjectBuilder().add("status", up ? "UP" : "DOWN").add("checks", results);
        if (!up) {
            JsonObject inner = JSON.createObjectBuilder()
                    .add("error", "ServiceUnavailableError")
                    .add("message", "The server is not ready: " + String.join("; ", down))
                    .add("details", JSON.createObjectBuilder().add("down", JSON.createArrayBuilder(downNames)))
                    .build();
            inner.forEach(body::add);
            body.add("detail", inner).add("status_code", 503);
        }
        response.status(up ? 200 : 503);
        response.header(HeaderValues.CACHE_NO_CACHE);
        response.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        response.send(body.build().toString().getBytes(StandardCharsets.UTF_8));
    }

    private void metrics(ServerRequest request, ServerResponse response) {
        response.header(HeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT);
        response.header(HeaderValues.CACHE_NO_CACHE);
        response.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private Handler document(String name) {
        byte[] bytes = documents.get(name);
        return (request, response) -> {
            // RFC 9512; browsers show it as text rather than offering a download
            response.header(HeaderNames.CONTENT_TYPE, "application/yaml; charset=utf-8");
            response.send(bytes);
        };
    }

    private static void notAllowed(ServerRequest request, ServerResponse response) {
        JsonObject inner = JSON.createObjectBuilder()
                .add("error", "MethodNotAllowedError")
                .add(
                        "message",
                        request.prologue().method().text() + " "
                                + request.path().path() + " is not supported; use GET")
                .add(
                        "details",
                        JSON.createObjectBuilder()
                                .add("method", request.prologue().method().text())
                                .add("allowed", "GET"))
                .build();
        response.status(405);
        response.header(HeaderNames.ALLOW, "GET, OPTIONS");
        response.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        response.send(JSON.createObjectBuilder(inner)
                .add("detail", inner)
                .add("status_code", 405)
                .build()
                .toString()
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The documents as the build put them into the jar; a jar without them is a broken build, said at start. */
    static Map<String, byte[]> loadDocuments() {
        Map<String, byte[]> loaded = new java.util.HashMap<>();
        for (String name : DOCUMENT_NAMES) {
            try (InputStream in = OperationsRoutes.class.getClassLoader().getResourceAsStream(DOCUMENTS + name)) {
                if (in == null) {
                    throw new IllegalStateException(
                            "the jar lacks " + DOCUMENTS + name + "; the build copies it from docs/" + name);
                }
                loaded.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + DOCUMENTS + name, e);
            }
        }
        return Map.copyOf(loaded);
    }
}
