package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

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
 * A node run again while the batch still links notes changes its link (a label with a new time, or, when the learner
 * edited the first note, a new card for the note written beside it). An editor that loaded the canvas before the run
 * then saves its copy: nothing of that is the learner's deletion, and the new link is merged again when the canvas
 * settles. (Found by the review of the learner's-deletion judgement, {@link DeletionsWhileLinkingTest}.)
 */
class RerunWhileLinkingTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
    private static final String Q1 = "01000c386bbc4";
    private static final String Q2 = "01001414c343c";

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

    /** The re-run's card: the learner edited the first note, so the new one goes beside it with a card of its own. */
    @Test
    void aRerunNotesCardThatAStaleSaveDroppedIsLinkedAgainWhenTheCanvasSettles() throws Exception {
        vault = open();
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
        vault = open();
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

    private FileVault open() {
        FileVault opened =
                new FileVault(root, VaultOptions.defaults().withCoalesceInterval(Duration.ZERO), CLOCK, writes::add);
        texts = new HashMap<>();
        opened.readCanvas(Fixtures.DISCRETE_MATH).nodes().forEach(node -> texts.put(node.id(), node.displayText()));
        return opened;
    }

    private void link(String nodeId, AgentId agent, Instant at) {
        vault.writeNote(
                new NoteDraft(Fixtures.DISCRETE_MATH, nodeId, texts.get(nodeId), agent, "# note", "offline", at));
    }

    private String notePath(String nodeId, AgentId agent) {
        return "数学/离散数学-notes/" + org.canvasbatch.domain.note.NoteName.fileName(texts.get(nodeId), agent);
    }

    private void awaitWrite() throws InterruptedException {
        assertThat(writes.poll(10, TimeUnit.SECONDS)).as("a canvas write").isNotNull();
    }

    private CanvasOnDisk discreteMath() {
        return CanvasOnDisk.read(canvasFile());
    }
}
