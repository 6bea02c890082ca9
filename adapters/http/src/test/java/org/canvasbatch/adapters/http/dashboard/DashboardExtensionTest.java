package org.canvasbatch.adapters.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.http.CanvasBatchServer;
import org.canvasbatch.adapters.http.ServerSettings;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.CapturedLogs;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dashboard as a browser fetches it: from a real server on a free port, beside the REST API. */
class DashboardExtensionTest {

    private final LocalTaskExecutor executor = new LocalTaskExecutor(8);
    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    new InMemoryEventLog(),
                    new ScriptedAgent(),
                    new InMemoryVault(),
                    executor,
                    Instant::now,
                    () -> new SessionId(UUID.randomUUID().toString()),
                    new SplittableRandom(7)),
            CoreSettings.DEFAULT);
    private final CanvasBatchServer server = new CanvasBatchServer(
                    core.useCases(), ServerSettings.onPort(0).withExtension(new DashboardExtension()))
            .start();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        server.stop();
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void thePageIsServedAtTheRootAndUnderDashboardAsUncachedUtf8Html() {
        for (String path : List.of("/", "/dashboard", "/dashboard/")) {
            HttpResponse<String> page = get(path);

            assertThat(page.statusCode()).as(path).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).as(path).hasValue("text/html; charset=utf-8");
            assertThat(page.headers().firstValue("Cache-Control")).as(path).hasValue("no-cache");
            assertThat(page.body())
                    .as(path)
                    .contains("<title>canvas-batch dashboard</title>")
                    .contains("src=\"/dashboard/app.js\"");
        }
    }

    @Test
    void eachAssetIsServedWithItsOwnContentTypeAndTheBytesShippedInTheJar() {
        record Expected(String name, String type) {}
        for (Expected asset : List.of(
                new Expected("app.js", "text/javascript; charset=utf-8"),
                new Expected("style.css", "text/css; charset=utf-8"),
                new Expected("favicon.svg", "image/svg+xml"),
                new Expected("index.html", "text/html; charset=utf-8"))) {
            HttpResponse<byte[]> answer = getBytes("/dashboard/" + asset.name());

            assertThat(answer.statusCode()).as(asset.name()).isEqualTo(200);
            assertThat(answer.headers().firstValue("Content-Type"))
                    .as(asset.name())
                    .hasValue(asset.type());
            assertThat(answer.headers().firstValue("Cache-Control"))
                    .as(asset.name())
                    .hasValue("no-cache");
            assertThat(answer.headers().firstValue("X-Content-Type-Options"))
                    .as(asset.name())
                    .hasValue("nosniff");
            assertThat(answer.body()).as(asset.name()).isEqualTo(resource(asset.name()));
        }
    }

    @Test
    void aBrowserRevalidatingAnUnchangedFileGetsA304WithoutABody() {
        HttpResponse<String> first = get("/dashboard/app.js");
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> again = send(HttpRequest.newBuilder(uri("/dashboard/app.js"))
                .header("If-None-Match", etag)
                .GET());

        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    /**
     * A reload of the page revalidates each file on the browser's kept-alive connection: the 304 is the whole answer,
     * the connection serves the next request, and nothing is logged. The revalidation was once handled as an error: an
     * error envelope for a 304, which Helidon refused with a SEVERE "Please fix your routing" line, three log lines for
     * every file of every reload.
     */
    @Test
    void aRevalidationIsAnswered304WithoutALogLineAndTheConnectionServesTheNextRequest() throws IOException {
        String etag = get("/dashboard/favicon.svg").headers().firstValue("ETag").orElseThrow();
        try (CapturedLogs helidon = CapturedLogs.of("io.helidon");
                CapturedLogs ours = CapturedLogs.of("org.canvasbatch");
                java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            var in = new java.io.BufferedInputStream(socket.getInputStream());
            String host = "Host: 127.0.0.1:" + server.port() + "\r\n";
            out.write(("GET /dashboard/favicon.svg HTTP/1.1\r\n" + host + "If-None-Match: " + etag + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            String revalidated = head(in);
            assertThat(revalidated).startsWith("HTTP/1.1 304 ");
            assertThat(revalidated.toLowerCase(java.util.Locale.ROOT))
                    .as("a 304 has no body: no length, no type of one")
                    .doesNotContain("connection: close")
                    .contains("etag: " + etag.toLowerCase(java.util.Locale.ROOT));

            out.write(("GET /dashboard/app.js HTTP/1.1\r\n" + host + "\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            assertThat(head(in))
                    .as("the next request on the same connection, right after the 304's head")
                    .startsWith("HTTP/1.1 200 ");
            assertThat(helidon.visibleLines()).as("Helidon's log").isEmpty();
            assertThat(ours.visibleLines()).as("the server's log").isEmpty();
        }
    }

    /** The status line and headers of one response, up to the empty line. */
    private static String head(java.io.InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int next = in.read();
            if (next < 0) {
                break;
            }
            head.append((char) next);
        }
        return head.toString();
    }

    @Test
    void everyFileThePageLoadsIsThere() {
        String page = get("/").body();
        Matcher references = Pattern.compile("(?:src|href)=\"(/[^\"]*)\"").matcher(page);
        int found = 0;
        while (references.find()) {
            found++;
            assertThat(get(references.group(1)).statusCode())
                    .as(references.group(1))
                    .isEqualTo(200);
        }
        assertThat(found).as("files referenced by the page").isGreaterThanOrEqualTo(3);
    }

    @Test
    void thePageRunsNoInlineScriptAndSaysSoInItsContentSecurityPolicy() {
        HttpResponse<String> page = get("/");

        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(policy ->
                        assertThat(policy).contains("script-src 'self'").doesNotContain("unsafe-inline"));
        assertThat(Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>")
                        .matcher(page.body())
                        .find())
                .isFalse();
        assertThat(page.body()).doesNotContain(" onclick=").doesNotContain(" onload=");
    }

    @Test
    void anUnknownFileIsA404WithTheApiErrorEnvelope() {
        for (String path :
                List.of("/dashboard/missing.js", "/dashboard/DashboardExtension.class", "/dashboard/scripts/app.js")) {
            HttpResponse<String> answer = get(path);

            assertThat(answer.statusCode()).as(path).isEqualTo(404);
            assertThat(answer.headers().firstValue("Content-Type"))
                    .as(path)
                    .hasValue("application/json; charset=utf-8");
            JsonObject envelope = json(answer.body());
            assertThat(envelope.getString("error")).as(path).isEqualTo("NotFoundError");
            assertThat(envelope.getString("message")).as(path).isNotBlank();
            assertThat(envelope.getJsonObject("detail").getString("message")).isEqualTo(envelope.getString("message"));
            assertThat(envelope.getJsonObject("details")).isNotNull();
        }
    }

    @Test
    void postingToThePageIsRefusedWith405() {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/")).POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(answer.statusCode()).isEqualTo(405);
        assertThat(json(answer.body()).getString("error")).isEqualTo("MethodNotAllowedError");
        assertThat(answer.headers().firstValue("Allow"))
                .hasValueSatisfying(allow -> assertThat(allow).contains("GET"));
    }

    @Test
    void theApiStillAnswersBesideTheDashboard() {
        HttpResponse<String> list = get("/canvas/intelligent-parallel");
        HttpResponse<String> unknown = get("/no/such/thing");

        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json(list.body()).getJsonArray("sessions")).isEmpty();
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown.body()).getString("error")).isEqualTo("NotFoundError");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<byte[]> getBytes(String path) {
        try {
            return http.send(
                    HttpRequest.newBuilder(uri(path))
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = DashboardExtension.class.getResourceAsStream("files/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonObject json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }
}
