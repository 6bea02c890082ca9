package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code CANVASBATCH_VAULT= canvas-batch run x.canvas}, as a script with an unset variable runs it: the variable is
 * not set, so the vault is found as without it (the folder holding {@code .obsidian}), not taken to be the current
 * folder — which is {@code /} when run from there.
 */
class RunEmptyVaultVariableTest {

    private static final String CANVAS =
            "{\"nodes\":[{\"id\":\"a1\",\"type\":\"text\",\"text\":\"What is a proposition?\","
                    + "\"color\":\"1\",\"x\":0,\"y\":0,\"width\":200,\"height\":60}],\"edges\":[]}";

    @TempDir
    Path temp;

    @Test
    void anEmptyVaultVariableIsNotSetSoTheCanvasesOwnVaultIsFound() throws Exception {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        Files.createDirectories(vault.resolve("Logic"));
        Path canvas = Files.writeString(vault.resolve("Logic/review.canvas"), CANVAS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = new RunCommand(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of("CANVASBATCH_VAULT", "", "HOME", temp.toString()))
                .execute(List.of(canvas.toString(), "--data", "memory", "--dry-run"));

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed.lines().findFirst()).contains("Vault: " + vault + " (holds .obsidian)");
        assertThat(printed).contains("Logic/review.canvas: 1 question node(s)");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
