package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canvas a {@code run} names, as the journal knows it: one canvas is one path, however it was typed, or the same
 * command run again after Ctrl-C would not find the batch it stopped (and its notes folder would be another).
 */
class CanvasLocationTest {

    @TempDir
    Path vault;

    @Test
    void aPathInTheVaultTypedWithDotSegmentsIsTheSameCanvas() throws Exception {
        Files.createDirectories(vault.resolve("数学"));
        Files.writeString(vault.resolve("数学/线性代数.canvas"), "{\"nodes\":[],\"edges\":[]}");

        var typed = RunCommand.CanvasLocation.resolve("./数学/线性代数.canvas", Optional.of(vault.toString()));
        var twice = RunCommand.CanvasLocation.resolve("数学/./线性代数.canvas", Optional.of(vault.toString()));
        var plain = RunCommand.CanvasLocation.resolve("数学/线性代数.canvas", Optional.of(vault.toString()));

        assertThat(typed.canvasPath()).isEqualTo("数学/线性代数.canvas");
        assertThat(twice.canvasPath()).isEqualTo("数学/线性代数.canvas");
        assertThat(plain.canvasPath()).isEqualTo("数学/线性代数.canvas");
    }

    /**
     * Two dots inside a name are no '..' segment: the canvas is found in the vault, from whatever folder run is started
     * (found by a hostile review of a change that took any ".." for a path that climbs).
     */
    @Test
    void aNameWithDotsInsideIsACanvasOfTheVaultFromAnyFolder() throws Exception {
        Files.createDirectories(vault.resolve("Exam Prep"));
        Files.writeString(vault.resolve("Exam Prep/Wait... why.canvas"), "{\"nodes\":[],\"edges\":[]}");
        Path elsewhere = Files.createDirectories(vault.resolve("Math"));

        var fromInside = RunCommand.CanvasLocation.resolve(
                "Exam Prep/Wait... why.canvas", Optional.of(vault.toString()), "--vault", elsewhere);
        var fromOutside = RunCommand.CanvasLocation.resolve(
                "Exam Prep/Wait... why.canvas", Optional.of(vault.toString()), "--vault", vault.getParent());

        assertThat(fromInside.canvasPath()).isEqualTo("Exam Prep/Wait... why.canvas");
        assertThat(fromOutside.canvasPath()).isEqualTo("Exam Prep/Wait... why.canvas");
    }

    /** A missing canvas named through '..' is said where the learner pointed, never kept with its '..' (review). */
    @Test
    void aMissingCanvasNamedThroughDotDotIsTheVaultsPathOrNotThere() throws Exception {
        Path math = Files.createDirectories(vault.resolve("Math"));

        var inside = RunCommand.CanvasLocation.resolve(
                "../Exam Prep/Quizz.canvas", Optional.of(vault.toString()), "--vault", math);

        assertThat(inside.canvasPath()).isEqualTo("Exam Prep/Quizz.canvas");
        assertThatThrownBy(() -> RunCommand.CanvasLocation.resolve(
                        "../elsewhere/Quizz.canvas", Optional.of(vault.toString()), "--vault", vault))
                .isInstanceOf(UsageException.class)
                .hasMessage("no canvas at ../elsewhere/Quizz.canvas");
    }

    private static final String NO_FILE_NODES = "{\"nodes\":[{\"id\":\"a\",\"type\":\"text\",\"text\":\"Why?\","
            + "\"color\":\"1\",\"x\":0,\"y\":0,\"width\":9,\"height\":9}],\"edges\":[]}";

    @Test
    void withoutObsidianACanvasWithoutFileNodesInTheCurrentFolderHasTheCurrentFolderAsItsVault() throws Exception {
        Files.createDirectories(vault.resolve("数学"));
        Files.writeString(vault.resolve("数学/线性代数.canvas"), NO_FILE_NODES);

        var here = RunCommand.CanvasLocation.resolve("数学/线性代数.canvas", Optional.empty(), vault);

        assertThat(here.vault()).isEqualTo(vault.toAbsolutePath().normalize());
        assertThat(here.canvasPath()).isEqualTo("数学/线性代数.canvas");
        assertThat(here.why())
                .contains("current folder")
                .contains("no .obsidian")
                .contains("--vault");
    }

    @Test
    void withoutObsidianACanvasWithoutFileNodesOutsideTheCurrentFolderHasItsOwnFolderAsItsVault() throws Exception {
        Files.createDirectories(vault.resolve("数学"));
        Files.writeString(vault.resolve("数学/线性代数.canvas"), NO_FILE_NODES);
        Path elsewhere = Files.createDirectories(vault.resolveSibling(vault.getFileName() + "-elsewhere"));

        var there = RunCommand.CanvasLocation.resolve(
                vault.resolve("数学/线性代数.canvas").toString(), Optional.empty(), elsewhere);

        assertThat(there.vault()).isEqualTo(vault.resolve("数学").toAbsolutePath().normalize());
        assertThat(there.canvasPath()).isEqualTo("线性代数.canvas");
        assertThat(there.why()).contains("the canvas's folder").contains("--vault");
    }

    /**
     * Without {@code .obsidian}, file nodes naming files above the canvas's folder are not taken to make that folder the
     * vault: a canvas from a shared folder names what its sender chose, and the notes written beside it quote the
     * vault's notes (a hostile tester had a classmate's canvas quote "My bank PIN is 4321" from a diary above the
     * share, into the share). The learner is told which folder, and says so with {@code --vault}.
     */
    @Test
    void withoutObsidianFileNodesAboveTheCanvasFolderAreNamedNotTakenForTheVault() throws Exception {
        Path root = Fixtures.copy(Fixtures.exampleVault(), vault.resolve("v"));

        assertThatThrownBy(() -> RunCommand.CanvasLocation.resolve(
                        "Cell Biology.canvas", Optional.empty(), root.resolve("Biology")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("no .obsidian found above the canvas")
                .hasMessageContaining("files in " + root.toAbsolutePath().normalize() + ", above its own folder")
                .hasMessageContaining("--vault " + root.toAbsolutePath().normalize());
        var given = RunCommand.CanvasLocation.resolve(
                "Biology/Cell Biology.canvas", Optional.of(root.toString()), "--vault", vault);
        assertThat(given.vault()).isEqualTo(root.toAbsolutePath().normalize());
        assertThat(given.canvasPath()).isEqualTo("Biology/Cell Biology.canvas");
    }

    /** A reviewer's case: {@code cd vault && run course/x.canvas} is the learner's choice of the vault, and stands. */
    @Test
    void fileNodesInTheCurrentFolderTheCanvasIsInsideMakeItTheVault() throws Exception {
        Path root = Fixtures.copy(Fixtures.exampleVault(), vault.resolve("v"));

        var found = RunCommand.CanvasLocation.resolve("Biology/Cell Biology.canvas", Optional.empty(), root);

        assertThat(found.vault()).isEqualTo(root.toAbsolutePath().normalize());
        assertThat(found.canvasPath()).isEqualTo("Biology/Cell Biology.canvas");
    }

    /**
     * The same command after Ctrl-C must find the same vault, or it finds no stopped batch (the journal knows it by
     * vault and canvas path) and starts another. A canvas linked once in a vault at {@code v/} (its file node names
     * {@code 数学/线性代数-notes/Why (oral-explanation).md}), whose notes were deleted to be written again, run from
     * outside: no file node exists, so the vault is the canvas's folder, and the run writes its notes into
     * {@code 数学/线性代数-notes/} there, the very path the old file node names from {@code v/}. After Ctrl-C the same
     * command finds that file node existing under {@code v/} and takes {@code v/} for the vault: the batch is not
     * resumed but started again, with another canvas path.
     */
    @Test
    void theSameCommandAfterTheFirstRunWroteItsNotesFindsTheSameVault() throws Exception {
        Path v = Files.createDirectories(vault.resolve("v/数学"));
        Files.writeString(v.resolve("线性代数.canvas"), """
                {"nodes":[{"id":"a","type":"text","text":"Why?","color":"1","x":0,"y":0,"width":9,"height":9},
                 {"id":"n","type":"file","file":"数学/线性代数-notes/Why (oral-explanation).md",
                  "x":0,"y":60,"width":9,"height":9}],"edges":[]}
                """);
        Path elsewhere = Files.createDirectories(vault.resolve("elsewhere"));
        String canvas = v.resolve("线性代数.canvas").toString();

        var first = RunCommand.CanvasLocation.resolve(canvas, Optional.empty(), elsewhere);
        // what the first run wrote before Ctrl-C: its note, in the notes folder beside the canvas in its vault
        Path note = first.vault().resolve("线性代数-notes/Why (oral-explanation).md");
        Files.createDirectories(note.getParent());
        Files.writeString(note, "# Why?\n");
        var resumed = RunCommand.CanvasLocation.resolve(canvas, Optional.empty(), elsewhere);

        assertThat(resumed.vault()).isEqualTo(first.vault());
        assertThat(resumed.canvasPath()).isEqualTo(first.canvasPath());
    }

    @Test
    void aFolderHoldingObsidianIsTheVaultWhatTheFileNodesSay() throws Exception {
        Path root = Fixtures.copy(Fixtures.exampleVault(), vault.resolve("v"));
        Files.createDirectories(root.resolve("Biology/.obsidian"));

        var found = RunCommand.CanvasLocation.resolve(
                root.resolve("Biology/Cell Biology.canvas").toString(), Optional.empty(), vault);

        assertThat(found.vault())
                .isEqualTo(root.resolve("Biology").toAbsolutePath().normalize());
        assertThat(found.why()).isEqualTo("holds .obsidian");
    }

    /**
     * A canvas from elsewhere (a download, a shared folder) names its file nodes: one naming a system file must not make
     * the whole disk the vault, whose every note the vault's index would read and quote into the notes.
     */
    @Test
    void fileNodesThatExistOnlyUnderTheFilesystemsRootOrTheHomeFolderDoNotMakeThemTheVault() throws Exception {
        Path home = Path.of(System.getProperty("user.home")).toAbsolutePath().normalize();
        Path inHome = Files.createTempFile(home, "canvas-location-test", ".md");
        Path folder = Files.createTempDirectory(home, "canvas-location-test");
        Path canvas = folder.resolve("shared.canvas");
        try {
            Files.writeString(
                    canvas,
                    "{\"nodes\":[{\"id\":\"f\",\"type\":\"file\",\"file\":\"proc/self/status\",\"x\":0,\"y\":0,"
                            + "\"width\":9,\"height\":9},{\"id\":\"g\",\"type\":\"file\",\"file\":\""
                            + inHome.getFileName() + "\",\"x\":0,\"y\":20,\"width\":9,\"height\":9}],\"edges\":[]}");

            var found = RunCommand.CanvasLocation.resolve(canvas.toString(), Optional.empty(), vault);

            assertThat(found.vault()).isNotEqualTo(Path.of("/")).isNotEqualTo(home);
            assertThat(found.vault()).isEqualTo(folder.toAbsolutePath().normalize());
        } finally {
            Files.deleteIfExists(canvas);
            Files.deleteIfExists(folder);
            Files.deleteIfExists(inHome);
        }
    }

    @Test
    void aVaultThatIsNoFolderIsSaidWithWhereItWasNamed() {
        Path nowhere = vault.resolve("nowhere");

        assertThatThrownBy(() -> RunCommand.CanvasLocation.resolve(
                        "x.canvas", Optional.of(nowhere.toString()), "CANVASBATCH_VAULT", vault))
                .isInstanceOf(UsageException.class)
                .hasMessage("CANVASBATCH_VAULT names " + nowhere + ", which is not a folder");
    }

    @Test
    void theFilesystemsRootIsNeverTakenForTheVaultOfACanvasWithoutFileNodes() throws Exception {
        Files.createDirectories(vault.resolve("数学"));
        Files.writeString(vault.resolve("数学/线性代数.canvas"), NO_FILE_NODES);
        Path root = vault.toAbsolutePath().getRoot();

        var fromRoot = RunCommand.CanvasLocation.resolve(
                vault.resolve("数学/线性代数.canvas").toString(), Optional.empty(), root);

        assertThat(fromRoot.vault())
                .as("the whole disk would be indexed for passages")
                .isEqualTo(vault.resolve("数学").toAbsolutePath().normalize());
        assertThat(fromRoot.why()).contains("the canvas's folder").contains("--vault");
    }
}
