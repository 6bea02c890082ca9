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
 * A canvas someone shared carries terminal escape sequences in its node ids and file paths. {@code canvas-batch run}
 * prints node ids, note paths and error messages (which quote the file path): none of those bytes may reach the
 * learner's terminal as a command (set the window title, clear the screen, recolour, or worse on some terminals).
 */
class RunTerminalEscapesTest {

    private static final String ESC = "\u001b";

    @TempDir
    Path temp;

    @Test
    void escapeSequencesInACanvasNeverReachTheTerminalAsCommands() throws IOException {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        String canvas = "{\"nodes\": ["
                + "{\"id\": \"n1\\u001b[41m\", \"type\": \"text\", \"text\": \"What is mitosis?\", \"color\": \"1\","
                + " \"x\": 0, \"y\": 0, \"width\": 200, \"height\": 60},"
                + "{\"id\": \"n2\", \"type\": \"file\", \"file\": \"x\\u001b]0;PWNED\\u0007\\u001b[2J.md\", \"color\": \"1\","
                + " \"x\": 0, \"y\": 100, \"width\": 200, \"height\": 60}"
                + "], \"edges\": []}";
        Files.writeString(vault.resolve("shared.canvas"), canvas, StandardCharsets.UTF_8);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                List.of("run", "shared.canvas", "--vault", vault.toString(), "--data", "memory", "--plain"),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(printed).as("the batch ran and said which node failed").contains("PWNED", "mitosis");
        assertThat(code).isNotZero();
        assertThat(printed).doesNotContain(ESC).doesNotContain("\u0007");
    }
}
