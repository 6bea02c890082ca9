package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during {@code run} with a durable data folder, then the same command again: the README promises that run
 * continues after an interruption, so the second run must finish the rest, not pay the model again for every note the
 * first one already wrote.
 */
class RunInterruptResumeTest {

    private static final String EXAM = "Exam Prep/期末复习-170.canvas";
    private static final int NODES = 145;
    private static final int CONCURRENCY = 6;

    @TempDir
    Path temp;

    @Test
    void runningTheSameCommandAfterCtrlCFinishesTheRestWithoutAskingTheModelAgainForWrittenNotes() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.delayed(Duration.ofMillis(200), Reply.echo()));
            List<String> args = List.of(
                    "run",
                    EXAM,
                    "--vault",
                    vault.toString(),
                    "--data",
                    temp.resolve("data").toString(),
                    "--plain",
                    "--concurrency",
                    String.valueOf(CONCURRENCY),
                    "--model-provider",
                    "openai",
                    "--base-url",
                    llm.openAiBaseUrl(),
                    "--model",
                    "fake-model");
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command =
                    new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            command.addAll(args);
            Path firstLog = temp.resolve("first.log");
            Process first = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(firstLog.toFile())
                    .start();
            assertThat(llm.awaitCalls(40, Duration.ofSeconds(60))).isTrue();
            new ProcessBuilder("kill", "-INT", String.valueOf(first.pid()))
                    .start()
                    .waitFor();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            int callsBefore = llm.calls();
            assertThat(callsBefore).as(Files.readString(firstLog)).isLessThan(NODES);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            String second = out.toString(StandardCharsets.UTF_8);

            assertThat(exit).as(second).isZero();
            assertThat(second)
                    .as("first run:%n%s", Files.readString(firstLog))
                    .contains("Resuming the interrupted batch");
            assertThat(llm.calls())
                    .as(
                            "only the nodes in flight at Ctrl-C are asked twice; first run:%n%s%nsecond run:%n%s",
                            Files.readString(firstLog), second)
                    .isLessThanOrEqualTo(NODES + 2 * CONCURRENCY);
            try (Stream<Path> notes = Files.list(vault.resolve("Exam Prep/期末复习-170-notes"))) {
                assertThat(notes.map(note -> note.getFileName().toString())
                                .filter(name -> name.endsWith(".md") && !name.startsWith(".")))
                        .as("one note per node, none duplicated as '(regenerated)'")
                        .hasSize(NODES);
            }
        }
    }
}
