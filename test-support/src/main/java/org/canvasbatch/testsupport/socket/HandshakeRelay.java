package org.canvasbatch.testsupport.socket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay for one connection between a JDK WebSocket client and the server. Every byte goes on unchanged and in order;
 * the only difference is when: after the server's {@code 101} response, what the server sends waits here until the
 * client's WebSocket is open. The JDK's client loses the bytes of a read that lands while it hands the connection from
 * its HTTP/1 reader to its WebSocket reader, so a server that streams a long replay the moment the socket opens looks
 * to it as if it had sent a broken frame (docs/architecture.md, "The JDK's WebSocket client and a stream that starts at
 * once"). Held until the client's {@code onOpen}, those bytes reach a reader that keeps them.
 */
final class HandshakeRelay {

    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

    private final ServerSocket listener;
    private final URI target;
    private final CountDownLatch open = new CountDownLatch(1);

    private HandshakeRelay(URI target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    /** Listens for the one client that will connect to {@link #uri()} and relays it to {@code target}. */
    static HandshakeRelay to(URI target) {
        try {
            HandshakeRelay relay = new HandshakeRelay(target);
            Thread.ofVirtual().name("relay-accept").start(relay::acceptOne);
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The target's address with the relay's port (the same path and query). */
    URI uri() {
        return URI.create(target.getScheme() + "://127.0.0.1:" + listener.getLocalPort() + target.getRawPath()
                + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()));
    }

    /** The client's WebSocket is open: what the server sent meanwhile may go on. */
    void opened() {
        open.countDown();
    }

    /** The client gave up before it connected: stop listening. */
    void abandon() {
        open.countDown();
        closeQuietly(listener);
    }

    private void acceptOne() {
        Socket client;
        Socket server;
        try (listener) {
            client = listener.accept();
        } catch (IOException e) {
            return;
        }
        try {
            server = new Socket();
            server.connect(new InetSocketAddress(target.getHost(), target.getPort()));
        } catch (IOException e) {
            closeQuietly(client);
            return;
        }
        AtomicInteger directionsLeft = new AtomicInteger(2);
        Runnable directionEnded = () -> {
            if (directionsLeft.decrementAndGet() == 0) {
                closeQuietly(client);
                closeQuietly(server);
            }
        };
        Thread.ofVirtual().name("relay-to-server").start(() -> {
            pump(client, server, false);
            directionEnded.run();
        });
        Thread.ofVirtual().name("relay-to-client").start(() -> {
            pump(server, client, true);
            directionEnded.run();
        });
    }

    /** Copies {@code from} to {@code to} until {@code from} ends; {@code holdAfterUpgrade} for the server's side. */
    private void pump(Socket from, Socket to, boolean holdAfterUpgrade) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            if (holdAfterUpgrade) {
                byte[] early = relayHeadThenHold(in, out);
                if (early == null) {
                    to.shutdownOutput();
                    return;
                }
                out.write(early);
            }
            int read;
            while ((read = in.read(buffer)) > 0) {
                out.write(buffer, 0, read);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /**
     * Passes the response head on at once; after a {@code 101}, waits for the client's WebSocket to open. Returns the
     * bytes read past the head (to send next), or null when the server ended first.
     */
    private byte[] relayHeadThenHold(InputStream in, OutputStream out) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = indexOf(seen.toByteArray(), END_OF_HEAD)) < 0) {
            int read = in.read(buffer);
            if (read < 0) {
                out.write(seen.toByteArray());
                return null;
            }
            seen.write(buffer, 0, read);
        }
        byte[] bytes = seen.toByteArray();
        int afterHead = headEnd + END_OF_HEAD.length;
        out.write(bytes, 0, afterHead);
        out.flush();
        if (new String(bytes, 0, afterHead, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
            try {
                if (!open.await(TestSocket.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IOException("the client's WebSocket did not open");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while holding the stream", e);
            }
        }
        return Arrays.copyOfRange(bytes, afterHead, bytes.length);
    }

    private static int indexOf(byte[] bytes, byte[] wanted) {
        outer:
        for (int i = 0; i + wanted.length <= bytes.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (bytes[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // the other side already ended it
        }
    }
}
