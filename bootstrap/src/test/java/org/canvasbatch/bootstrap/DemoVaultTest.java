package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code canvas-batch demo} run a second time: the README tells the learner to open {@code demo-vault/} in Obsidian,
 * so what they wrote there since must not be deleted without a word.
 */
class DemoVaultTest {

    @TempDir
    Path home;

    private String previousHome;

    @BeforeEach
    void exampleVault() throws IOException {
        Path examples = Path.of("..", "examples", "vault").toAbsolutePath().normalize();
        try (Stream<Path> paths = Files.walk(examples)) {
            for (Path source : paths.toList()) {
                Path target = home.resolve("examples/vault")
                        .resolve(examples.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        previousHome = System.setProperty("canvasbatch.home", home.toString());
    }

    @AfterEach
    void restoreHome() {
        if (previousHome == null) {
            System.clearProperty("canvasbatch.home");
        } else {
            System.setProperty("canvasbatch.home", previousHome);
        }
    }

    private static String demo() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(Main.run(List.of("demo"), print, print)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSecondDemoKeepsWhatTheLearnerWroteInTheDemoVault() throws IOException {
        demo();
        Path demoVault = home.resolve("demo-vault");
        Path note;
        try (Stream<Path> files = Files.walk(demoVault.resolve("Biology/Cell Biology-notes"))) {
            note = files.filter(p -> p.toString().endsWith(".md")).findFirst().orElseThrow();
        }
        Files.writeString(note, "\nMy own answer, written in Obsidian.\n", StandardOpenOption.APPEND);
        Files.writeString(demoVault.resolve("My own note.md"), "# mine\n");

        String second = demo();

        List<Path> kept;
        try (Stream<Path> siblings = Files.list(home)) {
            kept = siblings.filter(p -> p.getFileName().toString().startsWith("demo-vault-kept-"))
                    .toList();
        }
        assertThat(kept).as("the learner's demo vault, moved aside").hasSize(1);
        assertThat(kept.getFirst().resolve("My own note.md")).hasContent("# mine");
        assertThat(Files.readString(kept.getFirst().resolve(demoVault.relativize(note))))
                .contains("My own answer, written in Obsidian.");
        assertThat(second).contains(kept.getFirst().getFileName().toString());
        assertThat(demoVault.resolve("My own note.md")).as("a fresh demo vault").doesNotExist();
    }

    /**
     * The README's next step is to open {@code demo-vault/} in Obsidian, which writes its settings there at once
     * ({@code .obsidian/}, and the plugin installed into it): that alone made every later demo move the whole vault
     * aside, one more {@code demo-vault-kept-*} per run, and start a vault without the plugin.
     */
    @Test
    void aDemoVaultOnlyOpenedInObsidianIsRenewedInPlaceWithItsSettingsKept() throws IOException {
        demo();
        Path demoVault = home.resolve("demo-vault");
        Path plugin = demoVault.resolve(".obsidian/plugins/canvas-review/main.js");
        Files.createDirectories(plugin.getParent());
        Files.writeString(plugin, "// the plugin\n");
        Files.writeString(demoVault.resolve(".obsidian/workspace.json"), "{}");

        demo();

        try (Stream<Path> siblings = Files.list(home)) {
            assertThat(siblings.map(p -> p.getFileName().toString()))
                    .as("nothing moved aside")
                    .containsExactlyInAnyOrder("examples", "demo-vault");
        }
        assertThat(plugin).hasContent("// the plugin");
        try (Stream<Path> files = Files.walk(demoVault.resolve("Biology/Cell Biology-notes"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".md")))
                    .as("the demo ran again")
                    .isNotEmpty();
        }
    }

    @Test
    void aSecondDemoOverAnUntouchedDemoVaultLeavesNothingBehind() throws IOException {
        demo();
        demo();

        try (Stream<Path> siblings = Files.list(home)) {
            assertThat(siblings.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("examples", "demo-vault");
        }
    }
}
