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

    /** The lock a running demo holds, left when it ends (in .gitignore). */
    private static final String DEMO_LOCK = ".demo-vault.lock";

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

    /**
     * A CLI tester's case: a second demo while the first still ran took the first's half-written demo-vault/ for the
     * learner's changes and moved it aside under its feet. The second is refused in one sentence; the first's vault is
     * left alone.
     */
    @Test
    void aSecondDemoWhileOneRunsIsRefusedAndLeavesItsVaultAlone() throws IOException {
        Path demoVault = home.resolve("demo-vault");
        Files.createDirectories(demoVault.resolve("Biology"));
        Files.writeString(demoVault.resolve("Biology/half-copied.canvas"), "{\"nodes\": []}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

        int code;
        try (var running = java.nio.channels.FileChannel.open(
                        home.resolve(DEMO_LOCK),
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.WRITE);
                var held = running.lock()) {
            code = Main.run(List.of("demo"), print, print);
        }

        assertThat(code).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("another demo is running and writing demo-vault/: wait for it to finish")
                .doesNotContain("moved it to");
        assertThat(demoVault.resolve("Biology/half-copied.canvas")).exists();
        try (Stream<Path> siblings = Files.list(home)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("demo-vault-kept-"));
        }
        assertThat(demo())
                .as("once it has finished, the next demo runs")
                .contains("The notes and the updated canvases");
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
     * A CLI tester's case: a {@code demo-vault-kept-<time>} of the same second already there (two demos within one
     * second) made the demo fail with a raw {@code FileAlreadyExistsException}. The next free name is taken; what is
     * kept already is never touched.
     */
    @Test
    void aKeptDemoVaultOfTheSameSecondIsLeftAsItIsAndTheChangedOneKeptBesideIt() throws IOException {
        demo();
        Path demoVault = home.resolve("demo-vault");
        Files.writeString(demoVault.resolve("My own note.md"), "# mine\n");
        var stamps = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
        java.time.LocalDateTime now = java.time.LocalDateTime.now();
        List<Path> earlier = new java.util.ArrayList<>();
        for (int second = 0; second <= 60; second++) {
            Path kept = Files.createDirectory(
                    home.resolve("demo-vault-kept-" + now.plusSeconds(second).format(stamps)));
            Files.writeString(kept.resolve("earlier.md"), "kept before");
            earlier.add(kept);
        }

        String second = demo();

        for (Path kept : earlier) {
            try (Stream<Path> inside = Files.list(kept)) {
                assertThat(inside.map(p -> p.getFileName().toString())).containsExactly("earlier.md");
            }
        }
        List<Path> moved;
        try (Stream<Path> siblings = Files.list(home)) {
            moved = siblings.filter(p -> Files.exists(p.resolve("My own note.md")))
                    .toList();
        }
        assertThat(moved).hasSize(1);
        assertThat(moved.getFirst().getFileName().toString())
                .startsWith("demo-vault-kept-")
                .endsWith("-2");
        assertThat(second).contains(moved.getFirst().getFileName().toString());
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
                    .containsExactlyInAnyOrder("examples", "demo-vault", DEMO_LOCK);
        }
        assertThat(plugin).hasContent("// the plugin");
        try (Stream<Path> files = Files.walk(demoVault.resolve("Biology/Cell Biology-notes"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".md")))
                    .as("the demo ran again")
                    .isNotEmpty();
        }
    }

    private static int demo(List<String> args, ByteArrayOutputStream out) {
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        return Main.run(args, print, print);
    }

    private List<String> besideTheExamples() throws IOException {
        try (Stream<Path> siblings = Files.list(home)) {
            return siblings.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals(DEMO_LOCK))
                    .sorted()
                    .toList();
        }
    }

    /** The vault the learner changed moves aside, and the fresh one keeps Obsidian's settings, as the README says. */
    @Test
    void aChangedDemoVaultMovedAsideLeavesItsObsidianSettingsInTheFreshOne() throws IOException {
        demo();
        Path demoVault = home.resolve("demo-vault");
        Path plugin = demoVault.resolve(".obsidian/plugins/canvas-review/main.js");
        Files.createDirectories(plugin.getParent());
        Files.writeString(plugin, "// the plugin\n");
        Files.writeString(demoVault.resolve("My own note.md"), "# mine\n");

        demo();

        assertThat(besideTheExamples()).hasSize(3).anyMatch(name -> name.startsWith("demo-vault-kept-"));
        assertThat(plugin)
                .as("the plugin, still installed in the fresh demo vault")
                .hasContent("// the plugin");
        assertThat(demoVault.resolve("My own note.md")).doesNotExist();
    }

    /**
     * A plugin installed by a symbolic link (how a plugin under development is installed) stays installed in the fresh
     * vault, and a link in {@code .obsidian/} is copied as a link: nothing it points to is read or copied. Before, the
     * linked plugin folder came back empty (the plugin gone) and a linked file's target was copied into the vault.
     */
    @Test
    void aChangedDemoVaultMovedAsideKeepsObsidianLinksAsLinksNotWhatTheyPointTo() throws IOException {
        demo();
        Path demoVault = home.resolve("demo-vault");
        Path pluginSource = Files.createDirectories(home.resolve("plugin-dev"));
        Files.writeString(pluginSource.resolve("main.js"), "// the plugin under development\n");
        Path secret = Files.writeString(home.resolve("secret.txt"), "not for the vault\n");
        Path plugins = Files.createDirectories(demoVault.resolve(".obsidian/plugins"));
        Files.createSymbolicLink(plugins.resolve("canvas-review"), pluginSource);
        Files.createSymbolicLink(demoVault.resolve(".obsidian/workspace.json"), secret);
        Files.writeString(demoVault.resolve("My own note.md"), "# mine\n");

        demo();

        assertThat(plugins.resolve("canvas-review/main.js"))
                .as("the plugin, still installed in the fresh demo vault")
                .hasContent("// the plugin under development");
        assertThat(Files.isSymbolicLink(plugins.resolve("canvas-review"))).isTrue();
        assertThat(Files.isSymbolicLink(demoVault.resolve(".obsidian/workspace.json")))
                .as("a link, not a copy of the file it points to")
                .isTrue();
    }

    /** A mistyped option or a canvas given to demo is told before anything moves, and costs no kept folder. */
    @Test
    void aDemoRefusedForItsArgumentsTouchesNoDemoVaultAndTheNextDemoSaysNothingChanged() throws IOException {
        demo();
        List<String> before = besideTheExamples();

        ByteArrayOutputStream refused = new ByteArrayOutputStream();
        assertThat(demo(List.of("demo", "extra.canvas"), refused)).isEqualTo(2);
        assertThat(refused.toString(StandardCharsets.UTF_8)).contains("demo takes no canvas");
        assertThat(demo(List.of("demo", "--concurrency", "-3"), new ByteArrayOutputStream()))
                .isEqualTo(2);
        assertThat(demo(List.of("demo", "--vault", home.toString()), new ByteArrayOutputStream()))
                .isEqualTo(2);
        assertThat(besideTheExamples()).as("nothing moved aside").isEqualTo(before);
        // refused only once a canvas is read: the demo vault it left is still the demo's own
        assertThat(demo(List.of("demo", "--colors", "5"), new ByteArrayOutputStream()))
                .isNotZero();

        String next = demo();
        assertThat(next).doesNotContain("was changed since the last demo");
        assertThat(besideTheExamples()).isEqualTo(before);
    }

    @Test
    void aSecondDemoOverAnUntouchedDemoVaultLeavesNothingBehind() throws IOException {
        demo();
        demo();

        try (Stream<Path> siblings = Files.list(home)) {
            assertThat(siblings.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("examples", "demo-vault", DEMO_LOCK);
        }
    }
}
