package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.canvasbatch.bootstrap.CanvasBatchConfig.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the launcher's command line accepts and what its {@code --help} says, both from {@link SettingsTable}. */
class CommandLineTest {

    private static final String CANVAS =
            "{\"nodes\":[{\"id\":\"a1\",\"type\":\"text\",\"text\":\"What is a proposition?\","
                    + "\"color\":\"1\",\"x\":0,\"y\":0,\"width\":200,\"height\":60}],\"edges\":[]}";

    @TempDir
    Path temp;

    private record Outcome(int exitCode, String out, String err) {}

    private static Outcome main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theHelpListsEveryOptionWithItsRangeAndDefault() {
        Outcome help = main("--help");

        assertThat(help.exitCode()).isZero();
        SettingsTable.all().stream()
                .filter(s -> s.option() != null)
                .forEach(s -> assertThat(help.out()).contains("  " + s.option().synopsis() + " "));
        assertThat(help.out())
                .containsPattern("--port PORT +the port;")
                .contains("(0 to 65535, default 8000)")
                .contains("(1s to 1h, default 120s)")
                .containsPattern("--no-write-back +write notes but leave the canvas untouched");
        assertThat(help.out().lines())
                .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(110));
        assertThat(main().out()).isEqualTo(help.out());
        assertThat(main().exitCode()).isEqualTo(2);
    }

    @Test
    void eachCommandsHelpListsItsOwnOptionsOnly() {
        Outcome run = main("run", "--help");
        Outcome serve = main("serve", "--port", "1", "-h");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("--dry-run", "--timeout DURATION", "--concurrency N", "--model-provider NAME", "--config")
                .doesNotContain("--port", "--token");
        assertThat(serve.exitCode()).isZero();
        assertThat(serve.out())
                .contains("--port PORT", "--token TOKEN", "--concurrency N", "--embedding-model NAME")
                .doesNotContain("--dry-run", "--max-groups", "--timeout ");
        assertThat(run.out()).contains("130 after Ctrl-C");
        assertThat(serve.out())
                .as("a run's exit codes are not serve's")
                .doesNotContain("130 after Ctrl-C", "finishes the rest")
                .contains("/health/live, /health/ready");

        Outcome demo = main("demo", "--help");
        assertThat(demo.out())
                .contains("Usage: canvas-batch demo [run options]", "demo-vault/", "--concurrency N")
                .doesNotContain("Usage: canvas-batch run")
                .doesNotContainPattern("(?m)^  --vault");
    }

    /** What the launcher asks before the serve that trains the startup cache: the settings only, nothing started. */
    @Test
    void aSettingsCheckOfServeStartsNothingAndRefusesWhatServeWould() throws IOException {
        System.setProperty(ServeCommand.SETTINGS_CHECK_ONLY, "true");
        try {
            Path data = temp.resolve("data");
            Outcome fine = main("serve", "--port", "0", "--vault", temp.toString(), "--data", data.toString());
            assertThat(fine.exitCode()).as(fine.err()).isZero();
            assertThat(fine.out()).doesNotContain("serving");
            assertThat(data).as("no journal opened").doesNotExist();

            Outcome refused = main("serve", "--port", "99999", "--vault", temp.toString());
            assertThat(refused.exitCode()).isEqualTo(2);
            assertThat(refused.err()).contains("--port must be between 0 and 65535, not 99999");
        } finally {
            System.clearProperty(ServeCommand.SETTINGS_CHECK_ONLY);
        }
    }

    @Test
    void anOptionOfTheOtherCommandIsNamedAsSuch() {
        Outcome outcome = main("run", "x.canvas", "--port", "9000");

        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo("canvas-batch: --port is an option of serve, not run (see run --help)\n");
        assertThat(main("serve", "--dry-run").err()).contains("--dry-run is an option of run, not serve");
    }

    @Test
    void anUnknownOptionOrAMisusedFlagIsOneLineAndExitCodeTwo() {
        assertThat(main("serve", "--prot", "9000"))
                .isEqualTo(new Outcome(2, "", "canvas-batch: unknown option --prot (see serve --help)\n"));
        assertThat(main("run", "x.canvas", "--dry-run=yes").err()).contains("--dry-run takes no value");
        assertThat(main("serve", "--port").err()).contains("--port needs a value");
    }

    @Test
    void aLineBreakInAValueCannotForgeALineOfCanvasBatchsOwn() {
        String forged = "canvas-batch: the batch finished, every note written";

        Outcome one = main("run", "x.canvas", "--concurrency", "1\n" + forged);
        Outcome two = main("run", "x.canvas", "--concurrency", "1\n" + forged, "--node-timeout", "0s\n" + forged);

        assertThat(one.exitCode()).isEqualTo(2);
        assertThat(one.err().lines())
                .hasSize(1)
                .allSatisfy(line -> assertThat(line)
                        .startsWith("canvas-batch: --concurrency must be")
                        .contains("1\\u000a" + forged));
        assertThat(two.exitCode()).isEqualTo(2);
        assertThat(two.err().lines())
                .hasSize(3)
                .noneSatisfy(line -> assertThat(line).startsWith(forged));
    }

    @Test
    void aColourThatIsNoneIsAUsageErrorNamingIt() {
        Outcome typo = main("run", "x.canvas", "--colors", "1,x");
        Outcome nine = main("run", "x.canvas", "--colors", "9");

        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err())
                .isEqualTo("canvas-batch: --colors: 'x' is not a colour; give 1 to 6 (1 red, 2 orange, 3 yellow,"
                        + " 4 green, 5 cyan, 6 purple) or #rrggbb, separated by commas\n");
        assertThat(nine.exitCode()).isEqualTo(2);
        assertThat(nine.err())
                .startsWith("canvas-batch: --colors: '9' is not a colour;")
                .hasLineCount(1);
        assertThat(main("run", "x.canvas", "--colors", "6,#A855F7", "--dry-run").err())
                .as("a preset and a hex colour are colours")
                .doesNotContain("--colors");
    }

    @Test
    void runsConcurrencyIsBothLimitsWhileServesIsTheSharedOne() {
        CanvasBatchConfig run = load(Command.RUN, "x.canvas", "--concurrency", "3", "--timeout", "5m");
        CanvasBatchConfig serve = load(Command.SERVE, "--concurrency", "3", "--data", "memory");

        assertThat(run.coreSettings().globalConcurrency()).isEqualTo(3);
        assertThat(run.coreSettings().sessionDefaults().maxConcurrent()).isEqualTo(3);
        assertThat(run.coreSettings().sessionDefaults().batchTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(serve.coreSettings().globalConcurrency()).isEqualTo(3);
        assertThat(serve.coreSettings().sessionDefaults().maxConcurrent()).isEqualTo(12);
    }

    @Test
    void eachOptionSetsItsDeclaredSettingAndNoWriteBackTurnsWriteBackOff() {
        CanvasBatchConfig config = load(
                Command.SERVE,
                "--no-write-back",
                "--port=0",
                "--model-timeout",
                "30s",
                "--embedding-timeout",
                "500ms",
                "--allowed-hosts",
                "a.lan,b.lan");

        assertThat(config.vaultOptions().writeBack()).isFalse();
        assertThat(config.server().port()).isZero();
        assertThat(config.agent().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.embeddings().timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.server().allowedHosts()).containsExactly("a.lan", "b.lan");
    }

    @Test
    void anOptionOnlyTheCommandLineGivesIsCheckedAgainstItsDeclaration() {
        assertThatThrownBy(() -> Arguments.parse(Command.RUN, List.of("x.canvas", "--max-groups", "30"))
                        .get(SettingsTable.MAX_GROUPS))
                .isInstanceOf(UsageException.class)
                .hasMessage("--max-groups must be between 1 and 20, not 30");
        Arguments args = Arguments.parse(Command.RUN, List.of("x.canvas", "--colors", "1, 4", "--dry-run"));
        assertThat(args.get(SettingsTable.COLORS)).containsExactly("1", "4");
        assertThat(args.get(SettingsTable.DRY_RUN)).isTrue();
        assertThat(args.get(SettingsTable.PLAIN)).isFalse();
        assertThat(args.get(SettingsTable.MAX_GROUPS)).isEqualTo(6);
        assertThat(args.positional()).containsExactly("x.canvas");
    }

    private CanvasBatchConfig load(Command command, String... args) {
        Arguments parsed = Arguments.parse(command, List.of(args));
        return CanvasBatchConfig.load(
                command,
                parsed.settings(),
                Optional.empty(),
                Map.of("HOME", temp.toString()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /**
     * {@code canvas-batch run vault/l.canvas} where {@code l.canvas -> ../outside/x.canvas}: refused like every other
     * bad canvas (a sentence, exit code 2), not an uncaught VaultException with a stack trace and exit code 1.
     */
    @Test
    void aCanvasThatIsASymbolicLinkOutOfTheVaultIsRefusedInOneSentence() throws Exception {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("x.canvas"), CANVAS);
        Path link = Files.createSymbolicLink(vault.resolve("l.canvas"), Path.of("../outside/x.canvas"));

        Outcome outcome = main("run", link.toString(), "--data", "memory", "--plain");

        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
        assertThat(outcome.err()).startsWith("canvas-batch: ").contains("outside the vault");
        assertThat(outcome.err()).doesNotContain("Exception", "\tat ");
        assertThat(outside.resolve("x-notes")).doesNotExist();
    }

    /**
     * A notes folder that is a symbolic link was found only when the first note was written: every question was asked
     * of the model and then failed. {@code run} now refuses it before asking, in one sentence.
     */
    @Test
    void aNotesFolderThatIsALinkIsRefusedBeforeAnyQuestionIsAsked() throws Exception {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        Files.writeString(vault.resolve("x.canvas"), CANVAS);
        Path synced = Files.createDirectories(temp.resolve("synced"));
        Files.createSymbolicLink(vault.resolve("x-notes"), synced);

        Outcome outcome = main("run", vault.resolve("x.canvas").toString(), "--data", "memory", "--plain");

        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
        assertThat(outcome.err())
                .startsWith("canvas-batch: ")
                .contains(
                        "The notes folder of 'x.canvas' cannot be written: 'x-notes' leads outside the vault through a"
                                + " symbolic link. Notes are never written through a symbolic link: replace it with a"
                                + " real folder.")
                .doesNotContain("Exception", "\tat ");
        assertThat(outcome.out()).doesNotContain("succeeded");
        try (var inside = Files.list(synced)) {
            assertThat(inside).as("nothing written through the link").isEmpty();
        }
    }

    /**
     * A file where the notes folder should be refuses every note as surely as a link: each question was asked of the
     * model, paid for, and failed at its note, and the run said to run it again for the same. Refused before asking.
     */
    @Test
    void aFileWhereTheNotesFolderShouldBeIsRefusedBeforeAnyQuestionIsAsked() throws Exception {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        Files.writeString(vault.resolve("x.canvas"), CANVAS);
        Files.writeString(vault.resolve("x-notes"), "my own file\n");

        Outcome outcome = main("run", vault.resolve("x.canvas").toString(), "--data", "memory", "--plain");

        assertThat(outcome.exitCode()).as(outcome.out() + outcome.err()).isEqualTo(2);
        assertThat(outcome.err())
                .startsWith("canvas-batch: ")
                .contains("Cannot open the notes folder 'x-notes': it is a file, not a folder. Move it away or rename"
                        + " it: the notes go into a folder of that name.")
                .doesNotContain("Exception", "\tat ");
        assertThat(outcome.out()).doesNotContain("succeeded", "FAILED");
        assertThat(vault.resolve("x-notes")).hasContent("my own file");
    }

    /** The core's sentence for a canvas not in the vault speaks of a server; run has none to restart. */
    @Test
    void aCanvasNotInTheVaultGivenToRunSaysWhatToGiveRunNotTheServer() throws Exception {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));

        Outcome outcome = main("run", "数学/线性代数.canvas", "--vault", vault.toString(), "--data", "memory", "--plain");

        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
        assertThat(outcome.err())
                .startsWith("canvas-batch: ")
                .contains("数学/线性代数.canvas", vault.toString(), "--vault")
                .doesNotContain("server");
    }

    /**
     * A path the system cannot name a file by (a NUL in it, or, under the C locale without the launcher, any character
     * outside ASCII: the JVM reads arguments in the locale's charset) is a usage error in one sentence, not a stack trace.
     */
    @Test
    void aPathTheSystemCannotNameIsOneSentenceAndExitCodeTwo() {
        Outcome outcome = main("run", "数学/线\u0000性代数.canvas", "--data", "memory", "--plain");

        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
        assertThat(outcome.err()).startsWith("canvas-batch: ").doesNotContain("Exception", "\tat ");
    }
}
