package org.canvasbatch.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One Node.js child process of the fan-out benchmark (a client set or the replay server): it speaks in lines on its
 * standard output, takes commands as lines on its standard input, and is stopped by its own pid.
 */
final class NodeProcess implements AutoCloseable {

    /** What the reader puts in the queue when the process closed its output: nothing more will come. */
    private static final String END_OF_OUTPUT = "\u0000end";

    private final Process process;
    private final Path errors;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private NodeProcess(Process process, Path errors) {
        this.process = process;
        this.errors = errors;
        Thread.ofVirtual().name("node-" + process.pid() + "-out").start(this::readOutput);
    }

    /**
     * @param node   the {@code node} executable
     * @param script a script of {@code benchmarks/node}, run with that folder as its working directory (its
     *               {@code node_modules} holds {@code ws})
     * @param errors where its standard error goes
     */
    static NodeProcess start(String node, Path script, List<String> arguments, Path errors) throws IOException {
        return start(node, List.of(), script, arguments, errors);
    }

    /** The same with options for {@code node} itself, e.g. {@code --expose-gc}. */
    static NodeProcess start(String node, List<String> nodeOptions, Path script, List<String> arguments, Path errors)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(node));
        command.addAll(nodeOptions);
        command.add(script.getFileName().toString());
        command.addAll(arguments);
        Process process = new ProcessBuilder(command)
                .directory(script.getParent().toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()))
                .start();
        return new NodeProcess(process, errors);
    }

    private void readOutput() {
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException closed) {
            // the process is gone: what it said so far is in the queue
        } finally {
            lines.add(END_OF_OUTPUT);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Its CPU time so far, in clock ticks; -1 once it has exited. */
    long cpuTicks() {
        try {
            return ServerProcess.cpuTicks(pid());
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    /**
     * Waits for the next line that starts with {@code prefix}, skipping others.
     *
     * @throws IOException when the process says {@code failed …}, exits first, or is silent for {@code patience}
     */
    String awaitLine(String prefix, Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IOException("node " + pid() + " did not say '" + prefix + "' within " + patience.toSeconds()
                        + " s" + errorTail());
            }
            if (line.equals(END_OF_OUTPUT)) {
                lines.add(END_OF_OUTPUT);
                throw new IOException("node " + pid() + " ended before saying '" + prefix + "'" + errorTail());
            }
            if (line.startsWith("failed")) {
                throw new IOException("node " + pid() + ": " + line + errorTail());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Sends one line to its standard input. */
    void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private String errorTail() {
        try {
            List<String> all = Files.readAllLines(errors);
            return all.isEmpty()
                    ? ""
                    : "; its errors:\n" + String.join("\n", all.subList(Math.max(0, all.size() - 15), all.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM, then SIGKILL if it is still there a few seconds later. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
