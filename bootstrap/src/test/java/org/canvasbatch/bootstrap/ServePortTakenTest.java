package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second {@code serve} on a port that is taken (the first one still running, another program on it): the learner is
 * told so in one line and the process ends, instead of a stack trace, "listening on http://127.0.0.1:-1" and a process
 * that waits for ever while the plugin talks to whatever holds the port.
 */
class ServePortTakenTest {

    @TempDir
    Path temp;

    @Test
    void aServeWhosePortIsTakenSaysSoInOneLineAndEnds() throws Exception {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Path log = temp.resolve("serve.log");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Process serve = new ProcessBuilder(ServeProcess.command(List.of(
                            "--host",
                            "127.0.0.1",
                            "--port",
                            String.valueOf(port),
                            "--vault",
                            vault.toString(),
                            "--data",
                            temp.resolve("data").toString())))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                assertThat(serve.waitFor(60, TimeUnit.SECONDS))
                        .as("serve ends when it cannot listen: %s", read(log))
                        .isTrue();
                String output = read(log);
                assertThat(serve.exitValue()).as(output).isEqualTo(2);
                assertThat(output)
                        .contains("canvas-batch: could not start the server on 127.0.0.1:" + port)
                        .contains("in use")
                        .contains("--port")
                        .doesNotContain("\tat ")
                        .doesNotContain("SEVERE")
                        .doesNotContain(":-1");
            } finally {
                serve.destroyForcibly();
            }
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
