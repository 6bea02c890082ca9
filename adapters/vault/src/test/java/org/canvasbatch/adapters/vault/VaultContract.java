package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasEdge;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link Vault} promises the core, run against the file vault and against test-support's in-memory vault,
 * so that the core's tests on the one say something about the other: the canvas as read (nodes, colours, edges), what
 * an agent reads for each kind of node, where a note goes and that the same node and agent overwrite it, that each
 * written note is linked into its canvas once, and why something is refused.
 */
abstract class VaultContract {

    static final String CANVAS = "课程/离散数学.canvas";
    static final String NOTES = "课程/离散数学-notes/";
    static final String FILE_TEXT = "# 鸽巢原理\n\nn + 1 只鸽子飞进 n 个巢。\n";
    static final Canvas STUDY = new Canvas(
            CANVAS,
            List.of(
                    CanvasNode.text("q1", "什么是逆否命题？", "1", 0, 0, 250, 60),
                    CanvasNode.text("q2", "What is a monad?", "6", 400, 0, 250, 60),
                    CanvasNode.text("q3", "什么是逆否命题？", "1", 800, 0, 250, 60),
                    CanvasNode.text("y1", "我觉得是把条件和结论都否定再交换", "3", 0, 200, 250, 60),
                    new CanvasNode("f1", "file", null, "资料/鸽巢原理.md", null, null, "1", 0, 400, 400, 300),
                    new CanvasNode("i1", "file", null, "资料/diagram.png", null, null, null, 500, 400, 400, 300),
                    new CanvasNode("m1", "file", null, "资料/missing.md", null, null, null, 1000, 400, 400, 300),
                    new CanvasNode(
                            "l1", "link", null, null, "https://example.org/monads", null, "6", 0, 800, 400, 300)),
            List.of(new CanvasEdge("e1", "y1", "q1", null)));
    static final Map<String, String> FILES = Map.of("资料/鸽巢原理.md", FILE_TEXT, "资料/diagram.png", "not really a PNG");
    static final Instant AT = Instant.parse("2026-11-26T12:00:00Z");

    Vault vault;

    /** A vault that holds {@link #STUDY} and {@link #FILES}, and nothing else. */
    protected abstract Vault vaultWith(Canvas canvas, Map<String, String> files);

    /** The vault has written every link it holds into its canvas (the file vault coalesces its writes). */
    protected abstract void settle();

    @BeforeEach
    void openVault() {
        vault = vaultWith(STUDY, FILES);
    }

    @Test
    void aCanvasIsReadWithItsNodesInOrderTheirColoursAndItsEdges() {
        Canvas canvas = vault.readCanvas(CANVAS);

        assertThat(canvas.path()).isEqualTo(CANVAS);
        assertThat(canvas.nodes())
                .extracting(CanvasNode::id)
                .containsExactly("q1", "q2", "q3", "y1", "f1", "i1", "m1", "l1");
        assertThat(canvas.nodes())
                .extracting(CanvasNode::color)
                .containsExactly("1", "6", "1", "3", "1", null, null, "6");
        assertThat(canvas.nodesColored(Set.of("1", "6")))
                .extracting(CanvasNode::id)
                .containsExactly("q1", "q2", "q3", "f1", "l1");
        assertThat(canvas.understandingNextTo("q1")).containsExactly("我觉得是把条件和结论都否定再交换");
        assertThat(canvas.node("f1").orElseThrow().file()).isEqualTo("资料/鸽巢原理.md");
        assertThat(canvas.node("l1").orElseThrow().url()).isEqualTo("https://example.org/monads");
        assertThat(vault.canvasExists(CANVAS)).isTrue();
        assertThat(vault.canvasExists("课程/其他.canvas")).isFalse();
    }

    @Test
    void anAgentReadsATextNodesTextAFilesTextAnImagesEmbedAndALinksUrl() {
        Canvas canvas = vault.readCanvas(CANVAS);

        assertThat(vault.contentOf(CANVAS, canvas.node("q2").orElseThrow())).isEqualTo("What is a monad?");
        assertThat(vault.contentOf(CANVAS, canvas.node("f1").orElseThrow())).isEqualTo(FILE_TEXT);
        assertThat(vault.contentOf(CANVAS, canvas.node("i1").orElseThrow())).isEqualTo("![[资料/diagram.png]]");
        assertThat(vault.contentOf(CANVAS, canvas.node("l1").orElseThrow())).isEqualTo("https://example.org/monads");
    }

    @Test
    void whatCannotBeReadIsRefusedWithItsReason() {
        Canvas canvas = vault.readCanvas(CANVAS);

        assertRefused(Reason.NOT_FOUND, () -> vault.readCanvas("课程/其他.canvas"));
        assertRefused(Reason.INVALID_CANVAS, () -> vault.readCanvas("资料/鸽巢原理.md"));
        assertRefused(
                Reason.NOT_FOUND,
                () -> vault.contentOf(CANVAS, canvas.node("m1").orElseThrow()));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"../elsewhere/x.canvas", "课程/../../x.canvas", "/etc/x.canvas", "C:/x.canvas", "课程\\x.canvas", " "
            })
    void aPathThatLeavesTheVaultIsRefusedWhateverItIsFor(String path) {
        assertRefused(Reason.OUTSIDE_VAULT, () -> vault.readCanvas(path));
        assertRefused(Reason.OUTSIDE_VAULT, () -> vault.canvasExists(path));
        assertRefused(
                Reason.OUTSIDE_VAULT, () -> vault.writeNote(draft(path, "q1", "什么是逆否命题？", AgentId.ORAL_EXPLANATION)));
        // a file node without a file names nothing to leave the vault by
        assertRefused(
                path.isBlank() ? Reason.NOT_FOUND : Reason.OUTSIDE_VAULT,
                () -> vault.contentOf(CANVAS, new CanvasNode("x", "file", null, path, null, null, null, 0, 0, 1, 1)));
    }

    @Test
    void aNoteIsNamedAfterItsNodesTextAndAgentInTheCanvasNotesFolder() {
        WrittenNote note = vault.writeNote(draft(CANVAS, "q2", "What is a monad?", AgentId.COMPARISON_TABLE));

        assertThat(note.path()).isEqualTo(NOTES + "What is a monad (comparison-table).md");
        assertThat(note.sizeBytes()).isGreaterThanOrEqualTo(markdown("q2").getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void theSameNodeAndAgentOverwriteTheirNoteEvenAfterTheTextChangedAndOthersGetTheirOwn() {
        String first = vault.writeNote(draft(CANVAS, "q1", "什么是逆否命题？", AgentId.ORAL_EXPLANATION))
                .path();
        String again = vault.writeNote(draft(CANVAS, "q1", "什么是逆否命题？（改）", AgentId.ORAL_EXPLANATION))
                .path();
        String otherAgent = vault.writeNote(draft(CANVAS, "q1", "什么是逆否命题？", AgentId.MEMORY_ANCHOR))
                .path();
        String sameText = vault.writeNote(draft(CANVAS, "q3", "什么是逆否命题？", AgentId.ORAL_EXPLANATION))
                .path();

        assertThat(first).isEqualTo(NOTES + "什么是逆否命题？ (oral-explanation).md");
        assertThat(again).isEqualTo(first);
        assertThat(otherAgent).isEqualTo(NOTES + "什么是逆否命题？ (memory-anchor).md");
        assertThat(sameText)
                .startsWith(NOTES)
                .endsWith(" (oral-explanation).md")
                .isNotEqualTo(first);
        assertThat(vault.writeNote(draft(CANVAS, "q3", "什么是逆否命题？", AgentId.ORAL_EXPLANATION))
                        .path())
                .isEqualTo(sameText);
    }

    @Test
    void eachWrittenNoteIsLinkedIntoItsCanvasOnceWithAnEdgeFromItsNode() {
        String q1 = vault.writeNote(draft(CANVAS, "q1", "什么是逆否命题？", AgentId.ORAL_EXPLANATION))
                .path();
        vault.writeNote(draft(CANVAS, "q1", "什么是逆否命题？", AgentId.ORAL_EXPLANATION));
        String q2 = vault.writeNote(draft(CANVAS, "q2", "What is a monad?", AgentId.MEMORY_ANCHOR))
                .path();
        settle();
        vault.writeNote(draft(CANVAS, "q2", "What is a monad?", AgentId.MEMORY_ANCHOR));
        settle();

        Canvas canvas = vault.readCanvas(CANVAS);
        assertLinkedOnce(canvas, "q1", q1);
        assertLinkedOnce(canvas, "q2", q2);
        assertThat(canvas.nodes().subList(0, STUDY.nodes().size()))
                .as("the learner's nodes, as they were")
                .isEqualTo(STUDY.nodes());
    }

    @Test
    void aNoteOfANodeTheCanvasDoesNotHoldIsWrittenButNotLinked() {
        String note = vault.writeNote(draft(CANVAS, "gone", "a question deleted meanwhile", AgentId.ORAL_EXPLANATION))
                .path();
        settle();

        assertThat(note).isEqualTo(NOTES + "a question deleted meanwhile (oral-explanation).md");
        assertThat(vault.readCanvas(CANVAS).nodes()).noneMatch(n -> note.equals(n.file()));
    }

    @Test
    void aNoteOfACanvasThatDoesNotExistIsWrittenBesideItAndNoCanvasAppears() {
        String note = vault.writeNote(draft("课程/其他.canvas", "q1", "什么是逆否命题？", AgentId.ORAL_EXPLANATION))
                .path();
        settle();

        assertThat(note).isEqualTo("课程/其他-notes/什么是逆否命题？ (oral-explanation).md");
        assertThat(vault.canvasExists("课程/其他.canvas")).isFalse();
    }

    private static void assertLinkedOnce(Canvas canvas, String sourceNodeId, String notePath) {
        List<CanvasNode> fileNodes =
                canvas.nodes().stream().filter(n -> notePath.equals(n.file())).toList();
        assertThat(fileNodes).as("file nodes of %s", notePath).singleElement().satisfies(node -> {
            assertThat(node.isFile()).isTrue();
            assertThat(node.color()).isEqualTo("5");
            assertThat(canvas.edges())
                    .filteredOn(
                            e -> e.fromNode().equals(sourceNodeId) && e.toNode().equals(node.id()))
                    .hasSize(1);
        });
    }

    private static NoteDraft draft(String canvasPath, String nodeId, String text, AgentId agent) {
        return new NoteDraft(canvasPath, nodeId, text, agent, markdown(nodeId), "offline", AT);
    }

    private static String markdown(String nodeId) {
        return "# 笔记 " + nodeId + "\n\n逆否命题与原命题等价。\n";
    }

    private static void assertRefused(Reason reason, ThrowingCallable use) {
        VaultException error = catchThrowableOfType(VaultException.class, use);
        assertThat(error).as("refused").isNotNull();
        assertThat(error.reason()).isEqualTo(reason);
        assertThat(error.getMessage()).isNotBlank();
    }
}
