package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes on one data folder (both default to {@code ~/.canvas-batch/data}): a second {@code serve} on another
 * port, or a {@code run} while the server the plugin talks to is up. Each would read the other's running batches as
 * interrupted by a crash and run their nodes again (two model calls, two notes, two writers of one journal file), so
 * the second is refused in one line that names the process holding the folder; once that one has ended, even by
 * SIGKILL, the folder is free.
 */
class DataFolderInUseTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String CANVAS = "CS/Data Structures.canvas";

    @TempDir
    Path temp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        ServeProcess.stopAll(started);
    }

    @Test
    void aSecondServeOnTheSameDataFolderIsRefusedAndTheFolderIsFreeOnceTheFirstIsKilled() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        Path data = temp.resolve("data");
        Process first = serve(vault, data, "first");

        Path secondLog = temp.resolve("second.log");
        Process second = new ProcessBuilder(ServeProcess.command(List.of(
                        "--port", String.valueOf(freePort()), "--vault", vault.toString(), "--data", data.toString())))
                .redirectErrorStream(true)
                .redirectOutput(secondLog.toFile())
                .start();
        started.add(second);
        assertThat(second.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .as("the second serve ends: %s", read(secondLog))
                .isTrue();
        String said = read(secondLog);
        assertThat(second.exitValue()).as(said).isEqualTo(2);
        assertThat(said)
                .contains("canvas-batch: --data " + data + ": the folder is in use by another canvas-batch (process "
                        + first.pid() + ")")
                .doesNotContain("\tat ")
                .doesNotContain("recovered");
        assertThat(first.isAlive()).isTrue();

        first.destroyForcibly(); // SIGKILL: the system lets go of whatever the process held
        assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(serve(vault, data, "third").isAlive()).isTrue();
    }

    /**
     * The launcher checks a serve's settings before the start that trains its startup cache: a data folder in use must
     * fail that check, or the training run is the one refused, leaving a cache trained on a failed start and the JVM's
     * cache lines printed after the error (a hostile test).
     */
    @Test
    void theSettingsCheckBeforeTrainingRefusesADataFolderInUse() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        Path data = temp.resolve("data");
        Process first = serve(vault, data, "first");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code;
        System.setProperty(ServeCommand.SETTINGS_CHECK_ONLY, "true");
        try {
            code = Main.run(
                    List.of(
                            "serve",
                            "--port",
                            String.valueOf(freePort()),
                            "--vault",
                            vault.toString(),
                            "--data",
                            data.toString()),
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            System.clearProperty(ServeCommand.SETTINGS_CHECK_ONLY);
        }

        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(said).isEqualTo(2);
        assertThat(said).contains("the folder is in use by another canvas-batch (process " + first.pid() + ")");
        assertThat(first.isAlive()).isTrue();
    }

    @Test
    void aRunWhileTheServerHoldsTheDataFolderIsRefusedAndLeavesTheCanvasAlone() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        Path data = temp.resolve("data");
        byte[] canvasBefore = Files.readAllBytes(vault.resolve(CANVAS));
        Process server = serve(vault, data, "server");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                List.of("run", CANVAS, "--vault", vault.toString(), "--data", data.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(said).isEqualTo(2);
        assertThat(said).contains("in use by another canvas-batch (process " + server.pid() + ")");
        assertThat(Files.readAllBytes(vault.resolve(CANVAS))).isEqualTo(canvasBefore);

        // a dry run that passed here would promise a run that is then refused
        ByteArrayOutputStream dryErr = new ByteArrayOutputStream();
        int dryCode = Main.run(
                List.of("run", CANVAS, "--vault", vault.toString(), "--data", data.toString(), "--dry-run"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(dryErr, true, StandardCharsets.UTF_8));
        String dryRunSaid = dryErr.toString(StandardCharsets.UTF_8);
        assertThat(dryCode).as(dryRunSaid).isEqualTo(2);
        assertThat(dryRunSaid).contains("in use by another canvas-batch (process " + server.pid() + ")");
    }

    private Process serve(Path vault, Path data, String name) throws Exception {
        Process process = ServeProcess.start(
                temp.resolve(name + ".log"),
                PATIENCE,
                List.of("--port", String.valueOf(freePort()), "--vault", vault.toString(), "--data", data.toString()));
        started.add(process);
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
