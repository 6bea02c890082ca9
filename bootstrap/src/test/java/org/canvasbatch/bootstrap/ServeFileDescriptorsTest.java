package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any local process (another account on the machine, a runaway script) may open connections to the server until the
 * process runs out of file descriptors. Helidon 4.5's listener, handed "Too many open files" by {@code accept}, stops
 * for good ("this server socket is terminating now", with a stack trace): the process lives on, the batches run, and no
 * plugin, dashboard or health check reaches the server again until the learner finds and restarts it. So the server
 * holds fewer connections than it has descriptors for, and at that cap the connection that has waited longest for a
 * request makes room for the next (ConnectionDeadlines): the plugin is served while they are held, and after.
 *
 * <p>The child gets its limit from a POSIX shell's {@code ulimit}, as the test suite itself runs under bash
 * ({@code ./run-tests}); the test never skips itself, so a CI run that passes has run it.
 */
class ServeFileDescriptorsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int HOSTILE_CONNECTIONS = 600;

    @TempDir
    Path temp;

    private Process server;
    private final List<Socket> hostile = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        closeAll(hostile);
        if (server != null) {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServerHeldAtItsConnectionCapServesThePluginWhileTheyAreHeldAndAfter() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        int port = freePort();
        server = ServeProcess.start(
                temp.resolve("serve.log"),
                PATIENCE,
                List.of("/bin/sh", "-c", "ulimit -n 320 && exec \"$0\" \"$@\""),
                List.of("--port", String.valueOf(port), "--vault", vault.toString(), "--data", "memory"),
                Map.of());
        assertThat(health(port)).as("served before").isEqualTo(200);

        for (int i = 0; i < HOSTILE_CONNECTIONS; i++) {
            Socket socket = new Socket();
            hostile.add(socket);
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                // headers that never end: the connection is held
                socket.getOutputStream()
                        .write("GET /health HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (java.net.ConnectException refused) {
                break; // the server stopped listening already
            }
        }
        // more connections than descriptors were opened: each past the cap ended one that had asked nothing
        // (the connections waiting in the backlog ahead of it are each taken in and make room first)
        awaitUntil(() -> health(port) == 200, "the plugin is served while they are held");
        assertThat(hostile.stream()
                        .filter(ServeFileDescriptorsTest::endedByTheServer)
                        .count())
                .as("connections ended to make room")
                .isGreaterThan(HOSTILE_CONNECTIONS / 4);

        closeAll(hostile);

        awaitUntil(() -> health(port) == 200, "the plugin is served again once the connections are gone");
    }

    /**
     * Whether the server ended the connection: its headers never ended, so anything that comes (the 400 for a request
     * cut off inside its headers, or the end of the stream) says the server stopped waiting for them.
     */
    private static boolean endedByTheServer(Socket socket) {
        try {
            socket.setSoTimeout(50);
            socket.getInputStream().read();
            return true;
        } catch (IOException e) {
            return e instanceof java.net.SocketException; // reset: ended too; a timeout: still held
        }
    }

    /** GET /health's status, or -1 when there is no answer within two seconds (refused, or never answered). */
    private static int health(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            String status = new String(head, StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/1.1 ") ? Integer.parseInt(status.substring(9, 12)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(
                    Duration.ofMillis(200).toNanos());
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        sockets.clear();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
