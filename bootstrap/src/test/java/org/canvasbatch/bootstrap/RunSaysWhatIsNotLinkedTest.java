package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code canvas-batch run} tells the learner which notes it wrote but could not link into the canvas, and why, as the
 * plugin's summary does ({@code link_problem}). On a canvas at the 10 000-node limit it printed "ok" for every note and
 * "3 succeeded", and the learner found no link and no word about it (found by a hostile test).
 */
class RunSaysWhatIsNotLinkedTest {

    private static final int MAX_NODES = 10_000;

    @TempDir
    Path temp;

    @Test
    void notesThatCouldNotBeLinkedIntoAFullCanvasAreSaidSoLineByLineAndInTheSummary() throws IOException {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        Files.writeString(vault.resolve("full.canvas"), fullCanvas(), StandardCharsets.UTF_8);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                List.of("run", "full.canvas", "--vault", vault.toString(), "--data", "memory", "--plain"),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String said = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(said + err.toString(StandardCharsets.UTF_8)).isZero();
        List<String> okLines =
                said.lines().filter(line -> line.contains("] ok ")).toList();
        assertThat(okLines)
                .as("each note's line says it is not linked, and why")
                .hasSize(3)
                .allSatisfy(line -> assertThat(line).endsWith("(not linked into the canvas)"));
        assertThat(said).contains("3 succeeded, 0 failed").contains("3 note(s) written but not linked into the canvas");
        assertThat(Files.readString(vault.resolve("full.canvas")))
                .as("the canvas is left as it was")
                .isEqualTo(fullCanvas());
    }

    /** Three red questions among yellow cards, 10 000 nodes in all: no room for a link. */
    private static String fullCanvas() {
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < MAX_NODES; i++) {
            boolean question = i < 3;
            nodes.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"n")
                    .append(i)
                    .append("\",\"type\":\"text\",\"text\":\"")
                    .append(question ? "What is mitosis number " + i + "?" : "a note of mine " + i)
                    .append("\",\"color\":\"")
                    .append(question ? "1" : "3")
                    .append("\",\"x\":")
                    .append((i % 100) * 300)
                    .append(",\"y\":")
                    .append((i / 100) * 200)
                    .append(",\"width\":250,\"height\":100}");
        }
        return "{\"nodes\":[" + nodes + "],\"edges\":[]}\n";
    }
}
