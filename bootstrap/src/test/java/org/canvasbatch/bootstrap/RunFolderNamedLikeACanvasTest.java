package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code canvas-batch run} on a canvas that is not there says so about the canvas the learner meant, however it was
 * typed: a folder named like a canvas is a folder (not "no canvas", which sends the learner looking for another
 * vault), and an absolute path into the vault is answered like the same path typed from the vault (not "must be
 * relative to the vault … must not contain an empty segment ('//')", which is about neither).
 */
class RunFolderNamedLikeACanvasTest {

    @TempDir
    Path temp;

    private Path vault;

    @BeforeEach
    void vaultWithAFolderNamedLikeACanvas() throws IOException {
        vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        Files.createDirectories(vault.resolve("数学/离散数学.canvas"));
    }

    @Test
    void aFolderNamedLikeACanvasInTheVaultIsSaidToBeAFolder() {
        Said said = run("数学/离散数学.canvas", "--vault", vault.toString());

        assertThat(said.code()).as(said.err()).isEqualTo(2);
        assertThat(said.err())
                .contains("'数学/离散数学.canvas' is a folder, not a canvas file")
                .doesNotContain("no canvas");
    }

    @Test
    void aFolderNamedLikeACanvasGivenByItsAbsolutePathIsSaidToBeAFolder() {
        Said said = run(vault.resolve("数学/离散数学.canvas").toString(), "--vault", vault.toString());

        assertThat(said.code()).as(said.err()).isEqualTo(2);
        assertThat(said.err())
                .contains("'数学/离散数学.canvas' is a folder, not a canvas file")
                .doesNotContain("must be relative", "empty segment");
    }

    @Test
    void aMissingCanvasGivenByItsAbsolutePathIsNamedAsInTheVault() {
        Said said = run(vault.resolve("数学/线性代数.canvas").toString(), "--vault", vault.toString());

        assertThat(said.code()).as(said.err()).isEqualTo(2);
        assertThat(said.err())
                .contains("no canvas '数学/线性代数.canvas' in the vault " + vault)
                .doesNotContain("must be relative", "empty segment");
    }

    @Test
    void aMissingCanvasOutsideTheVaultGivenByItsAbsolutePathIsNotThere() {
        Path elsewhere = temp.resolve("elsewhere/线性代数.canvas");

        Said said = run(elsewhere.toString(), "--vault", vault.toString());

        assertThat(said.code()).as(said.err()).isEqualTo(2);
        assertThat(said.err())
                .contains("no canvas at " + elsewhere)
                .doesNotContain("must be relative", "empty segment");
    }

    @Test
    void aFolderNamedLikeACanvasWithoutAVaultGivenIsSaidToBeAFolder() {
        Said said = run(vault.resolve("数学/离散数学.canvas").toString());

        assertThat(said.code()).as(said.err()).isEqualTo(2);
        assertThat(said.err()).contains("is a folder, not a canvas file").doesNotContain("no canvas");
    }

    @Test
    void aNamedPipeNamedLikeACanvasIsSaidToBeOne() throws Exception {
        // a hostile tester: "no canvas at …" sent the learner looking for a canvas elsewhere, though something is
        // there; the server says what it is (contract §6), and so does run now
        Path pipe = vault.resolve("pipe.canvas");
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        // every system the tests run on has mkfifo (coreutils): a test that skipped itself without it would prove
        // nothing in CI
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();

        Said said = run(pipe.toString());

        assertThat(said.code()).as(said.err()).isEqualTo(2);
        assertThat(said.err())
                .contains(
                        "'" + pipe + "' is not a regular file (a named pipe, a device or a socket), not a canvas file")
                .doesNotContain("no canvas");
    }

    @Test
    void aCanvasLinkedIntoAHiddenFolderIsNamedOnce() throws Exception {
        Files.createDirectories(vault.resolve(".trash"));
        Files.writeString(vault.resolve(".trash/old.canvas"), "{\"nodes\":[],\"edges\":[]}", StandardCharsets.UTF_8);
        Files.createSymbolicLink(vault.resolve("old.canvas"), Path.of(".trash/old.canvas"));

        Said said = run("old.canvas", "--vault", vault.toString());

        assertThat(said.code()).as(said.err()).isEqualTo(2);
        assertThat(said.err())
                .as("it said \"the canvas 'old.canvas' 'old.canvas' leads into …\"")
                .contains("'old.canvas' leads into the hidden folder '.trash'")
                .doesNotContain("'old.canvas' 'old.canvas'");
    }

    private record Said(int code, String err) {}

    private static Said run(String... args) {
        List<String> command = new ArrayList<>(List.of("run"));
        command.addAll(List.of(args));
        command.addAll(List.of("--data", "memory", "--plain"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                command,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Said(code, err.toString(StandardCharsets.UTF_8));
    }
}
