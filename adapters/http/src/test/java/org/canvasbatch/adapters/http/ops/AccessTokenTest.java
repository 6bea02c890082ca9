package org.canvasbatch.adapters.http.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AccessTokenTest {

    private static final String SECRET = "0123456789abcdef-secret";

    private final AccessToken token = AccessToken.of(SECRET);
    private WebServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void withoutATokenEveryCallerIsAdmitted() {
        assertThat(AccessToken.none().required()).isFalse();
        assertThat(AccessToken.none().admitsCredentials(null, null)).isTrue();
        assertThat(AccessToken.none().admitsCredentials("Bearer anything", "x")).isTrue();
    }

    @Test
    void theTokenIsAcceptedAsABearerHeaderOrAsAQueryParameter() {
        assertThat(token.admitsCredentials("Bearer " + SECRET, null)).isTrue();
        assertThat(token.admitsCredentials("bearer  " + SECRET, null))
                .as("the scheme is case-insensitive")
                .isTrue();
        assertThat(token.admitsCredentials(null, SECRET)).isTrue();
        assertThat(token.admitsCredentials("Bearer wrong", SECRET))
                .as("a right query token is enough")
                .isTrue();
    }

    @Test
    void anythingButTheExactTokenIsRefused() {
        assertThat(token.admitsCredentials(null, null)).isFalse();
        assertThat(token.admitsCredentials("Bearer " + SECRET.substring(1), null))
                .isFalse();
        assertThat(token.admitsCredentials("Bearer " + SECRET + "x", null)).isFalse();
        assertThat(token.admitsCredentials("Basic " + SECRET, null)).isFalse();
        assertThat(token.admitsCredentials(SECRET, null))
                .as("a bare token is not a bearer header")
                .isFalse();
        assertThat(token.admitsCredentials(null, "")).isFalse();
        assertThat(token.admitsCredentials(null, SECRET.toUpperCase())).isFalse();
    }

    @Test
    void weakTokensAreRefusedWithoutRepeatingThem() {
        assertThatThrownBy(() -> AccessToken.of("xq7secret"))
                .hasMessageContaining("too short")
                .hasMessageContaining("16")
                .message()
                .doesNotContain("xq7secret");
        assertThatThrownBy(() -> AccessToken.of("has a space in it, xq7"))
                .hasMessageContaining("spaces")
                .message()
                .doesNotContain("xq7");
        assertThatThrownBy(() -> AccessToken.of("")).hasMessageContaining("empty");
        assertThat(AccessToken.problemWith(SECRET)).isNull();
    }

    @Test
    void theSecretNeverShowsInToString() {
        assertThat(token.toString()).doesNotContain(SECRET).contains("required");
    }

    @Test
    void loopbackIsTheMachineItselfAndNothingElse() {
        assertThat(AccessToken.isLoopback("127.0.0.1")).isTrue();
        assertThat(AccessToken.isLoopback("127.1.2.3")).isTrue();
        assertThat(AccessToken.isLoopback("localhost")).isTrue();
        assertThat(AccessToken.isLoopback("LOCALHOST")).isTrue();
        assertThat(AccessToken.isLoopback("::1")).isTrue();
        assertThat(AccessToken.isLoopback("[::1]")).isTrue();
        assertThat(AccessToken.isLoopback("0.0.0.0")).isFalse();
        assertThat(AccessToken.isLoopback("::")).isFalse();
        assertThat(AccessToken.isLoopback("192.168.1.10")).isFalse();
        assertThat(AccessToken.isLoopback("my-laptop.local")).isFalse();
        assertThat(AccessToken.isLoopback("localhost.example.org")).isFalse();
    }

    @Test
    void aGuardedSocketWithoutTheTokenIsAcceptedThenClosedWith4401() throws Exception {
        int port = startEchoServer(token);

        Closed closed = connect(port, "/echo", null);

        assertThat(closed.code.get(10, TimeUnit.SECONDS)).isEqualTo(4401);
        assertThat(closed.reason).isEqualTo("unauthorized");
        assertThat(closed.greeting)
                .as("the listener behind the guard never heard of it")
                .isNotDone();
    }

    @Test
    void aGuardedSocketWithTheTokenInTheQueryOrTheHeaderReachesItsListener() throws Exception {
        int port = startEchoServer(token);

        Closed byQuery = connect(port, "/echo?token=" + SECRET, null);
        Closed byHeader = connect(port, "/echo", "Bearer " + SECRET);
        Closed wrong = connect(port, "/echo?token=nope", null);

        assertThat(byQuery.greeting.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
        assertThat(byHeader.greeting.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
        assertThat(wrong.code.get(10, TimeUnit.SECONDS)).isEqualTo(4401);
    }

    @Test
    void withoutATokenTheGuardIsTheListenerItself() {
        WsListener listener = new WsListener() {};
        assertThat(AccessToken.none().guard(listener)).isSameAs(listener);
    }

    private int startEchoServer(AccessToken guard) {
        server = WebServer.builder()
                .port(0)
                .host("127.0.0.1")
                .shutdownHook(false)
                .addRouting(WsRouting.builder()
                        .endpoint(
                                "/echo",
                                () -> guard.guard(new WsListener() {
                                    @Override
                                    public void onOpen(WsSession session) {
                                        session.send("hello", true);
                                    }
                                })))
                .build()
                .start();
        return server.port();
    }

    private static final class Closed implements WebSocket.Listener {
        final CompletableFuture<Integer> code = new CompletableFuture<>();
        final CompletableFuture<String> greeting = new CompletableFuture<>();
        volatile String reason;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            greeting.complete(data.toString());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String why) {
            reason = why;
            code.complete(statusCode);
            return null;
        }
    }

    private static Closed connect(int port, String path, String authorization) throws Exception {
        Closed listener = new Closed();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        builder.buildAsync(URI.create("ws://127.0.0.1:" + port + path), listener)
                .get(10, TimeUnit.SECONDS);
        return listener;
    }
}
