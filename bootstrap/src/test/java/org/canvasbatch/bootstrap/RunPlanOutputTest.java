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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code run} tells before it writes anything: which folder it takes for the vault and why, what each question
 * will be answered by, and which nodes it leaves out. A person reads this to decide whether to let the batch run.
 */
class RunPlanOutputTest {

    private static final String CELLS = "Biology/Cell Biology.canvas";

    @TempDir
    Path temp;

    private record Outcome(int exitCode, String out, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("run"));
        all.addAll(List.of(args));
        int code = Main.run(
                all,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aVaultWithoutObsidianIsTheFolderTheCanvasFileNodesAreRelativeToAndTheRunSaysSo() throws Exception {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("v1"));

        Outcome outcome = run(vault.resolve(CELLS).toString(), "--data", "memory", "--plain");

        assertThat(outcome.exitCode()).as(outcome.out() + outcome.err()).isZero();
        assertThat(outcome.out().lines().findFirst().orElseThrow())
                .startsWith("Vault: " + vault.toAbsolutePath().normalize() + " (")
                .contains("file nodes")
                .contains("no .obsidian")
                .contains("--vault");
        assertThat(outcome.out()).doesNotContain("FAILED").contains("13 succeeded, 0 failed");
        JsonObject canvas = Json.createReader(new StringReader(Files.readString(vault.resolve(CELLS))))
                .readObject();
        List<String> files = canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .filter(n -> n.getString("type").equals("file"))
                .map(n -> n.getString("file"))
                .toList();
        assertThat(files)
                .as("every file node opens in Obsidian, the learner's and the new notes alike")
                .hasSize(14)
                .allSatisfy(file -> assertThat(vault.resolve(file)).isRegularFile());
    }

    @Test
    void theVaultLineNamesObsidianOrTheOptionThatChoseIt() throws Exception {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("v2"));
        Files.createDirectories(vault.resolve(".obsidian"));

        Outcome found = run(vault.resolve(CELLS).toString(), "--dry-run");
        Outcome given = run(CELLS, "--vault", vault.toString(), "--dry-run");

        assertThat(found.out()).startsWith("Vault: " + vault.toAbsolutePath().normalize() + " (holds .obsidian)\n");
        assertThat(given.out()).startsWith("Vault: " + vault.toAbsolutePath().normalize() + " (given by --vault)\n");
    }
}
