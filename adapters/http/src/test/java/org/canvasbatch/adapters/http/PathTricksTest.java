package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.adapters.http.ApiHarness.nodesJson;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.canvasbatch.adapters.http.RawHttp.Response;
import org.canvasbatch.adapters.http.dashboard.DashboardExtension;
import org.canvasbatch.adapters.http.ops.AccessToken;
import org.canvasbatch.adapters.http.ops.Operations;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With an access token, no spelling of a path reaches a guarded route without it: {@code curl --path-as-is} sends dot
 * segments, encoded dots and slashes, backslashes and path parameters exactly as typed, and the router must not turn a
 * path the token check took for the dashboard's into the API's. Every route of the server is tried: REST, the events
 * history, metrics, health, the API documents and the WebSocket upgrade.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathTricksTest {

    private static final String TOKEN = "c0ffee00deadbeef12345678";
    private static final String ANALYZE = "/canvas/intelligent-parallel";

    private final AccessToken token = AccessToken.of(TOKEN);
    private final ApiHarness api = new ApiHarness(core -> {
        ServerSettings base = ServerSettings.onPort(0).withAccessToken(token);
        SessionSocketChannel sockets = new SessionSocketChannel(core.useCases(), WsSettings.DEFAULT);
        return base.withExtension(sockets.asServerExtension(base))
                .withExtension(new DashboardExtension())
                .withExtension(new Operations(Operations.meterRegistry(), List.of()));
    });
    private String session;

    @BeforeAll
    void analyzeOneSession() {
        api.canvas("a.canvas", nodesJson("p1", "什么是秘密"));
        Response analyzed = RawHttp.send(
                api.server.port(),
                "POST " + ANALYZE + " HTTP/1.1",
                "Host: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n",
                ("{\"canvas_path\":\"a.canvas\",\"nodes\":" + nodesJson("p1", "什么是秘密") + "}")
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(analyzed.status()).as(analyzed.toString()).isEqualTo(200);
        session = analyzed.json().getString("session_id");
    }

    @AfterAll
    void stop() {
        api.close();
    }

    /** Every route, as method and path without the leading slash; {session} is filled in. */
    static Stream<Arguments> routes() {
        return Stream.of(
                Arguments.of("GET", "canvas/intelligent-parallel"),
                Arguments.of("POST", "canvas/intelligent-parallel"),
                Arguments.of("GET", "canvas/intelligent-parallel/{session}"),
                Arguments.of("GET", "canvas/intelligent-parallel/status/{session}"),
                Arguments.of("GET", "canvas/intelligent-parallel/{session}/events"),
                Arguments.of("POST", "canvas/intelligent-parallel/confirm"),
                Arguments.of("POST", "canvas/intelligent-parallel/cancel/{session}"),
                Arguments.of("POST", "canvas/single-agent"),
                Arguments.of("GET", "api/v1/canvas/intelligent-parallel"),
                Arguments.of("GET", "metrics"),
                Arguments.of("GET", "health"),
                Arguments.of("GET", "health/ready"),
                Arguments.of("GET", "openapi.yaml"),
                Arguments.of("GET", "asyncapi.yaml"),
                Arguments.of("UPGRADE", "ws/intelligent-parallel/{session}"),
                Arguments.of("UPGRADE", "api/v1/ws/intelligent-parallel/{session}"));
    }

    /** The same route reached from the dashboard's public folder in every spelling a router might undo. */
    private static List<String> tricks(String route) {
        List<String> tricks = new ArrayList<>();
        for (String prefix : List.of(
                "/dashboard/../",
                "/dashboard/%2e%2e/",
                "/dashboard/%2E%2E/",
                "/dashboard/.%2e/",
                "/dashboard/app.js/../../",
                "/dashboard/./../",
                "/dashboard/..;/",
                "/dashboard;x/../",
                "/dashboard%2f..%2f",
                "/dashboard%2F..%2F",
                "/dashboard\\..\\",
                "/dashboard%5c..%5c",
                "/dashboard/..%2f",
                "/./",
                "/%2e/",
                "/dashboard/%2e%2e//")) {
            tricks.add(prefix + route);
        }
        tricks.add("/" + route.replace("/", "%2F"));
        tricks.add("/" + route.replace("/", "\\"));
        tricks.add("/" + route.replace("/", "/./"));
        return tricks;
    }

    private Response request(String method, String path) {
        int port = api.server.port();
        return switch (method) {
            case "UPGRADE" ->
                RawHttp.get(
                        port,
                        path,
                        "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
            case "POST" ->
                RawHttp.send(
                        port,
                        "POST " + path + " HTTP/1.1",
                        "Host: 127.0.0.1\r\nContent-Type: application/json\r\n",
                        ("{\"session_id\":\"" + session + "\",\"canvas_path\":\"a.canvas\",\"node_id\":\"p1\","
                                        + "\"nodes\":" + nodesJson("q1", "什么是秘密") + "}")
                                .getBytes(StandardCharsets.UTF_8));
            default -> RawHttp.get(port, path, "Host: 127.0.0.1\r\n");
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("routes")
    void noSpellingOfAGuardedRouteIsServedWithoutTheToken(String method, String route) {
        String concrete = route.replace("{session}", session);
        List<String> served = new ArrayList<>();
        for (String path : tricks(concrete)) {
            Response response = request(method, path);
            boolean refused = response.status() == 400 || response.status() == 401 || response.status() == 404;
            if (!refused
                    || response.body().contains("\"canvas_path\"")
                    || response.body().contains("什么是秘密")
                    || response.body().contains("# TYPE")
                    || response.body().contains("openapi:")) {
                served.add(method + " " + path + " -> " + response.status());
            }
        }
        assertThat(served).as("served without the token").isEmpty();
    }

    @Test
    void aRefusedPathIsA400EnvelopeThatSaysWhy() {
        Response dots = request("GET", "/dashboard/../canvas/intelligent-parallel");
        Response encoded = request("GET", "/dashboard%2F..%2Fmetrics");

        assertThat(dots.status()).isEqualTo(400);
        assertThat(dots.json().getString("error")).isEqualTo("BadRequestError");
        assertThat(dots.json().getString("message")).contains("'..' segment");
        assertThat(encoded.status()).isEqualTo(400);
        assertThat(encoded.json().getString("message")).contains("encoded '/'");
    }

    @Test
    void withTheTokenTheToleratedSpellingsStillWork() {
        String auth = "Host: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN + "\r\n";
        int port = api.server.port();

        assertThat(RawHttp.get(port, "//canvas//intelligent-parallel/", auth).status())
                .isEqualTo(200);
        assertThat(RawHttp.get(port, "/canvas/intelligent-parallel/" + session + "/", auth)
                        .status())
                .isEqualTo(200);
        assertThat(RawHttp.get(port, "//metrics", auth).status()).isEqualTo(200);
        assertThat(RawHttp.get(port, "/dashboard/app.js", "Host: 127.0.0.1\r\n").status())
                .as("the dashboard's files stay public")
                .isEqualTo(200);
        assertThat(RawHttp.get(port, "/dashboard/..%2fapp.js", "Host: 127.0.0.1\r\n")
                        .status())
                .isEqualTo(400);
    }
}
