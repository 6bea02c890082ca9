package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C (SIGINT) during {@code run}, sent to a real process: the batch stops cleanly. */
class RunInterruptTest {

    private static final String EXAM = "Exam Prep/期末复习-170.canvas";

    @TempDir
    Path temp;

    @Test
    void ctrlCStopsTheBatchKeepsFinishedNotesAndLeavesAConsistentCanvas() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.delayed(Duration.ofMillis(250), Reply.echo()));
            String javaBinary = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(List.of(
                    javaBinary,
                    "-cp",
                    System.getProperty("java.class.path"),
                    Main.class.getName(),
                    "run",
                    EXAM,
                    "--vault",
                    vault.toString(),
                    "--data",
                    temp.resolve("data").toString(),
                    "--plain",
                    "--concurrency",
                    "6",
                    "--model-provider",
                    "openai",
                    "--base-url",
                    llm.openAiBaseUrl(),
                    "--model",
                    "fake-model"));
            Path output = temp.resolve("run.log");
            Process run = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            assertThat(llm.awaitCalls(20, Duration.ofSeconds(60))).isTrue();

            new ProcessBuilder("kill", "-INT", String.valueOf(run.pid()))
                    .start()
                    .waitFor();

            assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(output);
            assertThat(run.exitValue()).as(log).isEqualTo(130);
            // a script tells an interrupted run from one with failed nodes by this code: --help must name it truly
            assertThat(Usage.full().lines().filter(line -> line.startsWith("Exit codes:")))
                    .singleElement()
                    .asString()
                    .contains(run.exitValue() + " after Ctrl-C");
            assertThat(log).contains("Interrupted: stopping the batch").contains("Interrupted in");
            int callsAtExit = llm.calls();
            assertThat(callsAtExit).isLessThan(145);

            Path notesDir = vault.resolve("Exam Prep/期末复习-170-notes");
            Set<String> notes;
            try (Stream<Path> files = Files.list(notesDir)) {
                notes = files.map(p -> vault.relativize(p).toString().replace('\\', '/'))
                        .collect(Collectors.toSet());
            }
            assertThat(notes).isNotEmpty().allMatch(n -> n.endsWith(".md"));
            JsonObject canvas = Json.createReader(new StringReader(Files.readString(vault.resolve(EXAM))))
                    .readObject();
            Set<String> linked = canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                    .filter(n -> n.getString("id").startsWith("cb-note-"))
                    .map(n -> n.getString("file"))
                    .collect(Collectors.toSet());
            assertThat(linked)
                    .as("every finished note is linked, and every link opens a note")
                    .isEqualTo(notes);
            try (Stream<Path> files = Files.walk(vault)) {
                assertThat(files.filter(p -> p.getFileName().toString().startsWith("."))
                                .filter(Files::isRegularFile)
                                .toList())
                        .as("no temporary files left")
                        .isEmpty();
            }
        }
    }
}
