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

    /** Starts a run in a child process, waits until the model has {@code calls} calls, then kills it (SIGKILL). */
    private String killAfter(List<String> args, FakeLlmServer llm, int calls, String log) throws Exception {
        Path output = temp.resolve(log);
        Process child = new ProcessBuilder(MainProcess.command(args))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            assertThat(llm.awaitCalls(calls, Duration.ofSeconds(90)))
                    .as("the run reached the model; its output:%n%s", Files.readString(output))
                    .isTrue();
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        return Files.readString(output);
    }

    /** The unfinished batch the data folder holds, read as a dry run reads it. */
    private static org.canvasbatch.domain.session.SessionSnapshot unfinishedIn(Path data) {
        List<Wiring.Journals.Stored> found = Wiring.Journals.unfinishedIn(
                data.toString(), "--data", session -> session.snapshot(), s -> true, () -> {});
        assertThat(found).hasSize(1);
        return found.getFirst().session();
    }

    /**
     * What a run prints, held at its plan: the run's own thread waits in the write of the plan's first line until the
     * test lets it go. The run cannot be stopped with Ctrl-C before it has printed its plan.
     */
    private static final class HeldAtThePlan extends java.io.OutputStream {
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private final java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final PrintStream stream = new PrintStream(this, true, StandardCharsets.UTF_8);

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            boolean holdHere;
            synchronized (written) {
                written.write(bytes, offset, length);
                holdHere = held.getCount() > 0
                        && written.toString(StandardCharsets.UTF_8).contains(" question node(s) in ");
            }
            if (holdHere) {
                held.countDown();
                try {
                    assertThat(release.await(5, TimeUnit.MINUTES)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void awaitHeld() throws InterruptedException {
            assertThat(held.await(2, TimeUnit.MINUTES))
                    .as("the run printed its plan:%n%s", text())
                    .isTrue();
        }

        void release() {
            release.countDown();
        }

        String text() {
            synchronized (written) {
                return written.toString(StandardCharsets.UTF_8);
            }
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
                String log = stopAfter(args, llm, 2 * stop, "stop-" + stop + ".log");
                // the answers given up are said to be asked again: a tester saw them asked twice, never told
                assertThat(log)
                        .contains("Interrupted: stopping the batch; notes already written are kept, and the 2"
                                + " question(s) being answered now are asked again by the next run.");
                logs.append(log);
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

    /**
     * A tester stopped a batch started with a model before its first note and ran it again without the model options:
     * it went on with the offline agent and said nothing, since no note told what it had been started with.
     */
    @Test
    void aBatchStoppedBeforeItsFirstNoteAndRunAgainWithoutAModelSaysTheOfflineAgentWritesItsNotes() throws Exception {
        Path vault = vaultWith(temp.resolve("vault"), "What is osmosis?", "Why do cells divide?");
        Path data = temp.resolve("data");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.hang());
            List<String> args = runArgs(vault, data, llm, "--concurrency", "2");
            String first = stopAfter(args, llm, 2, "first.log");

            int[] exit = new int[1];
            List<String> offline = new ArrayList<>(args.subList(0, args.indexOf("--model-provider")));
            // a lower --concurrency caps the resumed batch too: not said to be unused (a reviewer)
            offline.addAll(List.of("--concurrency", "1"));
            String second = runHere(offline, exit);

            assertThat(second)
                    .as("first run:%n%s", first)
                    .contains("Resuming the interrupted batch")
                    .contains("Note: no note of this batch is written yet, so what it was started with is not"
                            + " known: the offline agent will write its notes, as no language model is configured now"
                            + " (if it was started with one, stop and give the same --model-provider and --model)")
                    .contains("2 succeeded, 0 failed")
                    .doesNotContain("not used");
            assertThat(exit[0]).isZero();
        }
    }

    /**
     * A run killed (SIGKILL, a crash) leaves its batch running in the journal, and the next run continues it. Until that
     * run has its Ctrl-C handler, a Ctrl-C ends the process without a word and without pausing the batch, whose calls
     * were already out: they went out as soon as the batch was found, as a batch stopped with Ctrl-C once did when
     * resumed (fixed there by resuming it once the handler is in place). Held while it prints its plan, before its
     * handler, the run has started no question and asked the model nothing; let go, it finishes the batch.
     */
    @Test
    void aBatchLeftRunningByAKillStartsNothingBeforeTheNextRunCanStopIt() throws Exception {
        Path vault = vaultWith(temp.resolve("vault"), "What is osmosis?", "Why do cells divide?");
        Path data = temp.resolve("data");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.hang());
            List<String> args = runArgs(vault, data, llm, "--concurrency", "2");
            String killed = killAfter(args, llm, 2, "killed.log");
            assertThat(unfinishedIn(data).state())
                    .as("the kill left the batch running: %s", killed)
                    .isEqualTo(org.canvasbatch.domain.session.SessionState.RUNNING);
            llm.defaultReply(Reply.echo());
            int callsAtTheKill = llm.calls();

            HeldAtThePlan printed = new HeldAtThePlan();
            int[] exit = new int[1];
            Thread run = Thread.ofPlatform()
                    .name("run-after-the-kill")
                    .start(() -> exit[0] = Main.run(args, printed.stream, printed.stream));
            org.canvasbatch.domain.session.SessionSnapshot whileItPrints;
            int callsWhileItPrints;
            try {
                printed.awaitHeld();
                whileItPrints = unfinishedIn(data);
                callsWhileItPrints = llm.calls();
            } finally {
                printed.release();
            }
            run.join(Duration.ofMinutes(2));

            assertThat(whileItPrints.tasks())
                    .as("before the run could be stopped, its questions wait, none started again: %s", printed.text())
                    .allMatch(task -> task.state() == org.canvasbatch.domain.session.NodeState.QUEUED);
            assertThat(callsWhileItPrints).isEqualTo(callsAtTheKill);
            assertThat(run.isAlive()).isFalse();
            assertThat(printed.text())
                    .contains("Resuming the interrupted batch")
                    .contains("2 succeeded, 0 failed");
            assertThat(exit[0]).isZero();
            assertThat(llm.calls() - callsAtTheKill)
                    .as("each question asked once more")
                    .isEqualTo(2);
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
