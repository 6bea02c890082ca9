package org.canvasbatch.adapters.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests written byte by byte, for what the JDK client will not send: a {@code Host} of the caller's choosing (as a
 * page does after DNS rebinding), a path exactly as typed ({@code curl --path-as-is}), bytes that are not UTF-8.
 */
final class RawHttp {

    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3})");
    private static final Pattern LENGTH = Pattern.compile("(?im)^content-length: *(\\d+)");

    /** One response: the status line's code, the head as text, the body as text. */
    record Response(int status, String head, String body) {

        String header(String name) {
            Matcher matcher = Pattern.compile("(?im)^" + Pattern.quote(name) + ": *(.*?)\\r?$")
                    .matcher(head);
            return matcher.find() ? matcher.group(1) : null;
        }

        jakarta.json.JsonObject json() {
            try (var reader = jakarta.json.Json.createReader(new StringReader(body))) {
                return reader.readObject();
            }
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private RawHttp() {}

    /** A request with the given request line, headers (each ending in CRLF) and body; {@code Connection: close}. */
    static Response send(int port, String requestLine, String headers, byte[] body) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(
                (requestLine + "\r\n" + headers + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(body);
        return exchange(port, request.toByteArray());
    }

    static Response get(int port, String path, String headers) {
        return send(port, "GET " + path + " HTTP/1.1", headers, new byte[0]);
    }

    /** Writes the bytes, reads one response (by its Content-Length). */
    static Response exchange(int port, byte[] request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            String headText = head.toString(StandardCharsets.ISO_8859_1);
            Matcher status = STATUS.matcher(headText);
            if (!status.lookingAt()) {
                throw new IllegalStateException("not an HTTP response: " + headText);
            }
            Matcher length = LENGTH.matcher(headText);
            byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : in.readAllBytes();
            return new Response(Integer.parseInt(status.group(1)), headText, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
