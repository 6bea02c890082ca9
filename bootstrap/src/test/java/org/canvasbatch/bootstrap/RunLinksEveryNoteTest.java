package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code canvas-batch run} in a process of its own, on the 170-node exam canvas with the offline agent (notes come as
 * fast as the disk takes them, 50 at a time): once the process has exited, every note is linked into the canvas
 * exactly once and no link waits in {@code .canvas-batch/}.
 *
 * <p>Links used to be made again after the batch's last event, on a task thread, so a run that closed the vault first
 * could drop one. Now the vault queues a note's link before {@code writeNote} returns, that is before the note's
 * success is recorded and so before the batch can end; {@code run} closes the vault after the last event, and closing
 * writes everything queued. No thread links anything after the end, so there is no race left to lose.
 */
class RunLinksEveryNoteTest {

    private static final String EXAM = "Exam Prep/期末复习-170.canvas";
    private static final String NOTES = "Exam Prep/期末复习-170-notes";
    private static final int NODES = 145;

    @TempDir
    Path temp;

    @Test
    void whenRunExitsEveryNoteIsLinkedOnceAndNothingWaits() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));

        Process run = startJava(List.of(
                "run", EXAM, "--vault", vault.toString(), "--data", "memory", "--concurrency", "50", "--plain"));

        assertThat(run.waitFor(3, TimeUnit.MINUTES)).as("run finished").isTrue();
        String output = Files.readString(temp.resolve("run.log"));
        assertThat(run.exitValue()).as(output).isZero();
        assertThat(output).contains(NODES + " succeeded, 0 failed");
        Set<String> notes;
        try (Stream<Path> files = Files.list(vault.resolve(NOTES))) {
            notes = files.map(p -> vault.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toSet());
        }
        assertThat(notes).hasSize(NODES);
        JsonObject canvas = Json.createReader(new StringReader(Files.readString(vault.resolve(EXAM))))
                .readObject();
        List<String> linked = canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .filter(n -> n.getString("id").startsWith("cb-note-"))
                .map(n -> n.getString("file"))
                .toList();
        assertThat(linked).as("one file node per note; run output:%n%s", output).hasSize(NODES);
        assertThat(Set.copyOf(linked)).isEqualTo(notes);
        assertThat(canvas.getJsonArray("edges").getValuesAs(JsonObject.class))
                .filteredOn(e -> e.getString("id").startsWith("cb-edge-"))
                .hasSize(NODES);
        assertThat(vault.resolve(".canvas-batch")).as("no link left waiting").doesNotExist();
    }

    private Process startJava(List<String> args) throws Exception {
        List<String> command = MainProcess.command(args);
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve("run.log").toFile())
                .start();
    }
}
