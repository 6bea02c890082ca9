package org.canvasbatch.adapters.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.SocketWriterException;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * The connections Helidon 4.5's HTTP/1.1 selector does not take: a first line that is not {@code … HTTP/1.1} followed
 * by CRLF, or none within its request-line limit. Helidon closes them without a byte and logs only at DEBUG, so nginx
 * in front (whose {@code proxy_pass} speaks HTTP/1.0 unless told {@code proxy_http_version 1.1}) turns every call of
 * the plugin into "502 Bad Gateway" with nothing in this server's log. Each gets one answer in the error envelope
 * (CONTRACT §1) saying what to change — 505 for another HTTP version, 414 for a request line past the limit, 400
 * otherwise (a bare LF, a TLS handshake from a base URL given as https://) — one log line, and the connection
 * closed.
 */
final class NotHttp11 implements ServerConnectionSelector {

    private static final Pattern VERSION = Pattern.compile("HTTP/\\d(\\.\\d)?");
    private static final String HTTP_11_LINE_END = " HTTP/1.1\r";
    /** The first byte of a TLS record that opens a handshake: a client that was given https:// for this port. */
    private static final byte TLS_HANDSHAKE = 0x16;
    /** The most of a request's headers, and of its body, read past the answer (see {@code discardTheRequest}). */
    private static final int LONGEST_HEAD = 64 * 1024;

    private static final long LONGEST_DISCARDED = 64L * 1024 * 1024;
    private static final Pattern CONTENT_LENGTH =
            Pattern.compile("(?im)^content-length:[ \\t]*([0-9]{1,18})[ \\t]*\\r?$");

    private final int maxLine = Http1Config.create().maxPrologueLength();
    private final RefusalLog refusals;

    NotHttp11(RefusalLog refusals) {
        this.refusals = refusals;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData buffer) {
        if (buffer.available() > 0 && buffer.get(0) == TLS_HANDSHAKE) {
            return Support.SUPPORTED;
        }
        int newline = buffer.indexOf((byte) '\n');
        if (newline < 0) {
            return buffer.available() > maxLine ? Support.SUPPORTED : Support.UNKNOWN;
        }
        return buffer.readString(newline, StandardCharsets.ISO_8859_1).endsWith(HTTP_11_LINE_END)
                ? Support.UNSUPPORTED
                : Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new Answer(ctx, maxLine, refusals);
    }

    private record Answer(ConnectionContext ctx, int maxLine, RefusalLog refusals) implements ServerConnection {

        @Override
        public void handle(Semaphore requestSemaphore) {
            answer();
        }

        @Override
        public void handle(Limit limit) {
            answer();
        }

        @Override
        public Duration idleTime() {
            return Duration.ZERO;
        }

        @Override
        public void close(boolean interrupt) {}

        private void answer() {
            DataReader reader = ctx.dataReader();
            byte[] seen = reader.readBytes(Math.min(reader.available(), maxLine + 1));
            int newline = indexOf(seen, (byte) '\n');
            int status;
            String why;
            String line;
            if (seen.length > 0 && seen[0] == TLS_HANDSHAKE) {
                status = Status.BAD_REQUEST_400.code();
                line = "(a TLS handshake)";
                why = "this server speaks plain HTTP on this port: its address starts with http://, not https://";
            } else if (newline < 0) {
                status = Status.REQUEST_URI_TOO_LONG_414.code();
                line = new String(seen, 0, Math.min(seen.length, 200), StandardCharsets.ISO_8859_1);
                why = "its request line is longer than " + maxLine + " bytes";
            } else {
                boolean crlf = newline > 0 && seen[newline - 1] == '\r';
                line = new String(seen, 0, crlf ? newline - 1 : newline, StandardCharsets.ISO_8859_1);
                String version = line.substring(line.lastIndexOf(' ') + 1);
                if (VERSION.matcher(version).matches() && !version.equals("HTTP/1.1")) {
                    status = Status.HTTP_VERSION_NOT_SUPPORTED_505.code();
                    why = version + " is not supported: send HTTP/1.1 (behind nginx: 'proxy_http_version 1.1;')";
                } else if (!crlf) {
                    status = Status.BAD_REQUEST_400.code();
                    why = "its lines end in a bare line feed; HTTP/1.1 ends each line with CRLF";
                } else {
                    status = Status.BAD_REQUEST_400.code();
                    why = "its first line is not an HTTP/1.1 request line (METHOD /path HTTP/1.1)";
                }
            }
            byte[] body = MalformedRequests.logAndDescribe(refusals, status, why, printable(line));
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            response.writeBytes(
                    ("HTTP/1.1 " + status + " " + Status.create(status).reasonPhrase() + "\r\n"
                                    + "Content-Type: application/json; charset=utf-8\r\n"
                                    + "Content-Length: " + body.length + "\r\n"
                                    + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            response.writeBytes(body);
            try {
                ctx.dataWriter().writeNow(BufferData.create(response.toByteArray()));
            } catch (UncheckedIOException | SocketWriterException e) {
                // the client went away before its answer (a reset): Helidon ends the connection quietly on this, where
                // the write's own exception was its "unexpected I/O exception", a WARNING with a stack trace, one for
                // each connection outside the refusal budget
                throw new ServerConnectionException("the client went away before its answer", e);
            }
            if (newline >= 0 && seen[0] != TLS_HANDSHAKE) {
                // a request of lines (another HTTP version, bare line feeds): its headers and body follow
                discardTheRequest(reader, seen);
            }
        }

        /**
         * Reads and throws away the rest of the request (its headers and the body its Content-Length declares, up to
         * {@link #LONGEST_DISCARDED}). Closed with bytes unread, the connection is reset: a client that writes its
         * whole request before it reads (nginx does) fails on its write and never sees the answer. A client that sends
         * less than it declared is waited for no longer than any other connection's read.
         */
        private static void discardTheRequest(DataReader reader, byte[] seen) {
            try {
                byte[] head = java.util.Arrays.copyOf(seen, Math.max(seen.length, LONGEST_HEAD));
                int size = seen.length;
                int scanned = 0;
                int end;
                // each read is scanned once (from two bytes back, for a blank line split between reads): a client
                // sending a byte at a time costs a scan of that byte, not of everything before it
                while ((end = endOfHeaders(head, size, scanned)) < 0) {
                    if (size >= LONGEST_HEAD) {
                        return;
                    }
                    scanned = Math.max(0, size - 2);
                    reader.ensureAvailable();
                    byte[] more = reader.readBytes(Math.min(reader.available(), LONGEST_HEAD - size));
                    System.arraycopy(more, 0, head, size, more.length);
                    size += more.length;
                }
                java.util.regex.Matcher declared =
                        CONTENT_LENGTH.matcher(new String(head, 0, end, StandardCharsets.ISO_8859_1));
                if (!declared.find()) {
                    return;
                }
                long length = Long.parseLong(declared.group(1));
                if (length > LONGEST_DISCARDED) {
                    return;
                }
                long left = length - (size - end);
                while (left > 0) {
                    reader.ensureAvailable();
                    int skipped = (int) Math.min(left, reader.available());
                    reader.skip(skipped);
                    left -= skipped;
                }
            } catch (RuntimeException e) {
                // the client has gone, or stopped sending: nothing more to read
            }
        }

        /** Where the body starts (after the blank line, CRLF or bare LF) in the first {@code size} bytes, or -1. */
        private static int endOfHeaders(byte[] bytes, int size, int from) {
            for (int i = from; i + 1 < size; i++) {
                if (bytes[i] == '\n' && bytes[i + 1] == '\n') {
                    return i + 2;
                }
                if (bytes[i] == '\n' && bytes[i + 1] == '\r' && i + 2 < size && bytes[i + 2] == '\n') {
                    return i + 3;
                }
            }
            return -1;
        }

        private static int indexOf(byte[] bytes, byte wanted) {
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == wanted) {
                    return i;
                }
            }
            return -1;
        }

        private static String printable(String text) {
            String bounded = text.length() > 200 ? text.substring(0, 200) + "…" : text;
            // bytes, not characters: only printable ASCII reaches the log (no C0 or C1 controls, no escape sequences)
            return bounded.replaceAll("[^\\x20-\\x7e…]", "?");
        }
    }
}
