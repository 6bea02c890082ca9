package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeContentTest {

    @TempDir
    Path root;

    FileVault vault;
    Canvas mixed;

    @BeforeEach
    void openVault() {
        Fixtures.copyVaultTo(root);
        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
        mixed = vault.readCanvas(Fixtures.MIXED);
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @Test
    void eachNodeTypeOfTheMixedCanvasHasItsContent() {
        assertThat(contentOf("f1")).isEqualTo("# 鸽巢原理\n\n如果把 n+1 个物体放进 n 个盒子，至少有一个盒子里有两个物体。\n");
        assertThat(contentOf("l1")).isEqualTo("https://en.wikipedia.org/wiki/Pigeonhole_principle");
        assertThat(contentOf("g1")).isEqualTo("组合数学");
        assertThat(contentOf("t1")).isEqualTo("举例说明鸽巢原理在生日问题中的应用");
        assertThat(contentOf("t2")).isEmpty();
    }

    @Test
    void textFilesOfAnyKindAreRead() throws IOException {
        write("data/scores.csv", "name,score\nAda,9\n");
        write("data/readme.txt", "\uFEFFplain text");

        assertThat(vault.contentOf(Fixtures.MIXED, fileNode("data/scores.csv"))).isEqualTo("name,score\nAda,9\n");
        assertThat(vault.contentOf(Fixtures.MIXED, fileNode("data/readme.txt"))).isEqualTo("plain text");
    }

    @Test
    void aLongTextFileIsCutAt64KibAndSaysSo() throws IOException {
        String line = "归纳假设在这一步被使用。\n";
        write("long.md", line.repeat(4000));

        String content = vault.contentOf(Fixtures.MIXED, fileNode("long.md"));

        assertThat(content).endsWith("\n\n(truncated)");
        String kept = content.substring(0, content.length() - "\n\n(truncated)".length());
        assertThat(kept.getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(64 * 1024)
                .isGreaterThan(65_000);
        assertThat(line.repeat(4000)).startsWith(kept);
        assertThat(kept).doesNotContain("\uFFFD");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "img/diagram.png",
                "img/photo.JPG",
                "img/photo.jpeg",
                "img/anim.gif",
                "img/figure.svg",
                "img/pic.webp",
                "papers/归纳法.pdf"
            })
    void imagesAndPdfsBecomeAnEmbed(String file) throws IOException {
        write(file, "<svg/> or whatever the bytes are");

        assertThat(vault.contentOf(Fixtures.MIXED, fileNode(file))).isEqualTo("![[" + file + "]]");
    }

    @Test
    void aBinaryFileOfUnknownKindBecomesAnEmbed() throws IOException {
        Files.createDirectories(root.resolve("bin"));
        Files.write(root.resolve("bin/model.ggb"), new byte[] {0x50, 0x4b, 0x03, 0x04, 0, 0, (byte) 0xff});
        Files.write(root.resolve("bin/latin1.dat"), new byte[] {'c', 'a', 'f', (byte) 0xe9});

        assertThat(vault.contentOf(Fixtures.MIXED, fileNode("bin/model.ggb"))).isEqualTo("![[bin/model.ggb]]");
        assertThat(vault.contentOf(Fixtures.MIXED, fileNode("bin/latin1.dat"))).isEqualTo("![[bin/latin1.dat]]");
    }

    @Test
    void aMissingFileIsNotFoundAndNamed() {
        VaultException error = catchThrowableOfType(
                VaultException.class, () -> vault.contentOf(Fixtures.MIXED, fileNode("notes/已删除.md")));

        assertThat(error.reason()).isEqualTo(Reason.NOT_FOUND);
        assertThat(error.getMessage()).isEqualTo("The file 'notes/已删除.md' of node 'f' does not exist in the vault.");
        assertThat(error.path()).isEqualTo("notes/已删除.md");
    }

    @Test
    void aFileNodeWithoutAFileOrPointingAtAFolderIsNotFound() {
        VaultException noFile = catchThrowableOfType(
                VaultException.class,
                () -> vault.contentOf(
                        Fixtures.MIXED, new CanvasNode("f", "file", null, null, null, null, null, 0, 0, 1, 1)));
        VaultException folder =
                catchThrowableOfType(VaultException.class, () -> vault.contentOf(Fixtures.MIXED, fileNode("notes")));

        assertThat(noFile.reason()).isEqualTo(Reason.NOT_FOUND);
        assertThat(noFile.getMessage()).contains("'f'", "names no file");
        assertThat(folder.reason()).isEqualTo(Reason.NOT_FOUND);
        assertThat(folder.getMessage()).contains("'notes'", "folder");
    }

    /**
     * A hostile tester's case: a folder of the vault exchanged with a link to a folder outside it, over and over, while
     * batches read a file node in it; 41 of 200 notes quoted the outside file (and a model would have been sent it).
     * Here the exchange happens once, right after the file was checked to be inside and before it is read.
     */
    @Test
    void aFolderSwappedForALinkToOutsideBetweenTheCheckAndTheReadIsNeverFollowed(@TempDir Path elsewhere)
            throws IOException {
        write("S/d/secret.md", "inside harmless content");
        Path outside = Files.createDirectories(elsewhere.resolve("d2"));
        Files.writeString(outside.resolve("secret.md"), "TOPSECRET-OUTSIDE");
        Path folder = root.resolve("S/d");
        NodeContent content = new NodeContent(new VaultPaths(root), real -> {
            try {
                Files.move(folder, root.resolve("S/moved"));
                Files.createSymbolicLink(folder, outside);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        VaultException refused =
                catchThrowableOfType(VaultException.class, () -> content.of(fileNode("S/d/secret.md")));

        assertThat(refused).as("the read must not go through the link").isNotNull();
        assertThat(refused.reason()).isEqualTo(Reason.OUTSIDE_VAULT);
        assertThat(refused.getMessage())
                .contains("S/d/secret.md", "symbolic link")
                .doesNotContain("TOPSECRET");
    }

    @Test
    void aFileReachedThroughALinkThatStaysInsideTheVaultIsStillRead() throws IOException {
        write("Notes/real.md", "the learner's own note");
        Files.createSymbolicLink(root.resolve("Inbox"), root.resolve("Notes"));

        assertThat(new NodeContent(new VaultPaths(root)).of(fileNode("Inbox/real.md")))
                .isEqualTo("the learner's own note");
    }

    private String contentOf(String nodeId) {
        return vault.contentOf(Fixtures.MIXED, mixed.node(nodeId).orElseThrow());
    }

    private void write(String path, String text) throws IOException {
        Files.createDirectories(root.resolve(path).getParent());
        Files.writeString(root.resolve(path), text);
    }

    private static CanvasNode fileNode(String file) {
        return new CanvasNode("f", "file", null, file, null, null, "1", 0, 0, 400, 300);
    }
}
