package org.canvasbatch.bootstrap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code canvas-batch serve} in a child JVM on the test's class path, as a learner's machine runs it, so a test can
 * SIGKILL it; its output goes to {@code log}, and {@link #start} returns once it says it is serving.
 */
final class ServeProcess {

    private ServeProcess() {}

    /** The command line of {@code canvas-batch serve} with {@code serveArguments}, for a test that starts it itself. */
    static List<String> command(List<String> serveArguments) {
        List<String> command = new ArrayList<>(List.of("serve"));
        command.addAll(serveArguments);
        return MainProcess.command(command);
    }

    /** Kills what a test started (SIGKILL: nothing of it is needed after the test) and waits for each to go. */
    static void stopAll(List<Process> started) throws InterruptedException {
        for (Process process : started) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static Process start(Path log, Duration patience, List<String> serveArguments) throws Exception {
        return start(log, patience, serveArguments, java.util.Map.of());
    }

    /** With {@code environment} added to this process's: for settings that have no command-line option. */
    static Process start(
            Path log, Duration patience, List<String> serveArguments, java.util.Map<String, String> environment)
            throws Exception {
        return start(log, patience, List.of(), serveArguments, environment);
    }

    /**
     * With {@code launcher} in front of the JVM's command line, e.g. {@code sh -c 'ulimit -n 256 && exec "$0" "$@"'}
     * for a process with fewer file descriptors than this one.
     */
    static Process start(
            Path log,
            Duration patience,
            List<String> launcher,
            List<String> serveArguments,
            java.util.Map<String, String> environment)
            throws Exception {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(command(serveArguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    Files.writeString(
                            log,
                            line + System.lineSeparator(),
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    if (line.startsWith("canvas-batch serving")) {
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        if (!ready.await(patience.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the server did not start: " + (Files.exists(log) ? Files.readString(log) : ""));
        }
        return process;
    }
}
