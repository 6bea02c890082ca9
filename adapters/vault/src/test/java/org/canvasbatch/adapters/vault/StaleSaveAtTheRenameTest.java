package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner's-deletion judgement ({@link DeletionsWhileLinkingTest}) when an editor's stale copy lands in the file a
 * write-back's rename replaced (put back and merged again): a card only the stale copy lacked is still linked again,
 * also when the write was a note run again (found by a hostile review: the judgement then read the rerun's link in its
 * old form against evidence gathered for the new one).
 */
class StaleSaveAtTheRenameTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
    private static final String Q1 = "01000c386bbc4";
    private static final String Q2 = "01001414c343c";
    private static final String Q3 = "010027311d8a3";

    @TempDir
    Path root;

    FileVault vault;
    Map<String, String> texts;

    @BeforeEach
    void copyVault() {
        Fixtures.copyVaultTo(root);
    }

    @AfterEach
    void closeVault() {
        if (vault != null) {
            vault.close();
        }
    }

    /**
     * X, Y, Z are linked; an editor kept a copy from before Z (X and Y). Y is run again (a label with a new time), and
     * the editor's stale copy is saved in place into the file that write's rename replaced: it is put back and merged
     * again. Nobody deleted Z: the stale copy never had it. Z must come back when the canvas settles.
     */
    @Test
    void aStaleCopySavedDuringARerunsRenameDoesNotMakeALaterCardTheLearnersDeletion() throws Exception {
        AtomicReference<String> editorsCopy = new AtomicReference<>();
        PutBackRaceTest.AtTheRename editor = new PutBackRaceTest.AtTheRename(rename -> {
            if (rename == 3) { // the rerun's write: the stale copy lands in the file just replaced
                Files.writeString(PutBackRaceTest.replacedFile(canvasFile()), editorsCopy.get());
            }
        });
        vault = open(editor);
        link(Q1, AgentId.ORAL_EXPLANATION, T0);
        vault.flush(Fixtures.DISCRETE_MATH);
        link(Q2, AgentId.COMPARISON_TABLE, T0);
        vault.flush(Fixtures.DISCRETE_MATH);
        editorsCopy.set(Files.readString(canvasFile())); // the editor's copy: X and Y, not yet Z
        link(Q3, AgentId.CLARIFICATION_PATH, T0);
        vault.flush(Fixtures.DISCRETE_MATH);
        String z = notePath(Q3, AgentId.CLARIFICATION_PATH);
        assertThat(discreteMath().notesPointingAt(z)).hasSize(1);

        link(Q2, AgentId.COMPARISON_TABLE, T0.plusSeconds(600)); // Y run again: its label gets a new time
        vault.flush(Fixtures.DISCRETE_MATH);
        editor.assertDone();
        assertThat(editor.renames())
                .as("the stale save was put back and merged again")
                .isGreaterThanOrEqualTo(5);

        vault.close(); // the canvas settles
        vault = null;

        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.notesPointingAt(notePath(Q1, AgentId.ORAL_EXPLANATION)))
                .hasSize(1);
        assertThat(canvas.notesPointingAt(notePath(Q2, AgentId.COMPARISON_TABLE)))
                .hasSize(1);
        assertThat(canvas.notesPointingAt(z))
                .as("Z's card, which only a stale copy lacked, is linked again when the canvas settles")
                .hasSize(1);
    }

    /** The same race, with the fourth write linking a new note instead of running Y again. */
    @Test
    void aStaleCopySavedDuringANewLinksRenameDoesNotEither() throws Exception {
        AtomicReference<String> editorsCopy = new AtomicReference<>();
        PutBackRaceTest.AtTheRename editor = new PutBackRaceTest.AtTheRename(rename -> {
            if (rename == 3) {
                Files.writeString(PutBackRaceTest.replacedFile(canvasFile()), editorsCopy.get());
            }
        });
        vault = open(editor);
        link(Q1, AgentId.ORAL_EXPLANATION, T0);
        vault.flush(Fixtures.DISCRETE_MATH);
        link(Q2, AgentId.COMPARISON_TABLE, T0);
        vault.flush(Fixtures.DISCRETE_MATH);
        editorsCopy.set(Files.readString(canvasFile()));
        link(Q3, AgentId.CLARIFICATION_PATH, T0);
        vault.flush(Fixtures.DISCRETE_MATH);
        link(Q1, AgentId.COMPARISON_TABLE, T0); // a new link, not a rerun
        vault.flush(Fixtures.DISCRETE_MATH);
        editor.assertDone();
        assertThat(editor.renames()).isGreaterThanOrEqualTo(5);

        vault.close();
        vault = null;

        assertThat(discreteMath().notesPointingAt(notePath(Q3, AgentId.CLARIFICATION_PATH)))
                .hasSize(1);
    }

    private Path canvasFile() {
        return root.resolve(Fixtures.DISCRETE_MATH);
    }

    private FileVault open(LongConsumer atTheRename) {
        return open(FileOpener.DEFAULT, atTheRename);
    }

    private FileVault open(FileOpener disk, LongConsumer atTheRename) {
        FileVault opened = new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(Duration.ofHours(1)),
                CLOCK,
                path -> {},
                disk,
                new CanvasWriteBack.RetryDelays(Duration.ofHours(1), Duration.ofHours(1)),
                atTheRename);
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

    private CanvasOnDisk discreteMath() {
        return CanvasOnDisk.read(canvasFile());
    }
}
