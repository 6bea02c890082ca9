package org.canvasbatch.benchmarks.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket client that costs almost nothing: it does the opening handshake on a plain socket, then reads and throws
 * away whatever arrives, without decoding a frame. The server cannot tell it from a fast reader, so it carries its
 * share of a session's fan-out while the few {@link Watcher} probes next to it measure what a client receives — without
 * a thousand decoding clients in this JVM eating the two cores the server runs on.
 */
final class DrainSocket implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final AtomicLong bytes = new AtomicLong();

    private DrainSocket(Socket socket) {
        this.socket = socket;
    }

    /** Opens the socket and completes the upgrade; the draining runs on a virtual thread until the socket closes. */
    static DrainSocket open(URI uri) throws IOException {
        Socket socket = new Socket();
        try {
            // a window of its own: sockets of one plugin window share the events between them
            socket.bind(new InetSocketAddress(Loopback.next(), 0));
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 30_000);
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n"
                    + "Origin: app://obsidian.md\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String head = readHead(socket.getInputStream());
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IOException(
                        "the upgrade was refused: " + head.lines().findFirst().orElse(head));
            }
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        DrainSocket drain = new DrainSocket(socket);
        Thread.ofVirtual().name("drain").start(drain::drain);
        return drain;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed during the upgrade");
            }
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private void drain() {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                bytes.addAndGet(n);
            }
        } catch (IOException closed) {
            // closed by the server (session completed) or by close()
        }
    }

    long bytesRead() {
        return bytes.get();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do with it
        }
    }
}
