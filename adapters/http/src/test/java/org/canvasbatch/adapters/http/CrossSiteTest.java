package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.adapters.http.ApiHarness.PLUGIN_ORIGIN;
import static org.canvasbatch.adapters.http.ApiHarness.nodesJson;

import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.canvasbatch.adapters.http.RawHttp.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Any web page the learner opens can send requests to this server on their machine. Only the plugin, the dashboard
 * and configured origins may drive it from a browser; no page may make a request that skips the browser's preflight
 * (a {@code text/plain} or form body); and no page that re-points its own name at 127.0.0.1 (DNS rebinding) gets an
 * answer. Callers without {@code Origin} (curl, the CLI, scripts) are not browsers and keep working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossSiteTest {

    private static final String ANALYZE = "/canvas/intelligent-parallel";
    private static final String EVIL = "https://evil.example";
    private static final String AUTO_EXECUTE = "{\"canvas_path\":\"a.canvas\",\"options\":{\"auto_execute\":true},"
            + "\"nodes\":" + nodesJson("x1", "什么是命题") + "}";

    private final ApiHarness api =
            new ApiHarness(ServerSettings.onPort(0).withAllowedHosts(List.of("studybox.local"))).canvases("a.canvas");

    @AfterAll
    void stop() {
        api.close();
    }

    private int sessionCount() {
        return api.get(ANALYZE, "Origin", null).json().getJsonArray("sessions").size();
    }

    @Test
    void aForeignPageCannotStartABatchWithATextPlainPostThatSkipsThePreflight() {
        int before = sessionCount();

        Answer answer = api.post(ANALYZE, AUTO_EXECUTE, "Origin", EVIL, "Content-Type", "text/plain");

        assertThat(answer.status()).as(answer.text()).isEqualTo(403);
        assertThat(answer.json().getString("error")).isEqualTo("OriginNotAllowedError");
        assertThat(answer.json().getString("message")).contains("https://evil.example", "server.cors-origins");
        assertThat(answer.allowOrigin()).as("the page may not even read why").isNull();
        assertThat(sessionCount()).isEqualTo(before);
        assertThat(api.agent.calls()).isEmpty();
    }

    @Test
    void aForeignPageIsRefusedWhateverItSendsAndOnEveryRoute() {
        for (Answer answer : List.of(
                api.post(ANALYZE, AUTO_EXECUTE, "Origin", EVIL),
                api.get(ANALYZE, "Origin", EVIL),
                api.get(ANALYZE + "/s1", "Origin", EVIL),
                api.post(ANALYZE + "/cancel/s1", null, "Origin", EVIL, "Content-Type", null),
                api.post("/canvas/single-agent", "{}", "Origin", "null"),
                api.post(ANALYZE, AUTO_EXECUTE, "Origin", "http://localhost.evil.example"))) {
            assertThat(answer.status()).as(answer.text()).isEqualTo(403);
            assertThat(answer.json().getString("error")).isEqualTo("OriginNotAllowedError");
        }
        assertThat(api.agent.calls()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""})
    void aBodyThatIsNotDeclaredJsonIs415WithTheEnvelope(String contentType) {
        int before = sessionCount();

        Answer fromPlugin = api.post(ANALYZE, AUTO_EXECUTE, "Content-Type", contentType.isEmpty() ? null : contentType);
        Answer fromScript = api.post(
                ANALYZE, AUTO_EXECUTE, "Origin", null, "Content-Type", contentType.isEmpty() ? null : contentType);

        assertThat(fromPlugin.status()).as(fromPlugin.text()).isEqualTo(415);
        BadInputTest.assertEnvelope(fromPlugin, "UnsupportedMediaTypeError");
        assertThat(fromPlugin.json().getString("message")).contains("application/json");
        assertThat(fromScript.status()).isEqualTo(415);
        assertThat(sessionCount()).isEqualTo(before);
    }

    @Test
    void jsonWithACharsetAndBodylessCallsWithAnyContentTypeAreServed() {
        Answer charset = api.post(
                ANALYZE,
                "{\"canvas_path\":\"a.canvas\",\"nodes\":" + nodesJson("c1", "什么是集合") + "}",
                "Content-Type",
                "Application/JSON; charset=utf-8");
        String id = charset.json().getString("session_id");
        Answer bodyless = api.send("POST", ANALYZE + "/pause/" + id, BodyPublishers.noBody(), "Content-Type", null);
        Answer bodylessJson = api.post(ANALYZE + "/cancel/" + id, null);

        assertThat(charset.status()).as(charset.text()).isEqualTo(200);
        assertThat(bodyless.status())
                .as("reaches the endpoint: " + bodyless.text())
                .isEqualTo(409);
        assertThat(bodylessJson.status()).as(bodylessJson.text()).isEqualTo(200);
    }

    @Test
    void callersWithoutAnOriginAreNotBrowsersAndAreServed() {
        Answer script = api.post(
                ANALYZE, "{\"canvas_path\":\"a.canvas\",\"nodes\":" + nodesJson("s1", "什么是图") + "}", "Origin", null);

        assertThat(script.status()).as(script.text()).isEqualTo(200);
        assertThat(script.allowOrigin()).isNull();
    }

    @Test
    void thePreflightOfAForeignPageGrantsNothing() {
        Answer preflight = api.send(
                "OPTIONS",
                ANALYZE,
                BodyPublishers.noBody(),
                "Origin",
                EVIL,
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "content-type");

        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.allowOrigin()).isNull();
        assertThat(preflight.header("Access-Control-Allow-Methods")).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "evil.example:8000",
                "evil.example",
                "localhost.evil.example:8000",
                "127.0.0.1.nip.io",
                "192.168.1.5:8000",
                "studybox.local.evil.example",
                "[::2]:8000"
            })
    void aRequestForAHostThisServerIsNotIsRefused403AsAfterDnsRebinding(String host) {
        String id = api.post(ANALYZE, "{\"canvas_path\":\"a.canvas\",\"nodes\":" + nodesJson("r1", "什么是树") + "}")
                .json()
                .getString("session_id");

        Response list = RawHttp.get(api.server.port(), ANALYZE, "Host: " + host + "\r\n");
        Response status = RawHttp.get(api.server.port(), ANALYZE + "/" + id, "Host: " + host + "\r\n");
        Response analyze = RawHttp.send(
                api.server.port(),
                "POST " + ANALYZE + " HTTP/1.1",
                "Host: " + host + "\r\nContent-Type: application/json\r\n",
                AUTO_EXECUTE.getBytes(StandardCharsets.UTF_8));

        for (Response response : List.of(list, status, analyze)) {
            assertThat(response.status()).as(response.toString()).isEqualTo(403);
            assertThat(response.json().getString("error")).isEqualTo("HostNotAllowedError");
            assertThat(response.json().getString("message")).contains("server.allowed-hosts");
            assertThat(response.body()).doesNotContain(id).doesNotContain("什么是树");
        }
        assertThat(api.agent.calls()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "localhost:8000",
                "localhost",
                "LOCALHOST:8000",
                "127.0.0.1",
                "127.0.0.1:8000",
                "127.1.2.3:9",
                "[::1]:8000",
                "[::1]",
                "[0:0:0:0:0:0:0:1]:8000",
                "studybox.local:8000",
                "studybox.local"
            })
    void loopbackNamesTheBoundAddressAndConfiguredNamesAreAnswered(String host) {
        Response list = RawHttp.get(api.server.port(), ANALYZE, "Host: " + host + "\r\n");

        assertThat(list.status()).as(list.toString()).isEqualTo(200);
    }

    @Test
    void aRequestWithoutAHostIsNotAnswered() {
        Response response = RawHttp.get(api.server.port(), ANALYZE, "");

        assertThat(response.status()).isBetween(400, 403);
        assertThat(response.body()).doesNotContain("sessions");
    }

    @Test
    void aWebSocketUpgradeForAForeignHostIsRefused() {
        Response upgrade = RawHttp.get(
                api.server.port(),
                "/ws/intelligent-parallel/s1",
                "Host: evil.example:8000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");

        assertThat(upgrade.status()).isEqualTo(403);
    }

    @Test
    void theServersOwnPageIsAllowedEvenWhenTheConfiguredOriginsDoNotListIt() {
        try (ApiHarness custom =
                new ApiHarness(ServerSettings.onPort(0).withAllowedOrigins(List.of("https://notes.example.org")))) {
            int port = custom.server.port();
            String own = "http://127.0.0.1:" + port;

            Answer fromOwnPage = custom.get(ANALYZE, "Origin", own);
            Answer fromAnotherPort = custom.get(ANALYZE, "Origin", "http://127.0.0.1:" + (port + 1));
            Answer fromThePlugin = custom.get(ANALYZE, "Origin", PLUGIN_ORIGIN);

            assertThat(fromOwnPage.status()).isEqualTo(200);
            assertThat(fromOwnPage.allowOrigin()).isEqualTo(own);
            assertThat(fromAnotherPort.status()).isEqualTo(403);
            assertThat(fromThePlugin.status())
                    .as("configured origins replace the defaults")
                    .isEqualTo(403);
        }
    }
}
