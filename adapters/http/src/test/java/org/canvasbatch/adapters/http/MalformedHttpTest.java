package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bytes that are not a well-formed request, as a broken or hostile local client sends them: each is the client's
 * mistake, so it gets a 4xx (with the error envelope where an answer can still be read) and at most one log line,
 * never a 500 and never a stack trace (a few bytes must not write kilobytes of log).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedHttpTest {

    private final ApiHarness api = new ApiHarness(core -> {
        ServerSettings settings = ServerSettings.onPort(0);
        return settings.withExtension(
                new SessionSocketChannel(core.useCases(), WsSettings.DEFAULT).asServerExtension(settings));
    });

    @AfterAll
    void stop() {
        api.close();
    }

    @Test
    void aChunkSizeThatIsNoNumberIsA400Envelope() {
        Exchange exchange = exchange(
                "POST /canvas/intelligent-parallel HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");

        assertThat(exchange.answer()).startsWith("HTTP/1.1 400");
        assertThat(exchange.answer()).contains("\"error\":\"BadRequestError\"", "chunked");
        exchange.assertQuietLog();
    }

    /**
     * Helidon refuses such a path with "Bad request, see server log for more information", and its log says nothing
     * more: the answer (and the one log line) say what is wrong instead. Found by a hostile test.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/canvas/a%zz", "/canvas/a\\b"})
    void aPathThatIsNotValidHttpIsA400EnvelopeThatSaysWhyNotToSeeALog(String path) {
        Exchange exchange = exchange("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

        assertThat(exchange.answer()).startsWith("HTTP/1.1 400");
        assertThat(exchange.answer())
                .contains("\"error\":\"BadRequestError\"", "percent", "backslash")
                .doesNotContain("see server log");
        exchange.assertQuietLog();
    }

    @Test
    void aBodyCutShortIsA400Envelope() {
        Exchange exchange = exchange(
                "POST /canvas/intelligent-parallel HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{");

        assertThat(exchange.answer()).startsWith("HTTP/1.1 400");
        assertThat(exchange.answer()).contains("\"error\":\"BadRequestError\"", "ended before it was complete");
        exchange.assertQuietLog();
    }

    @Test
    void aWebSocketKeyThatIsNotBase64IsA400Envelope() {
        Exchange exchange = exchange("GET /ws/intelligent-parallel/x HTTP/1.1\r\nHost: localhost\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: !!\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");

        assertThat(exchange.answer()).startsWith("HTTP/1.1 400");
        assertThat(exchange.answer()).contains("\"error\":\"BadRequestError\"", "Sec-WebSocket-Key");
        exchange.assertQuietLog();
    }

    @Test
    void headersCutShortAreNoServerErrorAndNoStackTrace() {
        Exchange exchange = exchange("GET /canvas/intelligent-parallel HTTP/1.1\r\nHost: localhost\r\n");

        assertThat(exchange.answer()).doesNotStartWith("HTTP/1.1 500");
        exchange.assertQuietLog();
    }

    @Test
    void anEmptyBodyWithAJsonTypeIsStillAnEmptyObject() {
        Exchange exchange = exchange(
                "POST /canvas/intelligent-parallel HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 0\r\nConnection: close\r\n\r\n");

        assertThat(exchange.answer()).startsWith("HTTP/1.1 422");
        assertThat(exchange.answer()).contains("\"error\":\"ValidationError\"", "canvas_path");
        exchange.assertQuietLog();
    }

    /**
     * nginx speaks HTTP/1.0 to the server behind it unless told {@code proxy_http_version 1.1} (README: a reverse proxy
     * in front, {@code --allowed-hosts}), as do {@code curl -0} and ApacheBench. Helidon 4.5 closes such a connection
     * without a byte and logs nothing above DEBUG: the plugin behind nginx shows "502 Bad Gateway", and the server's
     * log says nothing at all. The answer says what to change, in the envelope the plugin shows, in one log line.
     */
    @Test
    void anHttp10RequestIsA505EnvelopeThatSaysToSpeakHttp11AndOneLogLine() {
        Exchange exchange = exchange("GET /canvas/intelligent-parallel/x HTTP/1.0\r\nHost: localhost\r\n\r\n");

        assertThat(exchange.answer()).startsWith("HTTP/1.1 505");
        assertThat(exchange.answer())
                .contains("\"error\":\"HttpVersionNotSupportedError\"", "HTTP/1.0", "HTTP/1.1", "proxy_http_version");
        exchange.assertQuietLog();
        assertThat(exchange.records()).as("one line in the log").hasSize(1);
    }

    /** A request line that ends in a bare LF (typed into netcat, printed by a script) is as silent today. */
    @Test
    void aRequestLineEndingInABareLineFeedIsA400EnvelopeAndOneLogLine() {
        Exchange exchange = exchange("GET /health HTTP/1.1\nHost: localhost\n\n");

        assertThat(exchange.answer()).startsWith("HTTP/1.1 400");
        assertThat(exchange.answer()).contains("\"error\":\"BadRequestError\"", "CRLF");
        exchange.assertQuietLog();
        assertThat(exchange.records()).as("one line in the log").hasSize(1);
    }

    /** Past Helidon's 4 KiB request line the answer is a 414 or nothing, depending on how the bytes arrive. */
    @Test
    void aRequestLineBeyondTheLimitIsA414EnvelopeWhateverItsLength() {
        Exchange exchange = exchange("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

        assertThat(exchange.answer()).startsWith("HTTP/1.1 414");
        assertThat(exchange.answer()).contains("\"error\":");
        exchange.assertQuietLog();
        assertThat(exchange.records()).as("one line in the log").hasSize(1);
    }

    /**
     * nginx without {@code proxy_http_version 1.1} sends the plugin's analysis (every red and purple node of a canvas,
     * easily hundreds of kilobytes) as an HTTP/1.0 POST, writing the whole body before it reads the answer. A server
     * that answers after the first line and closes with the rest unread resets the connection: nginx's write fails
     * ("Connection reset by peer" or "Broken pipe"), it never reads the 505, and the plugin gets "502 Bad Gateway"
     * as before. The answer must reach a client that sends its whole request first.
     */
    @Test
    void anHttp10PostWithALargeBodyStillGetsIts505() throws Exception {
        byte[] body = ("{\"canvas_path\":\"x.canvas\",\"nodes\":[" + "{\"id\":\"n\"},".repeat(60_000) + "{}]}")
                .getBytes(StandardCharsets.US_ASCII);
        String head = "POST /canvas/intelligent-parallel HTTP/1.0\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        try (CapturedLogs ours = CapturedLogs.of("org.canvasbatch");
                Socket socket = new Socket("127.0.0.1", api.server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body); // as nginx does: the whole request, then the answer
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 505").contains("proxy_http_version");
        }
    }

    /** A base URL typed as https:// for this plain-HTTP port: the log says so in one line. */
    @Test
    void aTlsHandshakeOnThePlainPortIsOneLogLineThatSaysHttpNotHttps() {
        try (CapturedLogs ours = CapturedLogs.of("org.canvasbatch")) {
            Exchange exchange = exchange(
                    "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003" + "\u0000".repeat(300));

            exchange.assertQuietLog();
            assertThat(ours.visibleRecordsContaining("not https://")).hasSize(1);
        }
    }

    /**
     * A client that sends HTTP/1.0 (or a TLS handshake) and resets the connection at once, before its answer: the
     * answer's write fails, and that failure must end the connection as Helidon ends any whose client went away, in
     * silence. It escaped as Helidon's "unexpected I/O exception", a WARNING with two stack traces (25 lines, about a
     * kilobyte) for each such connection, outside the refusal budget: from the network, without the token, 1 000
     * connections wrote 13 000 lines, a megabyte, in about a second.
     */
    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.0\r\n\r\n", "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1"})
    void aClientThatResetsBeforeItsNotHttp11AnswerLeavesNoWarning(String request) throws Exception {
        // a server of its own: these refusals spend the budget of the server they are sent to
        try (ApiHarness own = new ApiHarness(ServerSettings.onPort(0));
                CapturedLogs helidon = CapturedLogs.of("io.helidon")) {
            for (int i = 0; i < 100; i++) {
                try (Socket socket = new Socket("127.0.0.1", own.server.port())) {
                    socket.setSoLinger(true, 0); // closed with a reset
                    OutputStream out = socket.getOutputStream();
                    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            }
            // the last connections' answers are written after their close; a connection is let go (and no longer
            // watched) only once its handler has finished, and logged whatever it logs
            org.canvasbatch.testsupport.EventRecorder.awaitCondition(
                    () -> own.server.openConnections() == 0, "every connection let go");

            List<LogRecord> visible = helidon.visibleRecords();
            assertThat(visible)
                    .as("nothing above DEBUG from Helidon; " + visible.size() + " records, the first: "
                            + visible.stream()
                                    .findFirst()
                                    .map(r -> r.getLevel() + " " + r.getMessage() + " " + r.getThrown())
                                    .orElse(""))
                    .isEmpty();
        }
    }

    /** What the server answered (as text, possibly nothing) and what it logged meanwhile. */
    private record Exchange(String answer, List<LogRecord> records) {

        void assertQuietLog() {
            assertThat(records)
                    .as("no stack trace")
                    .allSatisfy(r -> assertThat(r.getThrown())
                            .as(r.getLoggerName() + ": " + r.getMessage())
                            .isNull());
            assertThat(records.size())
                    .as("at most one line: "
                            + records.stream().map(LogRecord::getMessage).toList())
                    .isLessThanOrEqualTo(1);
            assertThat(records).noneMatch(r -> r.getLevel().intValue() >= Level.SEVERE.intValue());
        }
    }

    /**
     * Writes the bytes, says it will send no more (as a client that gives up does), and reads what comes back until
     * the server closes the connection, which it does only once it has handled (and logged) what it was sent.
     */
    private Exchange exchange(String request) {
        List<LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (CapturedLogs helidon = CapturedLogs.of("io.helidon");
                CapturedLogs ours = CapturedLogs.of("org.canvasbatch");
                Socket socket = new Socket("127.0.0.1", api.server.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            try {
                in.transferTo(answer);
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // the server kept the connection open, or reset it: what came before is the answer
            }
            records.addAll(helidon.visibleRecords());
            records.addAll(ours.visibleRecords());
            return new Exchange(answer.toString(StandardCharsets.UTF_8), records);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
