package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process killed with SIGKILL in the middle of a batch, then run again on the same journal: the batch finishes,
 * every node has exactly one note and one canvas link, and only the nodes in flight at the kill are sent to the model
 * a second time.
 */
class RunCrashRecoveryTest {

    private static final String EXAM = "Exam Prep/期末复习-170.canvas";
    private static final int NODES = 145;
    private static final int CONCURRENCY = 8;

    @TempDir
    Path temp;

    @Test
    void aKilledRunResumesWithoutCallingTheModelAgainForFinishedNodes() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        Path data = temp.resolve("journal");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.delayed(Duration.ofMillis(150), Reply.echo()));
            List<String> args = List.of(
                    "run",
                    EXAM,
                    "--vault",
                    vault.toString(),
                    "--data",
                    data.toString(),
                    "--concurrency",
                    String.valueOf(CONCURRENCY),
                    "--plain",
                    "--model-provider",
                    "openai",
                    "--base-url",
                    llm.openAiBaseUrl(),
                    "--model",
                    "fake-model");

            Process child = startJava(args);
            assertThat(llm.awaitCalls(40, Duration.ofSeconds(60)))
                    .as("the child made progress")
                    .isTrue();
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            int callsBeforeKill = llm.calls();
            assertThat(callsBeforeKill).isLessThan(NODES);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

            assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("Resuming the interrupted batch")
                    .contains(NODES + " succeeded, 0 failed");
            assertThat(llm.calls())
                    .as("only nodes running at the kill are asked twice: calls in flight, and those whose model had"
                            + " answered but whose outcome was not yet stored")
                    .isLessThanOrEqualTo(NODES + 2 * CONCURRENCY);
            try (Stream<Path> notes = Files.list(vault.resolve("Exam Prep/期末复习-170-notes"))) {
                // a run killed mid-write leaves its hidden temporary file beside the notes: that is no note
                assertThat(notes.map(note -> note.getFileName().toString())
                                .filter(name -> name.endsWith(".md") && !name.startsWith(".")))
                        .hasSize(NODES);
            }
            JsonObject canvas = Json.createReader(new StringReader(Files.readString(vault.resolve(EXAM))))
                    .readObject();
            long noteNodes = canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                    .filter(n -> n.getString("id").startsWith("cb-note-"))
                    .count();
            long noteEdges = canvas.getJsonArray("edges").getValuesAs(JsonObject.class).stream()
                    .filter(e -> e.getString("id").startsWith("cb-edge-"))
                    .count();
            java.util.Set<String> linkedFiles = canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                    .filter(n -> n.getString("id").startsWith("cb-note-"))
                    .map(n -> n.getString("file"))
                    .collect(java.util.stream.Collectors.toSet());
            java.util.List<String> unlinked;
            try (Stream<Path> notes = Files.list(vault.resolve("Exam Prep/期末复习-170-notes"))) {
                // as above, the hidden temporary file a run killed mid-write leaves is no note
                unlinked = notes.filter(p -> {
                            String name = p.getFileName().toString();
                            return name.endsWith(".md") && !name.startsWith(".");
                        })
                        .map(p -> vault.relativize(p).toString())
                        .filter(p -> !linkedFiles.contains(p))
                        .toList();
            }
            assertThat(unlinked)
                    .as(
                            "notes without a canvas link; child log:%n%s%nrun output:%n%s",
                            Files.readString(temp.resolve("child.log")), out.toString(StandardCharsets.UTF_8))
                    .isEmpty();
            assertThat(noteNodes).isEqualTo(NODES);
            assertThat(noteEdges).isEqualTo(NODES);
        }
    }

    private Process startJava(List<String> args) throws Exception {
        List<String> command = MainProcess.command(args);
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve("child.log").toFile())
                .start();
    }
}
