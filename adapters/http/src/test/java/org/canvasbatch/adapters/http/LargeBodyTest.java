package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.canvasbatch.adapters.http.ops.AccessToken;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bodies the server does not read to their end, written through real sockets: the answer must reach a client that
 * writes its whole body before it reads (closing a socket with unread bytes sends a reset, which throws away an answer
 * the client has not read yet), and a body larger than the limit, however its chunks declare it, must never be held in
 * memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeBodyTest {

    private static final String TOKEN = "f3b1c2d4e5a6978801234567";
    private static final String ANALYZE = "/canvas/intelligent-parallel";
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3})");
    private static final Pattern LENGTH = Pattern.compile("(?im)^content-length: *(\\d+)");

    private final ApiHarness api = new ApiHarness(LargeBodyTest::asServed);

    @AfterAll
    void stop() {
        api.close();
    }

    /** As {@code serve} builds it: an access token, and the WebSocket channel's HTTP/1 connections. */
    static ServerSettings asServed(org.canvasbatch.application.batch.CanvasBatchCore core) {
        ServerSettings settings = ServerSettings.onPort(0).withAccessToken(AccessToken.of(TOKEN));
        return settings.withExtension(
                new SessionSocketChannel(core.useCases(), WsSettings.DEFAULT).asServerExtension(settings));
    }

    /**
     * The refusal comes before the body is read, so the server ends the connection with the client's bytes still
     * arriving; closed at once, its socket reset the connection: the client's write failed (an HTTP client reports
     * that failure, not the answer) and an answer it had not read yet could be thrown away with it.
     */
    @ParameterizedTest
    @ValueSource(ints = {1_000_000, 4_000_000})
    void aClientThatWritesItsWholeChunkedBodyBeforeReadingGetsTheWhole401(int bodyBytes) {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            List<String> lost = new ArrayList<>();
            int received = 0;
            for (int attempt = 0; attempt < 10; attempt++) {
                Exchange exchange = writeWholeThenRead("POST " + ANALYZE + " HTTP/1.1", "", bodyBytes);
                if (exchange.wroteWhole() && exchange.status() == 401 && exchange.isEnvelope("UnauthorizedError")) {
                    received++;
                } else {
                    lost.add(exchange.summary());
                }
            }
            assertThat(received)
                    .as("answers received of 10 (" + bodyBytes + " bytes each); the others: " + lost)
                    .isEqualTo(10);
        });
    }

    /**
     * Helidon read a chunk whole before handing any of it on: a declared {@code 7fffffff} held the request until 2 GiB
     * had arrived (and grew the heap by every byte of it). The chunk is refused as it is declared, by the contract's
     * rule for a body over the limit.
     */
    @Test
    void aChunkDeclaredLargerThanTheLimitIsRefusedAtOnceWithTheEnvelope() {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Exchange exchange;
            try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch");
                    CapturedLogs helidon = CapturedLogs.of("io.helidon")) {
                exchange = writeWholeThenRead(
                        "POST " + ANALYZE + " HTTP/1.1",
                        "Authorization: Bearer " + TOKEN + "\r\n",
                        "7fffffff\r\n",
                        4 * 1024 * 1024);
                assertOneQuietLine(logs, helidon, "422");
            }

            assertThat(exchange.status()).as(exchange.toString()).isEqualTo(422);
            assertThat(exchange.isEnvelope("ValidationError"))
                    .as(exchange.toString())
                    .isTrue();
            assertThat(exchange.body()).contains("8 MiB");
            assertThat(exchange.head().toLowerCase(Locale.ROOT)).contains("\r\nconnection: close\r\n");
            assertThat(exchange.wroteWhole()).as(exchange.toString()).isTrue();
        });
    }

    /**
     * Helidon refuses a length declared past its own limit (twice the body limit) before any route runs, and closed
     * the connection at once with the body arriving: a client that writes it whole before reading lost the answer that
     * the route, reading the body to its end, used to give (Node's {@code fetch}: 9 of 10 lost at 20 MiB).
     */
    @Test
    void aClientThatWritesALengthPastHelidonsLimitWholeBeforeReadingGetsThe422() {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            List<String> lost = new ArrayList<>();
            int received = 0;
            for (int attempt = 0; attempt < 10; attempt++) {
                int bytes = 20 * 1024 * 1024;
                Exchange exchange = writeWholeThenRead(
                        "POST " + ANALYZE + " HTTP/1.1",
                        "Authorization: Bearer " + TOKEN + "\r\nContent-Length: " + bytes + "\r\n",
                        "",
                        bytes);
                if (exchange.wroteWhole() && exchange.status() == 422 && exchange.isEnvelope("ValidationError")) {
                    received++;
                } else {
                    lost.add(exchange.summary());
                }
            }
            assertThat(received)
                    .as("answers received of 10; the others: " + lost)
                    .isEqualTo(10);
        });
    }

    /** Helidon refuses a declared length far past the limit before any route runs: its answer is still ours. */
    @Test
    void aLengthDeclaredFarPastTheLimitIsRefusedWithTheEnvelopeNotHelidonsText() {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Exchange exchange;
            try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch");
                    CapturedLogs helidon = CapturedLogs.of("io.helidon")) {
                exchange = writeWholeThenRead(
                        "POST " + ANALYZE + " HTTP/1.1",
                        "Authorization: Bearer " + TOKEN + "\r\nContent-Length: 1073741824\r\n",
                        "",
                        0);
                assertOneQuietLine(logs, helidon, "1073741824");
            }

            assertThat(exchange.status()).as(exchange.toString()).isEqualTo(422);
            assertThat(exchange.isEnvelope("ValidationError"))
                    .as(exchange.toString())
                    .isTrue();
            assertThat(exchange.body()).contains("8 MiB");
            assertThat(exchange.head().toLowerCase(Locale.ROOT)).contains("content-type: application/json");
        });
    }

    /**
     * Helidon's early refusal of a declared length past its limit carried no CORS header: the plugin's {@code fetch}
     * saw a network error where every other refusal gives it the words. An allowed origin reads it; another does not.
     */
    @Test
    void theEarlyRefusalIsReadableByAnAllowedOriginOnly() {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Exchange plugin = writeWholeThenRead(
                    "POST " + ANALYZE + " HTTP/1.1",
                    "Origin: app://obsidian.md\r\nAuthorization: Bearer " + TOKEN
                            + "\r\nContent-Length: 1073741824\r\n",
                    "",
                    0);
            Exchange page = writeWholeThenRead(
                    "POST " + ANALYZE + " HTTP/1.1",
                    "Origin: https://attacker.example\r\nContent-Length: 1073741824\r\n",
                    "",
                    0);

            assertThat(plugin.status()).as(plugin.toString()).isEqualTo(422);
            assertThat(plugin.head().toLowerCase(Locale.ROOT))
                    .contains("access-control-allow-origin: app://obsidian.md")
                    .contains("vary: origin");
            assertThat(page.status()).as(page.toString()).isEqualTo(422);
            assertThat(page.head().toLowerCase(Locale.ROOT)).doesNotContain("access-control-allow-origin");
        });
    }

    /**
     * The same declared chunk at a server with a 64 MiB heap, 128 MiB of it sent: Helidon held every byte of it until
     * the heap ran out (the server, started to exit on an {@code OutOfMemoryError}, died). The server must live on
     * and answer the next request.
     */
    @Test
    void aHugeChunkDoesNotGrowTheHeapOfASmallServer() throws Exception {
        Process server = new ProcessBuilder(List.of(
                        ProcessHandle.current().info().command().orElse("java"),
                        "--add-opens",
                        "java.base/java.lang=ALL-UNNAMED",
                        "-Xmx64m",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-cp",
                        System.getProperty("java.class.path"),
                        SmallServer.class.getName()))
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader output =
                    new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            int port = SmallServer.port(output);
            // the server's log, read on so that it never blocks on a full pipe
            StringBuilder log = new StringBuilder();
            Thread logReader = Thread.ofVirtual()
                    .start(() -> output.lines().forEach(line -> {
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                    }));

            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(60_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + ANALYZE + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + "Authorization: Bearer " + TOKEN + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "7fffffff\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                // read while writing, as a client that sends a large body does (what it reads is not looked at: the
                // reset that follows the server's bounded linger may take it)
                CompletableFuture<byte[]> answer = CompletableFuture.supplyAsync(() -> {
                    try {
                        return socket.getInputStream().readAllBytes();
                    } catch (IOException e) {
                        return new byte[0];
                    }
                });
                byte[] piece = new byte[64 * 1024];
                Arrays.fill(piece, (byte) ' ');
                try {
                    for (long sent = 0; sent < 128L * 1024 * 1024; sent += piece.length) {
                        out.write(piece);
                    }
                } catch (IOException ended) {
                    // the server ended the connection after its answer
                }
                answer.get(60, TimeUnit.SECONDS);
            }

            assertThat(server.isAlive())
                    .as("the server is alive; its log: " + log)
                    .isTrue();
            Exchange next = writeWholeThenRead(
                    port, "POST " + ANALYZE + " HTTP/1.1", "Authorization: Bearer " + TOKEN + "\r\n", "", 0);
            assertThat(next.status()).as("it answers the next request: " + next).isEqualTo(422);
            server.getOutputStream().close();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            logReader.join(10_000);
        } finally {
            server.destroyForcibly();
        }
    }

    /** One log line for the refusal, saying {@code words}, without a stack trace; nothing from Helidon. */
    private static void assertOneQuietLine(CapturedLogs ours, CapturedLogs helidon, String words) {
        assertThat(ours.visibleRecords())
                .as("one line: " + ours.visibleLines())
                .hasSize(1)
                .allSatisfy(record -> assertThat(record.getThrown()).isNull());
        assertThat(ours.visibleLines()).anyMatch(line -> line.contains(words));
        assertThat(helidon.visibleRecords()).isEmpty();
    }

    /** A server with an access token, the core behind it in memory: started in a JVM of its own, with a small heap. */
    static final class SmallServer {

        public static void main(String[] args) throws IOException {
            try (ApiHarness api = new ApiHarness(LargeBodyTest::asServed)) {
                System.out.println("port " + api.server.port());
                System.out.flush();
                // until the test closes this end
                while (System.in.read() >= 0) {
                    // nothing
                }
            }
        }

        static int port(BufferedReader output) throws IOException {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = output.readLine()) != null) {
                if (line.startsWith("port ")) {
                    return Integer.parseInt(line.substring(5).strip());
                }
                seen.append(line).append('\n');
            }
            throw new IllegalStateException("the server did not start: " + seen);
        }
    }

    /** An answer as read from the socket; a status of 0 when none could be read. */
    record Exchange(int status, String head, String body, String trouble) {

        /** Whether the client could write its whole request: one whose write fails reports that, not the answer. */
        boolean wroteWhole() {
            return trouble == null;
        }

        boolean isEnvelope(String error) {
            try (var reader = jakarta.json.Json.createReader(new StringReader(body))) {
                var json = reader.readObject();
                return json.getString("error").equals(error)
                        && json.getInt("status_code") == status
                        && !json.getString("message").isBlank();
            } catch (RuntimeException e) {
                return false;
            }
        }

        /** The status and what went wrong, without the body. */
        String summary() {
            return (status == 0 ? "no answer" : String.valueOf(status)) + (trouble == null ? "" : " (" + trouble + ")");
        }

        @Override
        public String toString() {
            return status == 0
                    ? "no answer (" + trouble + ")"
                    : status + " " + body + (trouble == null ? "" : " (" + trouble + ")");
        }
    }

    /** A chunked body of this many bytes, in 64 KiB chunks, written whole before anything is read. */
    private Exchange writeWholeThenRead(String requestLine, String headers, int bodyBytes) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] piece = new byte[64 * 1024];
        Arrays.fill(piece, (byte) ' ');
        for (int left = bodyBytes; left > 0; left -= piece.length) {
            int size = Math.min(left, piece.length);
            body.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            body.write(piece, 0, size);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return writeWholeThenRead(
                api.server.port(), requestLine, headers + "Transfer-Encoding: chunked\r\n", body.toByteArray());
    }

    /**
     * A request whose body is {@code start} and this many spaces, written whole before reading: chunked ({@code start}
     * a chunk-size line) unless the headers declare a length or there is no body.
     */
    private Exchange writeWholeThenRead(String requestLine, String headers, String start, int spaces) {
        return writeWholeThenRead(api.server.port(), requestLine, headers, start, spaces);
    }

    private static Exchange writeWholeThenRead(int port, String requestLine, String headers, String start, int spaces) {
        byte[] body = new byte[start.length() + spaces];
        Arrays.fill(body, (byte) ' ');
        System.arraycopy(start.getBytes(StandardCharsets.US_ASCII), 0, body, 0, start.length());
        String framing = headers.toLowerCase(Locale.ROOT).contains("content-length:") || start.isEmpty() && spaces == 0
                ? headers
                : headers + "Transfer-Encoding: chunked\r\n";
        return writeWholeThenRead(port, requestLine, framing, body);
    }

    private static Exchange writeWholeThenRead(int port, String requestLine, String headers, byte[] body) {
        String trouble = null;
        try (Socket socket = new Socket()) {
            // as small as many systems make it (Linux grows its own to megabytes): the body cannot hide in it, so the
            // client is still writing when the server answers
            socket.setSendBufferSize(64 * 1024);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write((requestLine + "\r\nHost: localhost\r\nContent-Type: application/json\r\n" + headers + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // the server ended the connection: its answer may still be there to read
                trouble = "writing: " + e;
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return new Exchange(0, head.toString(StandardCharsets.ISO_8859_1), "", trouble + "; ended");
                }
                head.write(b);
            }
            String headText = head.toString(StandardCharsets.ISO_8859_1);
            Matcher status = STATUS.matcher(headText);
            Matcher length = LENGTH.matcher(headText);
            if (!status.lookingAt() || !length.find()) {
                return new Exchange(0, headText, "", trouble + "; not an answer with a length");
            }
            byte[] answer = in.readNBytes(Integer.parseInt(length.group(1)));
            return new Exchange(
                    Integer.parseInt(status.group(1)), headText, new String(answer, StandardCharsets.UTF_8), trouble);
        } catch (IOException e) {
            return new Exchange(0, "", "", (trouble == null ? "" : trouble + "; ") + "reading: " + e);
        }
    }
}
