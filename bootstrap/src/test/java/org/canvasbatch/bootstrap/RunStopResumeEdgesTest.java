package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C stops a {@code run} for the same command to finish later (README, exit codes): what a learner does between
 * the stop and the rerun — waiting, stopping again, running another vault's canvas of the same name — must not turn
 * the rest of the batch into failures or into another vault's notes.
 */
class RunStopResumeEdgesTest {

    @TempDir
    Path temp;

    /** A vault of its own with one canvas, {@code q.canvas}, whose red question nodes are {@code questions}. */
    private static Path vaultWith(Path dir, String... questions) throws Exception {
        Files.createDirectories(dir.resolve(".obsidian"));
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < questions.length; i++) {
            if (i > 0) {
                nodes.append(",\n");
            }
            // Obsidian gives every node a random id of 16 hex digits
            nodes.append("{\"id\":\"")
                    .append(HexFormat.of()
                            .toHexDigits(ThreadLocalRandom.current().nextLong()))
                    .append("\",\"type\":\"text\",\"text\":\"")
                    .append(questions[i])
                    .append("\",\"color\":\"1\",\"x\":")
                    .append(i * 420)
                    .append(",\"y\":0,\"width\":360,\"height\":80}");
        }
        Files.writeString(dir.resolve("q.canvas"), "{\"nodes\":[\n" + nodes + "\n],\"edges\":[]}\n");
        return dir;
    }

    private static List<String> runArgs(Path vault, Path data, FakeLlmServer llm, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "run",
                "q.canvas",
                "--vault",
                vault.toString(),
                "--data",
                data.toString(),
                "--plain",
                "--model-provider",
                "openai",
                "--base-url",
                llm.openAiBaseUrl(),
                "--model",
                "fake-model"));
        args.addAll(List.of(more));
        return args;
    }

    /** Starts a run in a child process, waits until the model has {@code calls} calls, then sends Ctrl-C. */
    private String stopAfter(List<String> args, FakeLlmServer llm, int calls, String log) throws Exception {
        List<String> command = MainProcess.command(args);
        Path output = temp.resolve(log);
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            assertThat(llm.awaitCalls(calls, Duration.ofSeconds(90)))
                    .as("the run reached the model; its output:%n%s", Files.readString(output))
                    .isTrue();
            new ProcessBuilder("kill", "-INT", String.valueOf(child.pid()))
                    .start()
                    .waitFor();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String text = Files.readString(output);
            assertThat(child.exitValue()).as(text).isEqualTo(130);
            assertThat(text).contains("Interrupted: stopping the batch");
            return text;
        } finally {
            child.destroyForcibly();
        }
    }

    private static String runHere(List<String> args, int[] exit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exit[0] = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> notesOf(Path vault) throws Exception {
        try (Stream<Path> files = Files.walk(vault)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".md")
                            && !p.getFileName().toString().startsWith("."))
                    .map(p -> vault.relativize(p).toString())
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void aBatchStoppedLongerThanItsTimeoutStillFinishesTheRestWhenRunAgain() throws Exception {
        Path vault = vaultWith(temp.resolve("vault"), "What is osmosis?", "Why do cells divide?");
        Path data = temp.resolve("data");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.hang());
            // the shortest batch timeout there is: the batch may *run* for a minute
            List<String> args = runArgs(vault, data, llm, "--timeout", "1m", "--concurrency", "1");
            long started = System.nanoTime();
            String first = stopAfter(args, llm, 1, "first.log");
            // the learner comes back later than a minute after the first start (lunch, the next day)
            long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
            Thread.sleep(Math.max(0, Duration.ofSeconds(65).toMillis() - waited));
            llm.defaultReply(Reply.echo());

            int[] exit = new int[1];
            String second = runHere(args, exit);

            assertThat(second).as("first run:%n%s", first).contains("Resuming the interrupted batch");
            assertThat(exit[0])
                    .as(
                            "the batch ran for a few seconds of its minute; the time it stood stopped is no run time:%n%s",
                            second)
                    .isZero();
            assertThat(second).contains("2 succeeded, 0 failed");
        }
    }

    @Test
    void stoppingThreeTimesWhileTheSameNodesRunDoesNotFailThem() throws Exception {
        Path vault = vaultWith(temp.resolve("vault"), "What is osmosis?", "Why do cells divide?");
        Path data = temp.resolve("data");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            // a slow local model: the learner stops before the first answers come, three times
            llm.defaultReply(Reply.hang());
            List<String> args = runArgs(vault, data, llm, "--concurrency", "2");
            StringBuilder logs = new StringBuilder();
            for (int stop = 1; stop <= 3; stop++) {
                logs.append(stopAfter(args, llm, 2 * stop, "stop-" + stop + ".log"));
            }
            llm.defaultReply(Reply.echo());

            int[] exit = new int[1];
            String last = runHere(args, exit);

            assertThat(last)
                    .as("a stop is no failure of the nodes it interrupted; earlier runs:%n%s", logs)
                    .doesNotContain("failed: ")
                    .contains("2 succeeded, 0 failed");
            assertThat(exit[0]).isZero();
            assertThat(notesOf(vault)).hasSize(2);
        }
    }

    @Test
    void theSameCanvasNameInAnotherVaultIsNotTheStoppedBatch() throws Exception {
        Path biology = vaultWith(temp.resolve("biology"), "What is osmosis?", "Why do cells divide?");
        Path history = vaultWith(temp.resolve("history"), "Why did Rome fall?", "What caused the French Revolution?");
        Path data = temp.resolve("data");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.hang());
            String first = stopAfter(runArgs(biology, data, llm, "--concurrency", "1"), llm, 1, "biology.log");
            llm.defaultReply(Reply.echo());

            int[] exit = new int[1];
            String second = runHere(runArgs(history, data, llm), exit);

            assertThat(second)
                    .as("the history vault's canvas is not the biology batch stopped before; first run:%n%s", first)
                    .doesNotContain("Resuming the interrupted batch");
            assertThat(exit[0]).as(second).isZero();
            assertThat(llm.callsWithPrompt("Rome")).as(second).isPositive();
            assertThat(llm.callsWithPrompt("French Revolution")).as(second).isPositive();
            List<String> historyNotes = notesOf(history);
            assertThat(historyNotes).as(second).hasSize(2);
            for (String note : historyNotes) {
                assertThat(Files.readString(history.resolve(note)))
                        .as("%s in the history vault", note)
                        .doesNotContain("osmosis")
                        .doesNotContain("cells divide");
            }
        }
    }
}
