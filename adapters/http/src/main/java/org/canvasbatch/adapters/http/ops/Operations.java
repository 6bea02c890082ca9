package org.canvasbatch.adapters.http.ops;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.http.HeaderNames;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.api.ScopingConfig;
import io.helidon.metrics.api.SystemTagsManager;
import io.helidon.service.registry.Services;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.canvasbatch.adapters.http.ServerExtension;
import org.canvasbatch.adapters.http.wire.ErrorEnvelope;
import org.canvasbatch.adapters.http.wire.JsonValues;
import org.canvasbatch.application.port.out.TaskExecutor;

/**
 * What an operator reads off a running server: {@code /health}, {@code /health/live} and {@code /health/ready} and
 * {@code /metrics} (Prometheus text), both served by Helidon's observe feature, and the API documents
 * {@code /openapi.yaml} and {@code /asyncapi.yaml}. Attached as a server extension, so these paths get the same edge
 * rules (host, path canonicalisation, CORS, access token) as the API.
 *
 * <p>Live means the process answers HTTP at all; ready means it can take a batch now: every readiness check is UP.
 * {@code /health} holds both kinds. A DOWN answer is 503.
 */
public final class Operations implements ServerExtension {

    /** Where the API documents live in the jar; the build copies them there from {@code docs/}. */
    public static final String DOCUMENTS = "org/canvasbatch/adapters/http/ops/api/";

    public static final List<String> DOCUMENT_NAMES = List.of("openapi.yaml", "asyncapi.yaml");
    /** Every documented path these routes answer (GET only). */
    public static final List<String> PATHS =
            List.of("/health", "/health/live", "/health/ready", "/metrics", "/openapi.yaml", "/asyncapi.yaml");

    /**
     * Helidon tags every meter with {@code scope="application"} unless told otherwise; our series never had that label
     * and queries written against them should keep working.
     */
    private static final MetricsConfig METRICS_CONFIG = MetricsConfig.builder()
            .scoping(ScopingConfig.builder().clearTagName().clearDefaultValue().build())
            .build();
    /** Above the API's routes (100), so its "no such endpoint" fallback does not answer these paths first. */
    private static final double OBSERVE_WEIGHT = 150;

    private final MeterRegistry metrics;
    private final List<HealthCheck> checks;
    private final List<byte[]> documents;

    /**
     * @param metrics   the registry {@code /metrics} shows (see {@link #meterRegistry()})
     * @param readiness checks that say the server can do work now (journal writable, executor running); a liveness
     *                  check that the process answers is added
     */
    public Operations(MeterRegistry metrics, List<HealthCheck> readiness) {
        long started = System.nanoTime();
        this.metrics = metrics;
        this.checks = new ArrayList<>();
        checks.add(check(
                "process",
                HealthCheckType.LIVENESS,
                () -> up("answering for " + Math.round((System.nanoTime() - started) / 1e9) + " s")));
        checks.addAll(readiness);
        this.documents = DOCUMENT_NAMES.stream().map(Operations::document).toList();
    }

    /**
     * The process's meter registry, as {@code /metrics} shows it. Helidon keeps one per process: meters registered
     * twice under the same name and labels are the same meter.
     */
    public static synchronized MeterRegistry meterRegistry() {
        MeterRegistry registry = Services.get(MeterRegistry.class);
        // after the registry, whose creation installs Helidon's default tags
        SystemTagsManager.instance(METRICS_CONFIG);
        return registry;
    }

    /** A readiness check that reports an exception as DOWN with its message, not as a failed request. */
    public static HealthCheck readiness(String name, Supplier<HealthCheckResponse> probe) {
        return check(name, HealthCheckType.READINESS, probe);
    }

    public static HealthCheckResponse up(String detail) {
        return HealthCheckResponse.builder()
                .status(true)
                .detail("detail", detail)
                .build();
    }

    public static HealthCheckResponse down(String detail) {
        return HealthCheckResponse.builder()
                .status(false)
                .detail("detail", detail)
                .build();
    }

    /**
     * The executor runs work: a no-op scheduled on it must run within {@code patience}. An executor that was shut down
     * drops scheduled work, so this is DOWN from the moment shutdown starts.
     */
    public static HealthCheck executor(TaskExecutor executor, Duration patience) {
        return readiness("executor", () -> {
            CountDownLatch ran = new CountDownLatch(1);
            long started = System.nanoTime();
            executor.schedule(Duration.ZERO, ran::countDown);
            try {
                if (ran.await(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                    return up("ran a probe task in " + (System.nanoTime() - started) / 1_000 + " µs");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return down("interrupted while waiting for the probe task");
            }
            return down("a probe task did not run within " + patience.toMillis()
                    + " ms: the executor is shut down or saturated");
        });
    }

    private static HealthCheck check(String name, HealthCheckType type, Supplier<HealthCheckResponse> probe) {
        return new HealthCheck() {
            @Override
            public HealthCheckResponse call() {
                try {
                    HealthCheckResponse response = probe.get();
                    return response == null ? down("the check gave no answer") : response;
                } catch (RuntimeException e) {
                    // Helidon would answer a throwing check with a 500; a broken probe means not ready
                    return down("the check failed: " + e);
                }
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public HealthCheckType type() {
                return type;
            }
        };
    }

    @Override
    public void configure(WebServerConfig.Builder server) {
        server.addFeature(ObserveFeature.builder()
                .observersDiscoverServices(false)
                .weight(OBSERVE_WEIGHT)
                .addObserver(MetricsObserver.builder()
                        .endpoint("/metrics")
                        .meterRegistry(metrics)
                        .metricsConfig(METRICS_CONFIG)
                        .build())
                .addObserver(HealthObserver.builder()
                        .endpoint("/health")
                        .details(true)
                        .useSystemServices(false)
                        .healthChecks(checks)
                        .build())
                .build());
    }

    @Override
    public void route(HttpRouting.Builder routing) {
        for (int i = 0; i < DOCUMENT_NAMES.size(); i++) {
            byte[] bytes = documents.get(i);
            routing.get("/" + DOCUMENT_NAMES.get(i), (request, response) -> {
                // RFC 9512; browsers show it as text rather than offering a download
                response.header(HeaderNames.CONTENT_TYPE, "application/yaml; charset=utf-8");
                response.send(bytes);
            });
        }
        // the observe feature answers GET before these; every other method gets the API's 405
        for (String path : PATHS) {
            routing.any(path, Operations::notAllowed);
        }
    }

    private static void notAllowed(ServerRequest request, ServerResponse response) {
        String method = request.prologue().method().text();
        response.header(HeaderNames.ALLOW, "GET, OPTIONS");
        ErrorEnvelope.send(
                response,
                405,
                "MethodNotAllowedError",
                method + " " + request.path().path() + " is not supported; use GET",
                JsonValues.BUILDERS.createObjectBuilder().add("method", method).add("allowed", "GET"));
    }

    /** A document as the build put it into the jar; a jar without it is a broken build, said at start. */
    private static byte[] document(String name) {
        try (InputStream in = Operations.class.getClassLoader().getResourceAsStream(DOCUMENTS + name)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the jar lacks " + DOCUMENTS + name + "; the build copies it from docs/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DOCUMENTS + name, e);
        }
    }
}
