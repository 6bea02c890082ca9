package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasEdge;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanvasReadingTest {

    @TempDir
    Path root;

    FileVault vault;

    @BeforeEach
    void openVault() {
        Fixtures.copyVaultTo(root);
        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @ParameterizedTest
    @CsvSource({
        "数学/离散数学.canvas, 26, 1",
        "数学/线性代数.canvas, 21, 1",
        "数学/mixed-node-types.canvas, 5, 1",
        "CS/Data Structures.canvas, 21, 1",
        "Exam Prep/期末复习-170.canvas, 174, 4"
    })
    void readsEveryFixtureCanvas(String path, int nodes, int edges) {
        Canvas canvas = vault.readCanvas(path);

        assertThat(canvas.path()).isEqualTo(path);
        assertThat(canvas.nodes()).hasSize(nodes);
        assertThat(canvas.edges()).hasSize(edges);
        assertThat(vault.canvasExists(path)).isTrue();
    }

    @Test
    void readsTheNodesOfADiscreteMathCanvasInFileOrder() {
        Canvas canvas = vault.readCanvas(Fixtures.DISCRETE_MATH);

        assertThat(canvas.nodes().get(0)).isEqualTo(CanvasNode.text("01000c386bbc4", "什么是逆否命题", "2", 0, 0, 400, 120));
        assertThat(canvas.name()).isEqualTo("离散数学");
        assertThat(canvas.understandingNextTo("01000c386bbc4")).containsExactly("我理解为把条件和结论都否定再交换位置，和原命题同真同假？");
    }

    @Test
    void readsFileLinkAndGroupNodesOfTheMixedCanvas() {
        Canvas canvas = vault.readCanvas(Fixtures.MIXED);

        assertThat(canvas.node("f1"))
                .hasValue(new CanvasNode("f1", "file", null, "notes/鸽巢原理.md", null, null, "1", 0, 0, 400, 300));
        assertThat(canvas.node("l1"))
                .hasValue(new CanvasNode(
                        "l1",
                        "link",
                        null,
                        null,
                        "https://en.wikipedia.org/wiki/Pigeonhole_principle",
                        null,
                        "6",
                        500,
                        0,
                        400,
                        300));
        assertThat(canvas.node("g1"))
                .hasValue(new CanvasNode("g1", "group", null, null, null, "组合数学", null, -50, -50, 1000, 400));
        assertThat(canvas.node("t2").orElseThrow().text()).isEmpty();
        assertThat(canvas.edges()).containsExactly(new CanvasEdge("e1", "f1", "t1", null));
    }

    @Test
    void keepsUnknownNodeTypesAndAcceptsIntegerAndDecimalNumbers() throws IOException {
        write("odd.canvas", """
                {"nodes": [
                  {"id": "w", "type": "widget", "x": 12.5, "y": -3, "width": 1e2, "height": 80, "data": {"k": 1}},
                  {"id": "t", "type": "text", "text": "what is a monoid", "x": 0, "y": 0, "width": 10, "height": 10,
                   "color": "#ff0000", "styleAttributes": {}}
                ],
                 "edges": [{"id": "e", "fromNode": "t", "toNode": "w", "label": "see", "extra": true}],
                 "metadata": {"version": "1.0"}}""");

        Canvas canvas = vault.readCanvas("odd.canvas");

        CanvasNode widget = canvas.node("w").orElseThrow();
        assertThat(widget.type()).isEqualTo("widget");
        assertThat(widget.x()).isEqualTo(12.5);
        assertThat(widget.y()).isEqualTo(-3);
        assertThat(widget.width()).isEqualTo(100);
        assertThat(canvas.node("t").orElseThrow().hasColor("#FF0000")).isTrue();
        assertThat(canvas.edges()).containsExactly(new CanvasEdge("e", "t", "w", "see"));
    }

    @Test
    void anEmptyObjectIsACanvasWithoutNodes() throws IOException {
        write("new.canvas", "{}");

        assertThat(vault.readCanvas("new.canvas").nodes()).isEmpty();
    }

    @Test
    void acceptsAByteOrderMarkAndTolerantSpellingOfThePath() throws IOException {
        write("bom.canvas", "\uFEFF{\"nodes\": [{\"id\": \"a\", \"type\": \"text\", \"text\": \"x\"}]}");

        Canvas canvas = vault.readCanvas("./bom.canvas");

        assertThat(canvas.path()).isEqualTo("bom.canvas");
        assertThat(canvas.nodes()).extracting(CanvasNode::id).containsExactly("a");
        assertThat(vault.readCanvas("数学//离散数学.canvas").path()).isEqualTo(Fixtures.DISCRETE_MATH);
    }

    /**
     * Obsidian saves a canvas by cutting the file to nothing and writing it again: a read in between (a `run` started,
     * or the plugin's analysis, right as the learner's last edit is saved) must get the saved canvas, not "is empty".
     */
    @ParameterizedTest
    @CsvSource({"0", "700"})
    void aCanvasCaughtInTheMiddleOfASaveIsReadOnceTheSaveIsDone(int writtenSoFar) throws Exception {
        Path canvasFile = root.resolve(Fixtures.DISCRETE_MATH);
        byte[] saved = Files.readAllBytes(canvasFile);
        Files.write(canvasFile, Arrays.copyOf(saved, writtenSoFar));
        CompletableFuture<Canvas> read = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                read.complete(vault.readCanvas(Fixtures.DISCRETE_MATH));
            } catch (RuntimeException e) {
                read.completeExceptionally(e);
            }
        });
        // the save finishes once the reader has seen it unfinished and waits for more
        while (reader.getState() != Thread.State.TIMED_WAITING && !read.isDone()) {
            Thread.onSpinWait();
        }
        Files.write(canvasFile, saved);

        assertThat(read.get(10, TimeUnit.SECONDS).nodes()).hasSize(26);
    }

    @Test
    void aCanvasLeftHalfWrittenIsStillRefusedAsBroken() throws IOException {
        Path canvasFile = root.resolve(Fixtures.DISCRETE_MATH);
        Files.write(canvasFile, Arrays.copyOf(Files.readAllBytes(canvasFile), 700));

        assertThatThrownBy(() -> vault.readCanvas(Fixtures.DISCRETE_MATH))
                .isInstanceOfSatisfying(
                        VaultException.class,
                        e -> assertThat(e.reason()).isEqualTo(VaultException.Reason.INVALID_CANVAS))
                .hasMessageContaining(Fixtures.DISCRETE_MATH);
    }

    @Test
    void aMissingCanvasDoesNotExist() {
        assertThat(vault.canvasExists("数学/没有.canvas")).isFalse();
        assertThat(vault.canvasExists("数学")).isFalse();
    }

    private void write(String path, String json) throws IOException {
        Files.writeString(root.resolve(path), json);
    }
}
