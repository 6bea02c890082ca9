package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code run} tells before it writes anything: which folder it takes for the vault and why, what each question
 * will be answered by, and which nodes it leaves out. A person reads this to decide whether to let the batch run.
 */
class RunPlanOutputTest {

    private static final String CELLS = "Biology/Cell Biology.canvas";

    /** A question line of the plan: an agent's id, then the question. */
    private static final Pattern QUESTION_LINE = Pattern.compile("^ {5}([a-z]+(?:-[a-z]+)*) +(\\S.*)$");

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
    void aVaultWithoutObsidianWhereTheCanvasFileNodesAreIsNamedAndTakenOnceGiven() throws Exception {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("v1"));

        Outcome refused = run(vault.resolve(CELLS).toString(), "--data", "memory", "--plain");

        // a canvas's file nodes are its sender's choice: the folder above it they name is said, not taken
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(2);
        assertThat(refused.err())
                .contains("no .obsidian found above the canvas")
                .contains("files in " + vault.toAbsolutePath().normalize())
                .contains("--vault " + vault.toAbsolutePath().normalize());
        assertThat(Files.readString(vault.resolve(CELLS)))
                .isEqualTo(Files.readString(Fixtures.exampleVault().resolve(CELLS)));

        Outcome outcome =
                run(vault.resolve(CELLS).toString(), "--vault", vault.toString(), "--data", "memory", "--plain");

        assertThat(outcome.exitCode()).as(outcome.out() + outcome.err()).isZero();
        assertThat(outcome.out().lines().findFirst().orElseThrow())
                .startsWith("Vault: " + vault.toAbsolutePath().normalize() + " (given by --vault)");
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

    @Test
    void aDryRunShowsEachQuestionWithTheAgentTheRunWillGiveIt() throws Exception {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("v3"));

        Outcome outcome = run(CELLS, "--vault", vault.toString(), "--dry-run");

        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        List<Matcher> questions = outcome.out()
                .lines()
                .map(QUESTION_LINE::matcher)
                .filter(Matcher::matches)
                .toList();
        assertThat(questions).as(outcome.out()).hasSize(13);
        assertThat(questions.stream().map(m -> m.group(2)))
                .contains("What is the difference between mitosis and meiosis?", "What are stem cells?");
        Set<String> agents = questions.stream().map(m -> m.group(1)).collect(Collectors.toSet());
        assertThat(agents).as("the run routes each question on its own").hasSizeGreaterThan(1);
    }

    @Test
    void emptyNodesOfTheChosenColoursAreCountedWithTheirReason() throws Exception {
        Path vault = Files.createDirectories(temp.resolve("v4"));
        Files.writeString(vault.resolve("review.canvas"), """
                {"nodes":[
                 {"id":"q","type":"text","text":"What is osmosis?","color":"1","x":0,"y":0,"width":9,"height":9},
                 {"id":"blank","type":"text","text":"  ","color":"1","x":0,"y":20,"width":9,"height":9},
                 {"id":"g","type":"group","color":"6","x":0,"y":40,"width":9,"height":9}
                ],"edges":[]}""");

        Outcome outcome = run("review.canvas", "--vault", vault.toString(), "--dry-run");

        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outcome.out())
                .contains("2 node(s) skipped, with nothing to ask: 1 empty text node, 1 group without a label");
    }

    /** A data folder the journal cannot make is said with where it was named and why, once. */
    @Test
    void aDataFolderThatCannotBeMadeIsSaidWithTheSettingThatNamedIt() throws Exception {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("v1"));
        Files.createDirectories(vault.resolve(".obsidian"));
        // the kernel's /proc takes no new folder, even from root
        String nowhere = "/proc/canvas-batch-no-such-folder";
        var err = new ByteArrayOutputStream();
        var command = new RunCommand(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                java.util.Map.of("CANVASBATCH_DATA", nowhere));

        assertThatThrownBy(() -> command.execute(List.of(vault.resolve(CELLS).toString(), "--plain")))
                .isInstanceOf(UsageException.class)
                .hasMessage("CANVASBATCH_DATA: cannot write to " + nowhere + ": no such file or folder");
        assertThat(Files.exists(Path.of(nowhere))).isFalse();
    }
}
