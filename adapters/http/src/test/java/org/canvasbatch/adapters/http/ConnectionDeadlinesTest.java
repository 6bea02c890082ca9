package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.testsupport.CapturedLogs;
import org.canvasbatch.testsupport.EventRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection that holds a place without finishing a request is ended, so that a process (or a client that froze) can
 * no longer keep the plugin out: the deadlines here are made short, as a hostile tester's connections met them at the
 * defaults (20 s for a request, 60 s between requests). What a real client does within them is left alone.
 */
class ConnectionDeadlinesTest {

    private static final ConnectionLimits SHORT =
            new ConnectionLimits(Duration.ofMillis(600), Duration.ofMillis(1_500), 64 * 1024, 0);

    /** A path this server answers at once (404, its envelope): an answer is what these tests look for. */
    private static final String NOTHING_THERE = "/nothing-here";

    private static final String TOKEN = "a-token-of-twenty-four!";

    private final List<Socket> sockets = new ArrayList<>();
    private ApiHarness api;

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void aConnectionThatSendsNothingIsEndedWithOneLogLine() throws IOException {
        api = server(SHORT);
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch");
                CapturedLogs helidon = CapturedLogs.of("io.helidon")) {
            Socket silent = connect();

            assertThat(readAll(silent)).isEmpty();
            // the sweep logs once it has ended the connections it found: after the client saw its end
            EventRecorder.awaitCondition(() -> !logs.visibleLines().isEmpty(), "the sweep's line");
            assertThat(logs.visibleLines())
                    .singleElement()
                    .asString()
                    .contains("1 sent no complete request within 600 ms");
            assertThat(logs.visibleRecords()).allMatch(record -> record.getThrown() == null);
            assertThat(helidon.visibleRecords()).isEmpty();
        }
        assertThat(api.get(NOTHING_THERE).status()).isEqualTo(404);
    }

    /**
     * A process that keeps opening connections and sending nothing makes a line a look: those lines spend the server's
     * budget of lines for what clients do wrong, as refused requests do (a hostile tester: 26 lines in 45 s beside it).
     */
    @Test
    void theLinesOfEndedConnectionsSpendTheBudgetRefusalsSpend() throws IOException {
        api = server(SHORT);
        List<String> lines;
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch")) {
            for (int i = 0; i < RefusalLog.LINES_PER_MINUTE; i++) {
                assertThat(api.get(NOTHING_THERE).status()).isEqualTo(404);
            }
            Socket silent = connect();

            assertThat(readAll(silent)).as("ended all the same").isEmpty();
            assertThat(logs.visibleLines()).noneMatch(line -> line.contains("sent no complete request"));
            api.close();
            lines = logs.visibleLines();
        }
        assertThat(lines)
                .anySatisfy(line -> assertThat(line)
                        .contains("1 more line of refused requests and ended connections")
                        .contains("the last: Ended 1 connection that did not finish a request in time"));
    }

    @Test
    void aConnectionThatStopsInsideItsHeadersIsAnswered400AndEnded() throws IOException {
        api = server(SHORT);
        Socket halfway = connect();
        write(halfway, "GET " + NOTHING_THERE + " HTTP/1.1\r\nHost: local");

        assertThat(readAll(halfway))
                .startsWith("HTTP/1.1 400")
                .contains("\"BadRequestError\"", "before its headers were complete");
    }

    @Test
    void aBodyThatStopsIsAnswered400AndTheConnectionEnded() throws IOException {
        api = server(SHORT);
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch");
                CapturedLogs helidon = CapturedLogs.of("io.helidon")) {
            Socket stalled = connect();
            write(
                    stalled,
                    "POST /canvas/intelligent-parallel HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                            + "\r\nContent-Length: 100\r\n\r\n{\"canvas_path\":");

            String answer = readAll(stalled);

            assertThat(answer).startsWith("HTTP/1.1 400").contains("ended before it was complete");
            EventRecorder.awaitCondition(
                    () -> logs.visibleLines().stream()
                            .anyMatch(line -> line.contains("1 stopped inside a request body")),
                    "the sweep's line");
            assertThat(logs.visibleRecords()).allMatch(record -> record.getThrown() == null);
            assertThat(helidon.visibleRecords()).isEmpty();
        }
    }

    @Test
    void aClientThatKeepsAskingKeepsItsConnectionPastTheRequestDeadline() throws Exception {
        api = server(SHORT);
        Socket client = connect();
        for (int request = 0; request < 4; request++) {
            write(client, "GET " + NOTHING_THERE + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(readOneAnswer(client)).startsWith("HTTP/1.1 404");
            TimeUnit.MILLISECONDS.sleep(500);
        }
        // 2 s on one connection, more than three times the request deadline, each gap within the keep-alive one
        write(client, "GET " + NOTHING_THERE + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(readOneAnswer(client)).startsWith("HTTP/1.1 404");
    }

    @Test
    void aConnectionIdleLongerThanTheKeepAliveDeadlineIsEnded() throws IOException {
        api = server(SHORT);
        Socket client = connect();
        write(client, "GET " + NOTHING_THERE + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(readOneAnswer(client)).startsWith("HTTP/1.1 404");

        assertThat(readAll(client)).isEmpty();
    }

    /**
     * The single-agent route answers once the model has: a call longer than the request deadline is the server's time,
     * not a client that stopped inside its body. It was logged as one, and lost its kept-alive connection (a reviewer).
     */
    @Test
    void aPostWhoseHandlerOutlastsTheDeadlinesKeepsItsConnectionAndBlamesNoOne() throws Exception {
        api = server(SHORT);
        java.util.concurrent.Semaphore modelAnswers = new java.util.concurrent.Semaphore(0);
        api.agent.always("q1", new org.canvasbatch.testsupport.ScriptedAgent.WaitForPermit(modelAnswers));
        api.vault.withCanvas(new org.canvasbatch.domain.canvas.Canvas(
                "a.canvas", List.of(ApiHarness.node("q1", "什么是命题", "1")), List.of()));
        String body = "{\"canvas_path\":\"a.canvas\",\"node_id\":\"q1\",\"agent\":\"oral-explanation\"}";
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch")) {
            Socket client = connect();
            write(
                    client,
                    "POST /canvas/single-agent HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            TimeUnit.MILLISECONDS.sleep(2_000); // the model takes more than three request deadlines
            modelAnswers.release(10);

            assertThat(readOneAnswer(client)).startsWith("HTTP/1.1 200");
            write(client, "GET " + NOTHING_THERE + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(readOneAnswer(client))
                    .as("the same connection asks again")
                    .startsWith("HTTP/1.1 404");
            assertThat(logs.visibleLines()).noneMatch(line -> line.contains("did not finish a request in time"));
        }
    }

    /** A client's pool drops a connection the server ended while idle: its next call, a POST, does not fail. */
    @Test
    void aClientWhosePooledConnectionWasEndedAsksAgainWithoutAnError() throws Exception {
        api = server(SHORT);
        assertThat(api.get(NOTHING_THERE).status()).isEqualTo(404);

        TimeUnit.MILLISECONDS.sleep(2_500);

        assertThat(api.post(NOTHING_THERE, "{}").status()).isEqualTo(404);
    }

    @Test
    void aQuietWebSocketOutlivesEveryDeadline() throws Exception {
        api = server(SHORT);
        api.canvas("a.canvas", ApiHarness.nodesJson("n1", "什么是命题"));
        String session = api.post(
                        "/canvas/intelligent-parallel",
                        "{\"canvas_path\":\"a.canvas\",\"nodes\":" + ApiHarness.nodesJson("n1", "什么是命题") + "}")
                .json()
                .getString("session_id");
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .header("Origin", ApiHarness.PLUGIN_ORIGIN)
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + api.server.port() + "/ws/intelligent-parallel/" + session),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onClose(WebSocket webSocket, int code, String reason) {
                                closed.complete(code);
                                return null;
                            }

                            @Override
                            public void onError(WebSocket webSocket, Throwable error) {
                                closed.complete(-1);
                            }
                        })
                .get(5, TimeUnit.SECONDS);

        TimeUnit.MILLISECONDS.sleep(2_500);

        assertThat(closed).isNotDone();
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    }

    /**
     * At the connection cap the listener accepts no other connection until one ends: the one that has waited longest
     * for a request is ended for the new one, whose answer comes long before any deadline would have freed a place.
     */
    @Test
    void atTheCapTheConnectionThatWaitedLongestMakesRoomForTheNextOne() throws IOException {
        api = server(new ConnectionLimits(Duration.ofMinutes(5), Duration.ofMinutes(5), 64 * 1024, 6));
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            held.add(connect());
        }

        assertThat(api.get(NOTHING_THERE).status()).isEqualTo(404);
        assertThat(readAll(held.get(0))).isEmpty();
        Socket youngest = held.get(5);
        youngest.setSoTimeout(300);
        assertThatThrownBy(() -> youngest.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    }

    /**
     * A declared length beyond the body limit gets the limit's time, not its own: 9 GB at 64 KiB/s was 38 hours (a
     * connection reading a body is never ended at the cap), and 10^18 overflowed the allowance. Helidon now refuses a
     * length past its own limit (twice the body limit) as it is declared; one up to it that stalls is still ended
     * within the body limit's time (the allowance itself: the next test).
     */
    @Test
    void aBodyDeclaredFarBeyondTheLimitGetsOnlyTheLimitsTime() throws IOException {
        api = new ApiHarness(core -> {
            ServerSettings settings =
                    ServerSettings.onPort(0).withConnectionLimits(SHORT).withMaxBodyBytes(64 * 1024);
            return settings.withExtension(
                    new SessionSocketChannel(core.useCases(), WsSettings.DEFAULT).asServerExtension(settings));
        });
        Socket stalled = connect();
        write(
                stalled,
                "POST /canvas/intelligent-parallel HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                        + "\r\nContent-Length: " + RequestBody.payloadLimit(64 * 1024) + "\r\n\r\n{\"canvas_path\":");
        Socket farBeyond = connect();
        write(
                farBeyond,
                "POST /canvas/intelligent-parallel HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                        + "\r\nContent-Length: 9000000000\r\n\r\n{\"canvas_path\":");

        // 600 ms and 64 KiB at 64 KiB/s, well within the 15 s this read waits
        assertThat(readAll(stalled)).startsWith("HTTP/1.1 400");
        assertThat(readAll(farBeyond)).startsWith("HTTP/1.1 422").contains("65536 bytes", "ValidationError");
    }

    @Test
    void theBodyAllowanceIsTheLimitsAtMostAndNeverOverflows() {
        ConnectionDeadlines deadlines = new ConnectionDeadlines(ConnectionLimits.DEFAULT, 8L * 1024 * 1024, 0);
        long atTheLimit = TimeUnit.SECONDS.toNanos(20 + 128);

        assertThat(deadlines.bodyAllowanceNanos(100)).isBetween(TimeUnit.SECONDS.toNanos(20), atTheLimit);
        assertThat(deadlines.bodyAllowanceNanos(-1)).isEqualTo(atTheLimit);
        assertThat(deadlines.bodyAllowanceNanos(8L * 1024 * 1024)).isEqualTo(atTheLimit);
        for (long declared :
                new long[] {9_000_000_000L, 1_000_000_000_000L, 1_000_000_000_000_000_000L, Long.MAX_VALUE}) {
            assertThat(deadlines.bodyAllowanceNanos(declared))
                    .as("%d bytes", declared)
                    .isEqualTo(atTheLimit);
        }
        ConnectionDeadlines unlimited = new ConnectionDeadlines(ConnectionLimits.DEFAULT, Long.MAX_VALUE, 0);
        assertThat(unlimited.bodyAllowanceNanos(Long.MAX_VALUE)).isPositive();
    }

    /**
     * A process that keeps opening connections at the cap ends one each time; the log says so once a look, not once a
     * connection (thousands of lines a second).
     */
    @Test
    void connectionsEndedAtTheCapAreToldInOneLineALook() throws Exception {
        api = server(new ConnectionLimits(Duration.ofMinutes(5), Duration.ofMinutes(5), 64 * 1024, 6));
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch")) {
            for (int i = 0; i < 40; i++) {
                connect();
            }
            assertThat(api.get(NOTHING_THERE).status()).isEqualTo(404);
            TimeUnit.MILLISECONDS.sleep(2_500);

            List<String> lines = logs.visibleLines().stream()
                    .filter(line -> line.contains("as many as it may"))
                    .toList();
            assertThat(lines).isNotEmpty().hasSizeLessThanOrEqualTo(4);
            assertThat(logs.visibleRecords()).allMatch(record -> record.getThrown() == null);
        }
    }

    /**
     * A handshake without the access token is let through to be closed 4401 (a browser sees no other reason): it is no
     * WebSocket of the channel's, so it keeps the request deadline. Exempt, a client that never answered the close held
     * its place for good, and anyone who could reach the port could hold the cap's worth without the token.
     */
    @Test
    void aSocketRefusedForWantOfTheTokenIsEndedIfItNeverAnswersTheClose() throws IOException {
        api = new ApiHarness(core -> {
            ServerSettings settings = ServerSettings.onPort(0)
                    .withConnectionLimits(SHORT)
                    .withAccessToken(org.canvasbatch.adapters.http.ops.AccessToken.of(TOKEN));
            return settings.withExtension(
                    new SessionSocketChannel(core.useCases(), WsSettings.DEFAULT).asServerExtension(settings));
        });
        try (CapturedLogs helidon = CapturedLogs.of("io.helidon")) {
            Socket refused = connect();
            write(
                    refused,
                    "GET /ws/intelligent-parallel/s1 HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\n\r\n");

            assertThat(readAll(refused)).startsWith("HTTP/1.1 101").contains("unauthorized");
            assertThat(helidon.visibleRecords()).isEmpty();
        }
    }

    /** The token's own sockets are the channel's, free of the deadlines as without a token. */
    @Test
    void aSocketWithTheTokenOutlivesEveryDeadline() throws Exception {
        api = new ApiHarness(core -> {
            ServerSettings settings = ServerSettings.onPort(0)
                    .withConnectionLimits(SHORT)
                    .withAccessToken(org.canvasbatch.adapters.http.ops.AccessToken.of(TOKEN));
            return settings.withExtension(
                    new SessionSocketChannel(core.useCases(), WsSettings.DEFAULT).asServerExtension(settings));
        });
        api.canvas("a.canvas", ApiHarness.nodesJson("n1", "什么是命题"));
        String session = api.post(
                        "/canvas/intelligent-parallel",
                        "{\"canvas_path\":\"a.canvas\",\"nodes\":" + ApiHarness.nodesJson("n1", "什么是命题") + "}",
                        "Authorization",
                        "Bearer " + TOKEN)
                .json()
                .getString("session_id");
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .header("Origin", ApiHarness.PLUGIN_ORIGIN)
                .header("Authorization", "Bearer " + TOKEN)
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + api.server.port() + "/ws/intelligent-parallel/" + session),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onClose(WebSocket webSocket, int code, String reason) {
                                closed.complete(code);
                                return null;
                            }

                            @Override
                            public void onError(WebSocket webSocket, Throwable error) {
                                closed.complete(-1);
                            }
                        })
                .get(5, TimeUnit.SECONDS);

        TimeUnit.MILLISECONDS.sleep(2_500);

        assertThat(closed).isNotDone();
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    }

    /**
     * Clients that ask and never read (many pipelined requests, the server's writes waiting on a full socket) held
     * their connections for good: no deadline while an answer goes out, and never chosen at the cap. Four of them held
     * a cap of four, and every other client waited in the backlog. A write the client does not take within the request
     * deadline (plus its bytes at the slowest rate) now ends the connection.
     */
    @Test
    void clientsThatStopReadingTheirAnswersAreEndedAndTheServerAnswersOthers() throws Exception {
        api = server(new ConnectionLimits(Duration.ofMillis(600), Duration.ofMillis(1_500), 64 * 1024, 4));
        List<SocketChannel> stalled = new ArrayList<>();
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch");
                CapturedLogs helidon = CapturedLogs.of("io.helidon")) {
            for (int i = 0; i < 4; i++) {
                stalled.add(askWithoutReading());
            }

            // the server's writes wait once its send buffer (up to 4 MiB) is full: some seconds of answers
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (logs.visibleLines().stream().noneMatch(line -> line.contains("stopped reading its answers"))
                    && System.nanoTime() < until) {
                TimeUnit.MILLISECONDS.sleep(100);
            }

            assertThat(logs.visibleLines()).anyMatch(line -> line.contains("stopped reading its answers"));
            assertThat(api.get(NOTHING_THERE).status()).isEqualTo(404);
            assertThat(logs.visibleRecords()).allMatch(record -> record.getThrown() == null);
            assertThat(helidon.visibleRecords()).isEmpty();
        } finally {
            for (SocketChannel channel : stalled) {
                channel.close();
            }
        }
    }

    /** Pipelines requests until the server stops taking them (its answers wait on this client, which reads none). */
    private SocketChannel askWithoutReading() throws IOException, InterruptedException {
        SocketChannel channel = SocketChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        channel.connect(new InetSocketAddress("127.0.0.1", api.server.port()));
        channel.configureBlocking(false);
        // answered 200 (the list of batches): 404s would spend the server's budget of log lines, the line looked for
        // too
        ByteBuffer requests = ByteBuffer.wrap(("GET /canvas/intelligent-parallel HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .repeat(40_000)
                .getBytes(StandardCharsets.ISO_8859_1));
        long lastProgress = System.nanoTime();
        while (requests.hasRemaining() && System.nanoTime() - lastProgress < TimeUnit.MILLISECONDS.toNanos(500)) {
            if (channel.write(requests) > 0) {
                lastProgress = System.nanoTime();
            } else {
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }
        return channel;
    }

    private static ApiHarness server(ConnectionLimits limits) {
        return new ApiHarness(core -> {
            ServerSettings settings = ServerSettings.onPort(0).withConnectionLimits(limits);
            return settings.withExtension(
                    new SessionSocketChannel(core.useCases(), WsSettings.DEFAULT).asServerExtension(settings));
        });
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", api.server.port());
        socket.setSoTimeout(15_000);
        sockets.add(socket);
        return socket;
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Everything until the server ends the connection; a read that times out fails (it was never ended). */
    private static String readAll(Socket socket) {
        try {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + 15 + " s", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One answer with a Content-Length body, the connection left open. */
    private static String readOneAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended inside an answer: " + head);
            }
            head.write(b);
        }
        String headText = head.toString(StandardCharsets.ISO_8859_1);
        var length =
                java.util.regex.Pattern.compile("(?im)^content-length: *(\\d+)").matcher(headText);
        int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return headText + new String(in.readNBytes(bodyLength), StandardCharsets.UTF_8);
    }
}
