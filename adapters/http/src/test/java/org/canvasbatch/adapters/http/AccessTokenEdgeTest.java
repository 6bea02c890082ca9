package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.canvasbatch.adapters.http.ApiHarness.PLUGIN_ORIGIN;

import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.canvasbatch.adapters.http.dashboard.DashboardExtension;
import org.canvasbatch.adapters.http.ops.AccessToken;
import org.canvasbatch.adapters.http.ops.Operations;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** With an access token every call must present it; preflights and the dashboard's static files stay open. */
class AccessTokenEdgeTest {

    private static final String TOKEN = "f3b1c2d4e5a6978801234567";
    private static final String LIST = "/canvas/intelligent-parallel";

    private final AccessToken token = AccessToken.of(TOKEN);
    private final ApiHarness api = new ApiHarness(ServerSettings.onPort(0)
            .withAccessToken(token)
            .withExtension(ServerExtension.server(config -> config.addRouting(
                    token.guardedEndpoint(WsRouting.builder(), "/ws/echo/{id}", AccessTokenEdgeTest::greeter)
                            .endpoint("/ws/unguarded", greeter()))))
            .withExtension(new DashboardExtension())
            .withExtension(new Operations(Operations.meterRegistry(), List.of())));

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aCallWithoutTheTokenIs401WithTheEnvelopeCorsAndAChallenge() {
        Answer answer = api.get(LIST);

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.allowOrigin()).as("the plugin can read why").isEqualTo(PLUGIN_ORIGIN);
        assertThat(answer.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"canvas-batch\"");
        BadInputTest.assertEnvelope(answer, "UnauthorizedError");
        assertThat(answer.json().getString("message"))
                .contains("requires an access token")
                .doesNotContain(TOKEN);
        ApiDocuments docs = new ApiDocuments();
        var documented = docs.responseSchema(LIST, "GET", 401, "application/json");
        assertThat(docs.problems(documented, answer.json())).isEmpty();
    }

    /** HEAD needs no preflight: any web page can send it, so its refusal must not be a 500 and a stack trace. */
    @Test
    void aHeadWithoutTheTokenIs401WithoutABodyAndNoStackTrace() {
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch")) {
            Answer answer = api.send("HEAD", LIST, java.net.http.HttpRequest.BodyPublishers.noBody());

            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.text()).isEmpty();
            assertThat(logs.visibleRecords())
                    .allSatisfy(record -> assertThat(record.getThrown()).isNull())
                    .noneMatch(record -> record.getLevel().intValue() > java.util.logging.Level.INFO.intValue());
        }
    }

    @Test
    void theTokenIsTakenFromTheBearerHeaderOrTheQuery() {
        assertThat(api.get(LIST, "Authorization", "Bearer " + TOKEN).status()).isEqualTo(200);
        assertThat(api.get(LIST + "?token=" + TOKEN).status()).isEqualTo(200);
        assertThat(api.post(LIST, "{}", "Authorization", "Bearer " + TOKEN).status())
                .as("a POST gets through to validation")
                .isEqualTo(422);
    }

    @Test
    void aWrongTokenIsRefusedAndSaidToBeWrong() {
        Answer wrong = api.get(LIST, "Authorization", "Bearer " + TOKEN.substring(1));
        Answer wrongQuery = api.get(LIST + "?token=nope");

        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().getString("message")).startsWith("The access token is wrong");
        assertThat(wrongQuery.status()).isEqualTo(401);
    }

    @Test
    void everyKindOfRouteIsGuardedOperationsAndUnknownPathsToo() {
        for (String path : List.of(
                "/health",
                "/health/ready",
                "/metrics",
                "/openapi.yaml",
                LIST + "/s1",
                LIST + "/s1/events",
                "/api/v1" + LIST,
                "/no/such/path")) {
            assertThat(api.get(path).status()).as(path).isEqualTo(401);
        }
        assertThat(api.post("/canvas/single-agent", "{}").status()).isEqualTo(401);
        assertThat(api.post("/", "{}").status())
                .as("only reading the page is open")
                .isEqualTo(401);
    }

    /**
     * A chunked body that nothing reads — a refusal's, or the dashboard page's, which needs no token — was read by
     * Helidon after the answer, each chunk held whole in memory before it was dropped (a declared {@code 7fffffff} is
     * 2 GiB) and a chunk-size line kept for as long as it went on: anyone on the network, without the token, could grow
     * the heap as fast as the network carries bytes, for the keep-alive deadline of each connection (400 MB into a
     * 256 MB heap was an OutOfMemoryError in Helidon's timer thread). The connection now ends after the answer, once
     * what the client still sends has been dropped for a moment (a bounded amount, held nowhere: LargeBodyTest).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "POST /canvas/intelligent-parallel HTTP/1.1|7fffffff\r\n|401",
                "GET / HTTP/1.1|1|200",
                "POST /canvas/intelligent-parallel?token=wrong HTTP/1.1|7fffffff\r\n|401"
            })
    void aChunkedBodyNobodyReadsIsNotReadAfterTheAnswer(String request) {
        String[] parts = request.split("\\|");
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", api.server.port())) {
                socket.setSoTimeout(10_000);
                java.io.OutputStream out = socket.getOutputStream();
                out.write((parts[0] + "\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n" + parts[1])
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                java.io.InputStream in = socket.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    int b = in.read();
                    assertThat(b).as("the answer, then: " + head).isNotNegative();
                    head.append((char) b);
                }
                assertThat(head.toString()).startsWith("HTTP/1.1 " + parts[2]);
                assertThat(head.toString().toLowerCase(java.util.Locale.ROOT))
                        .as("the answer says the connection ends: a client keeping it alive would send on it")
                        .contains("\r\nconnection: close\r\n");

                byte[] piece = new byte[64 * 1024];
                java.util.Arrays.fill(piece, (byte) '0');
                long sent = 0;
                try {
                    while (sent < 64L * 1024 * 1024) {
                        out.write(piece);
                        sent += piece.length;
                    }
                } catch (java.io.IOException closed) {
                    // the server ended the connection: what is wanted
                }
                assertThat(sent)
                        .as("bytes the server took after its answer, holding them in its heap")
                        .isLessThan(64L * 1024 * 1024);
            }
        });
    }

    @Test
    void preflightsAndTheDashboardsStaticFilesNeedNoToken() {
        Answer preflight = api.send(
                "OPTIONS",
                LIST,
                java.net.http.HttpRequest.BodyPublishers.noBody(),
                "Access-Control-Request-Method",
                "GET",
                "Access-Control-Request-Headers",
                "authorization");

        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.header("Access-Control-Allow-Headers")).contains("authorization");
        assertThat(api.get("/").status()).isEqualTo(200);
        assertThat(api.get("/dashboard/app.js").status()).isEqualTo(200);
        assertThat(api.get("/?token=" + TOKEN).status()).isEqualTo(200);
    }

    @Test
    void aGuardedSocketWithoutTheTokenIsAcceptedThenClosedWith4401() throws Exception {
        Socket refused = connect("/ws/echo/1");
        Socket wrong = connect("/ws/echo/1?token=" + TOKEN.substring(2));

        assertThat(refused.closed.get(10, TimeUnit.SECONDS)).isEqualTo(4401);
        assertThat(wrong.closed.get(10, TimeUnit.SECONDS)).isEqualTo(4401);
        assertThat(refused.greeting).isNotDone();
    }

    @Test
    void aGuardedSocketWithTheTokenInItsUrlIsServed() throws Exception {
        Socket admitted = connect("/ws/echo/1?token=" + TOKEN);

        assertThat(admitted.greeting.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
    }

    @Test
    void aSocketRouteThatDoesNotCheckTheTokenItselfIsRefusedAtTheUpgrade() {
        assertThatThrownBy(() -> connect("/ws/unguarded"))
                .hasRootCauseMessage("Unexpected HTTP response status code 401");
        assertThat(token.guardsSocketAt("/ws/echo/7")).isTrue();
        assertThat(token.guardsSocketAt("/ws/unguarded")).isFalse();
    }

    private static WsListener greeter() {
        return new WsListener() {
            @Override
            public void onOpen(WsSession session) {
                session.send("hello", true);
            }
        };
    }

    private static final class Socket implements WebSocket.Listener {
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final CompletableFuture<String> greeting = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            greeting.complete(data.toString());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }
    }

    private Socket connect(String path) throws Exception {
        Socket socket = new Socket();
        HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + api.server.port() + path), socket)
                .get(10, TimeUnit.SECONDS);
        return socket;
    }

    @Test
    void listeningBeyondLoopbackWithoutATokenIsRefused() {
        assertThatThrownBy(() -> ServerSettings.DEFAULT.withHost("0.0.0.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requires an access token");
        assertThat(ServerSettings.DEFAULT
                        .withAccessToken(AccessToken.of(TOKEN))
                        .withHost("0.0.0.0")
                        .host())
                .isEqualTo("0.0.0.0");
        assertThat(ServerSettings.DEFAULT.withHost("localhost").accessToken().required())
                .isFalse();
    }

    @Test
    void onLoopbackWithoutATokenEverythingStaysOpen() {
        try (ApiHarness open = new ApiHarness()) {
            assertThat(open.get(LIST).status()).isEqualTo(200);
            assertThat(open.post(LIST, "{}").status()).isEqualTo(422);
        }
    }
}
