package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's log: canvas-batch's own level, and one line per message whatever a client's text holds. */
class LogSetupTest {

    private static final String CANVAS =
            "{\"nodes\":[{\"id\":\"a1\",\"type\":\"text\",\"text\":\"What is a proposition?\","
                    + "\"color\":\"1\",\"x\":0,\"y\":0,\"width\":200,\"height\":60}],\"edges\":[]}";

    @TempDir
    Path temp;

    @Test
    void canvasBatchsOwnLevelSurvivesAGarbageCollection() {
        LogSetup.configure(Level.INFO, Level.WARNING);
        var probe = new WeakReference<>(new Object());

        while (probe.get() != null) { // a collection that cleared weak references has happened
            System.gc();
        }

        assertThat(Logger.getLogger("org.canvasbatch.application").isLoggable(Level.INFO))
                .as("the INFO lines of canvas-batch still print")
                .isTrue();
    }

    @Test
    void whatCouldStartAnotherLineOrTurnItAroundIsWrittenAsAnEscape() {
        assertThat(LogSetup.oneLine("session x\n2026-01-01T00:00:00Z SEVERE forged\r"))
                .isEqualTo("session x\\n2026-01-01T00:00:00Z SEVERE forged\\r");
        assertThat(LogSetup.oneLine("a\u0085b\u2028c\u2029d\u202Ee\u0000f"))
                .isEqualTo("a\\u0085b\\u2028c\\u2029d\\u202ee\\u0000f");
        assertThat(LogSetup.oneLine("hidden\uDB40\uDC41\uDB40\uDC7F tags"))
                .as("invisible tag characters, outside the basic plane")
                .isEqualTo("hidden\\U000e0041\\U000e007f tags");
        assertThat(LogSetup.oneLine("什么是逆否命题\t(oral-explanation) ✅ 😀"))
                .as("text and tabs stay as they are")
                .isEqualTo("什么是逆否命题\t(oral-explanation) ✅ 😀");
    }

    @Test
    void aThrowablesMessageKeepsToItsLineAndItsTraceStaysWhole() {
        LogSetup.configure(Level.INFO, Level.WARNING);
        java.util.logging.Formatter oneLine =
                Logger.getLogger("").getHandlers()[0].getFormatter();
        var record = new java.util.logging.LogRecord(Level.WARNING, "a request failed");
        record.setThrown(new IllegalStateException(
                "bad header\n2026-01-01T00:00:00Z SEVERE forged", new java.io.IOException("cause\r\nforged too")));

        String[] lines = oneLine.format(record).split("\\R");

        assertThat(lines[0]).endsWith("a request failed");
        assertThat(lines[1])
                .isEqualTo("java.lang.IllegalStateException: bad header\\n2026-01-01T00:00:00Z SEVERE forged");
        assertThat(lines).anyMatch(l -> l.startsWith("\tat org.canvasbatch.bootstrap.LogSetupTest."));
        assertThat(lines).contains("Caused by: java.io.IOException: cause\\r\\nforged too");
        assertThat(lines).noneMatch(l -> l.startsWith("2026-01-01") || l.startsWith("forged"));
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

            // the server writes its line after it answers: waited for, as a line of the log
            org.canvasbatch.testsupport.EventRecorder.awaitCondition(
                    () -> logLines(log).stream().anyMatch(l -> l.contains("SessionNotFoundError")),
                    "the refusal's log line");
            List<String> lines = logLines(log);
            assertThat(lines).as("the log").noneMatch(l -> l.startsWith(forged));
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static List<String> logLines(Path log) {
        try {
            return Files.readAllLines(log);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
