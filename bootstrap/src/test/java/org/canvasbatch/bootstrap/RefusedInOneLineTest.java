package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input is refused in one sentence on the command line and in one line of the server's log: a canvas linked out of
 * the vault, and a client's text with line breaks that would otherwise start a forged log line.
 */
class RefusedInOneLineTest {

    private static final String CANVAS =
            "{\"nodes\":[{\"id\":\"a1\",\"type\":\"text\",\"text\":\"What is a proposition?\","
                    + "\"color\":\"1\",\"x\":0,\"y\":0,\"width\":200,\"height\":60}],\"edges\":[]}";

    @TempDir
    Path temp;

    private record Outcome(int exitCode, String out, String err) {}

    private static Outcome main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * {@code canvas-batch run vault/l.canvas} where {@code l.canvas -> ../outside/x.canvas}: refused like every other
     * bad canvas (a sentence, exit code 2), not an uncaught VaultException with a stack trace and exit code 1.
     */
    @Test
    void aCanvasThatIsASymbolicLinkOutOfTheVaultIsRefusedInOneSentence() throws Exception {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("x.canvas"), CANVAS);
        Path link = Files.createSymbolicLink(vault.resolve("l.canvas"), Path.of("../outside/x.canvas"));

        Outcome outcome = main("run", link.toString(), "--data", "memory", "--plain");

        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
        assertThat(outcome.err()).startsWith("canvas-batch: ").contains("outside the vault");
        assertThat(outcome.err()).doesNotContain("Exception", "\tat ");
        assertThat(outside.resolve("x-notes")).doesNotExist();
    }

    /**
     * A client's text reaches the server's log inside a refusal's message; a line break in it must not start a new,
     * forged log line (CONTRACT §1: a refusal "is logged in one line").
     */
    @Test
    void aLineBreakInARequestCannotForgeALogLine() throws Exception {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        Files.writeString(vault.resolve("q.canvas"), CANVAS);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = temp.resolve("serve.log");
        Process server = ServeProcess.start(
                log,
                Duration.ofSeconds(90),
                List.of("--port", String.valueOf(port), "--vault", vault.toString(), "--data", "memory"));
        try {
            String forged = "2026-01-01T00:00:00.000Z SEVERE  FORGED token leaked";
            HttpResponse<String> answer = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + port + "/canvas/intelligent-parallel/confirm"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"session_id\":\"x\\n" + forged + "\"}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(404);

            Instant deadline = Instant.now().plusSeconds(20);
            List<String> lines = Files.readAllLines(log);
            while (lines.stream().noneMatch(l -> l.contains("SessionNotFoundError"))
                    && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
                lines = Files.readAllLines(log);
            }
            assertThat(lines).anyMatch(l -> l.contains("SessionNotFoundError"));
            assertThat(lines).as("the log").noneMatch(l -> l.startsWith(forged));
        } finally {
            server.destroy();
            server.waitFor();
        }
    }
}
