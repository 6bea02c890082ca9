package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A learner who deletes a question's card while its batch runs: its note is still written (the answer is the
 * learner's), but there is no card to link it to, and the node's outcome must say so rather than claim a link.
 */
class DeletedQuestionCardTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
    private static final String CANVAS = "questions.canvas";

    @TempDir
    Path root;

    private final BlockingQueue<String> writes = new LinkedBlockingQueue<>();
    private FileVault vault;

    @AfterEach
    void close() {
        if (vault != null) {
            vault.close();
        }
    }

    @Test
    void aNoteWhoseQuestionCardWasDeletedSaysItIsNotLinkedAndWhy() throws Exception {
        writeCanvas(true);
        vault = openVault();
        WrittenNote first = vault.writeNote(draft("a"));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(CANVAS);
        assertThat(first.linkProblem()).isNull();

        writeCanvas(false); // the learner deletes card b and saves
        WrittenNote second = vault.writeNote(draft("b"));

        assertThat(second.linkProblem())
                .as("card b is gone: nothing to link its note to")
                .contains("no longer in the canvas", "'" + CANVAS + "'", "not linked");
        assertThat(root.resolve(second.path())).as("the note itself is written").isRegularFile();
        assertThat(vault.writeNote(draft("a")).linkProblem())
                .as("a card still there is linked as before")
                .isNull();
    }

    /**
     * The node ids are cached per file state (identity, size, modification time), and a save that keeps the size within
     * one tick of the file clock is not seen (coarse clocks: FAT, HFS+, network shares; a sync tool that restores the
     * time). The count tolerates that, since the write merges into the canvas as it is; "the card is gone" is final, as
     * the note is never linked, so it must not be said of a card that is in the canvas.
     */
    @Test
    void aCardInTheCanvasIsNotSaidGoneOnASaveTheCachedStateCannotTellApart() throws Exception {
        String a = "{\"id\":\"a\",\"type\":\"text\",\"text\":\"What is a?\",\"x\":0,\"y\":0,"
                + "\"width\":300,\"height\":100}";
        String c = ",{\"id\":\"c\",\"type\":\"text\",\"text\":\"What is c?\",\"x\":0,\"y\":400,"
                + "\"width\":300,\"height\":100}";
        Path file = root.resolve(CANVAS);
        Files.writeString(file, "{\"nodes\":[" + a + c + "],\"edges\":[]}\n", StandardCharsets.UTF_8);
        vault = openVault();
        assertThat(vault.writeNote(draft("a")).linkProblem()).isNull();
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(CANVAS);

        // the learner deletes card c and makes card x, and the write-back links x's note: its canvas lacks c
        String withX = Files.readString(file).replace("\"id\": \"c\"", "\"id\": \"x\"");
        Files.writeString(file, withX, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(Instant.parse("2026-11-26T12:00:10Z")));
        assertThat(vault.writeNote(draft("x")).linkProblem()).isNull();
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(CANVAS);

        // card c comes back (an undo, a sync) in a save of the same size, within the same tick of the file clock
        var cached = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        Files.writeString(
                file, Files.readString(file).replace("\"id\": \"x\"", "\"id\": \"c\""), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, cached);
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(Files.readString(file)).contains("\"id\": \"c\"");

        WrittenNote third = vault.writeNote(draft("c"));

        assertThat(third.linkProblem())
                .as("card c is in the canvas: its note is to be linked, not said to have no card")
                .isNull();
    }

    /**
     * A card whose id a tool wrote as a number ({@code "id": 5}) is read as the node "5", grouped and answered: its note
     * is linked to it like any other, never said to have lost its card (found by a hostile test).
     */
    @Test
    void aCardWithANumberForItsIdIsLinkedNotSaidGone() throws Exception {
        String a = "{\"id\":\"a\",\"type\":\"text\",\"text\":\"What is a?\",\"color\":\"1\",\"x\":0,\"y\":0,"
                + "\"width\":300,\"height\":100}";
        String five = ",{\"id\":5,\"type\":\"text\",\"text\":\"What is 5?\",\"color\":\"1\",\"x\":400,\"y\":0,"
                + "\"width\":300,\"height\":100}";
        Files.writeString(
                root.resolve(CANVAS), "{\"nodes\":[" + a + five + "],\"edges\":[]}\n", StandardCharsets.UTF_8);
        vault = openVault();
        assertThat(vault.writeNote(draft("a")).linkProblem()).isNull();
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(CANVAS);

        WrittenNote fivesNote = vault.writeNote(draft("5"));

        assertThat(fivesNote.linkProblem()).as("card 5 is in the canvas").isNull();
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(CANVAS);
        assertThat(Files.readString(root.resolve(CANVAS)))
                .as("its note joined to it")
                .containsPattern("\"fromNode\":\\s*\"5\"");
    }

    /** The vault, each canvas write told to {@link #writes}, links written a millisecond after their note. */
    private FileVault openVault() {
        return new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(Duration.ofMillis(1)),
                CLOCK,
                writes::add,
                FileOpener.DEFAULT,
                CanvasWriteBack.RetryDelays.DEFAULT,
                nanos -> {});
    }

    private static NoteDraft draft(String nodeId) {
        return new NoteDraft(
                CANVAS,
                nodeId,
                "What is " + nodeId + "?",
                AgentId.ORAL_EXPLANATION,
                "# note",
                "offline",
                CLOCK.instant());
    }

    private void writeCanvas(boolean withB) throws IOException {
        String a = "{\"id\":\"a\",\"type\":\"text\",\"text\":\"What is a?\",\"color\":\"1\",\"x\":0,\"y\":0,"
                + "\"width\":300,\"height\":100}";
        String b = ",{\"id\":\"b\",\"type\":\"text\",\"text\":\"What is b?\",\"color\":\"1\",\"x\":400,\"y\":0,"
                + "\"width\":300,\"height\":100}";
        String canvas = Files.exists(root.resolve(CANVAS)) ? Files.readString(root.resolve(CANVAS)) : null;
        if (canvas == null) {
            Files.writeString(
                    root.resolve(CANVAS), "{\"nodes\":[" + a + b + "],\"edges\":[]}\n", StandardCharsets.UTF_8);
            return;
        }
        // the canvas as the write-back left it, card b taken out as the learner's editor would
        jakarta.json.JsonObject root;
        try (var reader = jakarta.json.Json.createReader(new java.io.StringReader(canvas))) {
            root = reader.readObject();
        }
        var nodes = jakarta.json.Json.createArrayBuilder();
        root.getJsonArray("nodes").getValuesAs(jakarta.json.JsonObject.class).stream()
                .filter(node -> withB || !node.getString("id").equals("b"))
                .forEach(nodes::add);
        Files.writeString(
                this.root.resolve(CANVAS),
                jakarta.json.Json.createObjectBuilder(root)
                        .add("nodes", nodes)
                        .build()
                        .toString(),
                StandardCharsets.UTF_8);
        assertThat(Files.readString(this.root.resolve(CANVAS)).contains("\"b\""))
                .isEqualTo(withB);
    }
}
