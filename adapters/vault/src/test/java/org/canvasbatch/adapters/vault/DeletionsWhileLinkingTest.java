package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A learner tidies the canvas while a batch is still linking notes into it: a card deleted then stays deleted when the
 * canvas settles (or the server stops), although links written since the canvas was last quiet are merged once more
 * then. The save that deleted it holds a card written after it, so it was made from a canvas that had it. A link that a
 * stale copy's save dropped is still linked again (CONTRACT §6: edits the user made meanwhile are kept), and so is a
 * link a node run again wrote in a new form (a card beside the learner's edited note, a label with a new time), which
 * the canvases from before hold only in its old form.
 */
class DeletionsWhileLinkingTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
    private static final String Q1 = "01000c386bbc4";
    private static final String Q2 = "01001414c343c";
    private static final String Q3 = "010027311d8a3";

    @TempDir
    Path root;

    final BlockingQueue<String> writes = new LinkedBlockingQueue<>();
    FileVault vault;
    Map<String, String> texts;

    @BeforeEach
    void openVault() {
        Fixtures.copyVaultTo(root);
    }

    @AfterEach
    void closeVault() {
        if (vault != null) {
            vault.close();
        }
    }

    /** The batch goes on linking (the canvas is not yet quiet); the learner deletes the first card; the batch ends. */
    @Test
    void aCardTheLearnerDeletedWhileTheBatchRanStaysDeletedWhenTheCanvasSettles() throws Exception {
        vault = open(Duration.ZERO);
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE);
        awaitWrite();
        assertThat(discreteMath().noteNodes()).hasSize(2);

        // Obsidian reloaded the canvas with both cards; the learner deletes the first one (card, edge, label) and saves
        String firstNote = notePath(Q1, AgentId.ORAL_EXPLANATION);
        learnerDeletesCardOf(firstNote);
        link(Q3, AgentId.CLARIFICATION_PATH);
        awaitWrite();
        vault.close(); // settles the canvas: what was written since it was last quiet is merged once more
        vault = null;

        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.notesPointingAt(firstNote))
                .as("the card the learner deleted stays deleted")
                .isEmpty();
        assertThat(canvas.notesPointingAt(notePath(Q2, AgentId.COMPARISON_TABLE)))
                .hasSize(1);
        assertThat(canvas.notesPointingAt(notePath(Q3, AgentId.CLARIFICATION_PATH)))
                .hasSize(1);
        assertThat(canvas.noteEdges()).hasSize(2);
        assertThat(canvas.labelNodes()).as("only the kept cards' labels").hasSize(2);
    }

    /**
     * An editor that had not reloaded saved over the first link; the next link was written into that save, so no canvas
     * this write-back put in place held both, and a save from the reloaded canvas lacks the first for no fault of the
     * learner's: it is linked again when the canvas settles.
     */
    @Test
    void aLinkAStaleSaveDroppedBeforeTheNextWriteIsLinkedAgainWhenTheCanvasSettles() throws Exception {
        vault = open(Duration.ZERO);
        String before = Files.readString(root.resolve(Fixtures.DISCRETE_MATH));
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        Files.writeString(root.resolve(Fixtures.DISCRETE_MATH), before); // the stale copy's save
        link(Q2, AgentId.COMPARISON_TABLE);
        awaitWrite();
        String firstNote = notePath(Q1, AgentId.ORAL_EXPLANATION);
        assertThat(discreteMath().notesPointingAt(firstNote)).isEmpty();
        // the editor reloads (the second card, not the first) and the learner saves an edit of their own
        String reloaded = Files.readString(root.resolve(Fixtures.DISCRETE_MATH));
        Files.writeString(root.resolve(Fixtures.DISCRETE_MATH), reloaded.replace("什么是逆否命题", "什么是逆否命题？"));

        vault.close();
        vault = null;

        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.notesPointingAt(firstNote)).as("linked again").hasSize(1);
        assertThat(canvas.notesPointingAt(notePath(Q2, AgentId.COMPARISON_TABLE)))
                .hasSize(1);
        assertThat(Files.readString(root.resolve(Fixtures.DISCRETE_MATH)))
                .as("the learner's own edit is kept")
                .contains("什么是逆否命题？");
    }

    /** Only the label the write-back put above a card is deleted: it stays deleted, and the card stays. */
    @Test
    void aLabelTheLearnerDeletedWhileTheBatchRanStaysDeleted() throws Exception {
        vault = open(Duration.ZERO);
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE);
        awaitWrite();
        String firstNote = notePath(Q1, AgentId.ORAL_EXPLANATION);
        CanvasOnDisk now = discreteMath();
        String labelId =
                now.notesPointingAt(firstNote).getFirst().getString("id").replace("cb-note-", "cb-label-");
        JsonArrayBuilder nodes = Json.createArrayBuilder();
        now.nodes().stream().filter(n -> !n.getString("id").equals(labelId)).forEach(nodes::add);
        Files.writeString(
                root.resolve(Fixtures.DISCRETE_MATH),
                Json.createObjectBuilder(now.root()).add("nodes", nodes).build().toString());

        vault.close();
        vault = null;

        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.notesPointingAt(firstNote)).as("the card stays").hasSize(1);
        assertThat(canvas.nodes().stream().map(n -> n.getString("id")))
                .as("the deleted label stays deleted")
                .doesNotContain(labelId);
        assertThat(canvas.labelNodes()).hasSize(1);
    }

    /** The learner deletes a generated note and its card while the server runs; the server then stops. */
    @Test
    void aDeletedNoteAndItsCardDoNotComeBackAsADanglingCardWhenTheServerStops() throws Exception {
        vault = open(Duration.ofHours(1));
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE);
        vault.flush(Fixtures.DISCRETE_MATH);
        assertThat(discreteMath().noteNodes()).hasSize(2);

        String firstNote = notePath(Q1, AgentId.ORAL_EXPLANATION);
        Files.delete(root.resolve(firstNote));
        learnerDeletesCardOf(firstNote);

        vault.close();
        vault = null;

        CanvasOnDisk canvas = discreteMath();
        assertThat(Files.exists(root.resolve(firstNote))).isFalse();
        assertThat(canvas.notesPointingAt(firstNote))
                .as("no card for a note the learner deleted (it would show 'file not found')")
                .isEmpty();
    }

    /** The re-run's card: the learner edited the first note, so the new one goes beside it with a card of its own. */
    @Test
    void aRerunNotesCardThatAStaleSaveDroppedIsLinkedAgainWhenTheCanvasSettles() throws Exception {
        vault = open(Duration.ZERO);
        link(Q1, AgentId.ORAL_EXPLANATION, T0);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE, T0);
        awaitWrite();
        // the editor has this canvas in memory (both cards), and does not reload in time
        String editorsCopy = Files.readString(canvasFile());

        // the learner fills in the first note; then runs its node again: the new note goes beside the edited one
        Path firstNote = root.resolve(notePath(Q1, AgentId.ORAL_EXPLANATION));
        Files.writeString(firstNote, Files.readString(firstNote) + "\nmy own words\n");
        link(Q1, AgentId.ORAL_EXPLANATION, T0.plusSeconds(600));
        awaitWrite();
        String regenerated = regeneratedNote();
        assertThat(discreteMath().notesPointingAt(regenerated)).as("linked").hasSize(1);

        // the stale copy's save (an editor that loaded the canvas before the re-run's write)
        Files.writeString(canvasFile(), editorsCopy);

        vault.close(); // the canvas settles: links of the burst a save removed are merged again
        vault = null;

        assertThat(discreteMath().notesPointingAt(regenerated))
                .as("the re-run's note, which a stale save dropped, is linked again")
                .hasSize(1);
    }

    /** The re-run's label: the note was written again ten minutes later; a stale save put back the old label. */
    @Test
    void aRerunNotesLabelThatAStaleSaveRevertedIsWrittenAgainWhenTheCanvasSettles() throws Exception {
        vault = open(Duration.ZERO);
        link(Q1, AgentId.ORAL_EXPLANATION, T0);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE, T0);
        awaitWrite();
        String editorsCopy = Files.readString(canvasFile());

        link(Q1, AgentId.ORAL_EXPLANATION, T0.plusSeconds(600));
        awaitWrite();
        assertThat(labelOf(notePath(Q1, AgentId.ORAL_EXPLANATION))).contains("12:10");

        Files.writeString(canvasFile(), editorsCopy); // the stale copy's save: the label says 12:00 again

        vault.close();
        vault = null;

        assertThat(labelOf(notePath(Q1, AgentId.ORAL_EXPLANATION)))
                .as("the label tells when the note on disk was written")
                .contains("12:10");
    }

    /**
     * The learner deletes the first card mid-batch (judged deleted), then the node is linked again in the same form; an
     * editor that still had the canvas from while the card was deleted saves that copy. The card, which the learner
     * wanted back and only a stale save dropped, must come back when the canvas settles; found by a
     * review: the canvas put in place while the card was judged deleted must still count as lacking it.
     */
    @Test
    void aJudgedCardLinkedAgainInTheSameFormThatAStaleSaveDroppedComesBack() throws Exception {
        vault = open(Duration.ZERO);
        link(Q1, AgentId.ORAL_EXPLANATION); // canvas 1: L
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE); // canvas 2: L, K
        awaitWrite();
        String first = notePath(Q1, AgentId.ORAL_EXPLANATION);
        learnerDeletesCardOf(first);
        link(Q3, AgentId.CLARIFICATION_PATH); // L judged deleted; canvas 3: K, M
        awaitWrite();
        assertThat(discreteMath().notesPointingAt(first)).as("stays deleted").isEmpty();
        String editorsCopy = Files.readString(canvasFile()); // the editor keeps canvas 3 in memory

        link(Q1, AgentId.ORAL_EXPLANATION); // the learner wants it back: the same link again; canvas 4: L, K, M
        awaitWrite();
        assertThat(discreteMath().notesPointingAt(first)).as("linked again").hasSize(1);

        Files.writeString(canvasFile(), editorsCopy); // the stale copy's save: L gone, nobody deleted it
        vault.close(); // settles
        vault = null;

        assertThat(discreteMath().notesPointingAt(first))
                .as("the card written again, which only a stale save dropped, is linked again when the canvas settles")
                .hasSize(1);
    }

    private void learnerDeletesCardOf(String notePath) throws IOException {
        CanvasOnDisk.learnerDeletesCardOf(root.resolve(Fixtures.DISCRETE_MATH), notePath);
    }

    private FileVault open(Duration interval) {
        FileVault opened =
                new FileVault(root, VaultOptions.defaults().withCoalesceInterval(interval), CLOCK, writes::add);
        texts = new HashMap<>();
        opened.readCanvas(Fixtures.DISCRETE_MATH).nodes().forEach(node -> texts.put(node.id(), node.displayText()));
        return opened;
    }

    private void link(String nodeId, AgentId agent, Instant at) {
        vault.writeNote(
                new NoteDraft(Fixtures.DISCRETE_MATH, nodeId, texts.get(nodeId), agent, "# note", "offline", at));
    }

    private void link(String nodeId, AgentId agent) {
        vault.writeNote(new NoteDraft(
                Fixtures.DISCRETE_MATH, nodeId, texts.get(nodeId), agent, "# note", "offline", CLOCK.instant()));
    }

    private String notePath(String nodeId, AgentId agent) {
        return "数学/离散数学-notes/" + org.canvasbatch.domain.note.NoteName.fileName(texts.get(nodeId), agent);
    }

    private void awaitWrite() throws InterruptedException {
        assertThat(writes.poll(10, TimeUnit.SECONDS)).as("a canvas write").isNotNull();
    }

    private String labelOf(String notePath) {
        CanvasOnDisk canvas = discreteMath();
        String labelId =
                canvas.notesPointingAt(notePath).getFirst().getString("id").replace("cb-note-", "cb-label-");
        return canvas.nodes().stream()
                .filter(n -> n.getString("id").equals(labelId))
                .map(n -> n.getString("text"))
                .findFirst()
                .orElse("(no label)");
    }

    private String regeneratedNote() throws Exception {
        Path folder = root.resolve("数学/离散数学-notes");
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> found = files.filter(f -> f.getFileName().toString().contains("(regenerated)"))
                    .toList();
            assertThat(found).as("the note written beside the edited one").hasSize(1);
            return "数学/离散数学-notes/" + found.getFirst().getFileName();
        }
    }

    private Path canvasFile() {
        return root.resolve(Fixtures.DISCRETE_MATH);
    }

    private CanvasOnDisk discreteMath() {
        return CanvasOnDisk.read(root.resolve(Fixtures.DISCRETE_MATH));
    }
}
