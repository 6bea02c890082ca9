package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code canvas-batch run} on a canvas it cannot read (not UTF-8, not JSON, two nodes of one id, an edge to a node
 * that is not there) says why in one sentence that names the canvas once — not "the canvas 'x.canvas' The canvas
 * 'x.canvas' is not valid JSON …", the core's whole sentence glued behind run's own beginning of one.
 */
class RunInvalidCanvasMessageTest {

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "not json",
                "{\"nodes\": [{\"id\": \"a\", \"type\": \"text\", \"text\": \"What is ATP?\", \"color\": \"1\","
                        + " \"x\": 0, \"y\": 0, \"width\": 100, \"height\": 50},"
                        + " {\"id\": \"a\", \"type\": \"text\", \"text\": \"What is DNA?\", \"color\": \"1\","
                        + " \"x\": 0, \"y\": 100, \"width\": 100, \"height\": 50}], \"edges\": []}",
                "{\"nodes\": [{\"id\": \"a\", \"type\": \"text\", \"text\": \"What is ATP?\", \"color\": \"1\","
                        + " \"x\": 0, \"y\": 0, \"width\": 100, \"height\": 50}],"
                        + " \"edges\": [{\"id\": \"e\", \"fromNode\": \"a\", \"toNode\": \"gone\"}]}"
            })
    void anUnreadableCanvasIsNamedOnceInRunsMessage(String content) throws IOException {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        Files.writeString(vault.resolve("review.canvas"), content, StandardCharsets.UTF_8);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                List.of("run", "review.canvas", "--vault", vault.toString(), "--data", "memory", "--plain"),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(said).isEqualTo(2);
        String reason = said.lines()
                .filter(line -> line.contains("review.canvas"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line names the canvas: " + said));
        assertThat(reason.split("'review\\.canvas'", -1))
                .as("the canvas is named once: %s", reason)
                .hasSize(2);
        assertThat(reason).as(reason).doesNotContainIgnoringCase("the canvas 'review.canvas' the canvas");
    }
}
