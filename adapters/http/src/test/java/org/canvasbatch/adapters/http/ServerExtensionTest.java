package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.adapters.http.ApiHarness.PLUGIN_ORIGIN;

import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.junit.jupiter.api.Test;

/** What another adapter (the WebSocket channel, a dashboard) can rely on when it attaches to the server. */
class ServerExtensionTest {

    private final List<String> calls = new CopyOnWriteArrayList<>();

    private final class Dashboard implements ServerExtension {
        private ApiHarness api;

        @Override
        public void configure(WebServerConfig.Builder server) {
            calls.add("configure");
            server.idleConnectionTimeout(Duration.ofMinutes(15));
        }

        @Override
        public void route(HttpRouting.Builder routing) {
            calls.add("route");
            routing.get("/dashboard", (request, response) -> response.send("dashboard"));
        }

        @Override
        public void beforeStop() {
            calls.add("beforeStop: server answers " + api.get("/dashboard").status());
        }
    }

    @Test
    void extensionRoutesAreServedWithCanonicalPathsAndCorsAndStopLetsThemSayGoodbyeFirst() {
        Dashboard dashboard = new Dashboard();
        ApiHarness api = new ApiHarness(ServerSettings.onPort(0)
                .withExtension(dashboard)
                .withExtension(ServerExtension.routes(r -> r.get("/metrics", (req, res) -> res.send("up 1")))));
        dashboard.api = api;

        Answer page = api.get("//dashboard/");
        Answer metrics = api.get("/metrics");
        Answer api404 = api.get("/dashboard/nothing");
        api.close();

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).isEqualTo("dashboard");
        assertThat(page.allowOrigin()).isEqualTo(PLUGIN_ORIGIN);
        assertThat(metrics.text()).isEqualTo("up 1");
        assertThat(api404.status())
                .as("the API's fallback still answers what no one serves")
                .isEqualTo(404);
        assertThat(calls).containsExactly("route", "configure", "beforeStop: server answers 200");
        assertThat(api.server.isRunning()).isFalse();
    }

    @Test
    void aFailingExtensionRouteStillAnswersWithTheEnvelope() {
        ApiHarness api = new ApiHarness(ServerSettings.onPort(0)
                .withExtension(ServerExtension.routes(r -> r.get("/broken", (req, res) -> {
                    throw new IllegalStateException("bug in an extension");
                }))));
        try {
            Answer answer = api.get("/broken");

            assertThat(answer.status()).isEqualTo(500);
            BadInputTest.assertEnvelope(answer, "InternalError");
        } finally {
            api.close();
        }
    }

    /**
     * Also a finding for the WebSocket channel: Helidon refuses (403) an upgrade whose Origin is not the Host unless the
     * origins are listed in the WebSocket protocol config, and the plugin's origin is {@code app://obsidian.md}.
     */
    @Test
    void aWebSocketRoutingAttachesThroughConfigureNextToTheRestApi() throws Exception {
        ApiHarness api = new ApiHarness(ServerSettings.onPort(0)
                .withExtension(ServerExtension.server(server -> server.addProtocol(
                                WsConfig.builder().addOrigin(PLUGIN_ORIGIN).build())
                        .addRouting(WsRouting.builder().endpoint("/ws/echo", new WsListener() {
                            @Override
                            public void onOpen(WsSession session) {
                                session.send("hello", true);
                            }
                        })))));
        try {
            CompletableFuture<String> greeting = new CompletableFuture<>();
            WebSocket socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .header("Origin", PLUGIN_ORIGIN)
                    .buildAsync(
                            URI.create("ws://127.0.0.1:" + api.server.port() + "/ws/echo"), new WebSocket.Listener() {
                                @Override
                                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                    greeting.complete(data.toString());
                                    return null;
                                }
                            })
                    .get(10, TimeUnit.SECONDS);

            assertThat(greeting.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
            assertThat(api.get("/canvas/intelligent-parallel").status()).isEqualTo(200);
            socket.abort();
        } finally {
            api.close();
        }
    }

    @Test
    void theRestApiCannotBeShadowedByAnExtension() {
        ApiHarness api = new ApiHarness(ServerSettings.onPort(0)
                .withExtension(ServerExtension.routes(
                        r -> r.get("/canvas/intelligent-parallel", (req, res) -> res.send("shadow")))));
        try {
            assertThat(api.get("/canvas/intelligent-parallel").json().getJsonArray("sessions"))
                    .isNotNull();
        } finally {
            api.close();
        }
    }
}
