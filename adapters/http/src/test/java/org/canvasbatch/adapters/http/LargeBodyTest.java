package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.canvasbatch.adapters.http.ops.AccessToken;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bodies the server does not read to their end, written through real sockets: the answer must reach a client that
 * writes its whole body before it reads (closing a socket with unread bytes sends a reset, which throws away an answer
 * the client has not read yet).
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
