package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner's editor saves in place while the write-back is between its rename and its put-back, and then does
 * something more: each case drives the race deterministically through the hook right after the rename and the
 * vault's file opener (called for each temporary file of the canvas, so once per merge round that writes).
 */
class PutBackRaceTest {

    private static final Instant START = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(START, ZoneOffset.UTC);
    /** The question the note is linked to, and the edge the learner drew from it to their own answer. */
    private static final String QUESTION = "01000c386bbc4";

    private static final String ANSWER_EDGE = "01000c386bbc4e";

    @TempDir
    Path root;

    /**
     * The learner deleted the question node (Obsidian takes its edges with it) in a save that landed in the replaced
     * file; the editor then reloaded the canvas the write-back wrote (with the note's edge from that node) and saved
     * again before the put-back. The deletion is carried over, and must take the edge the write-back drew from the
     * node with it: a canvas with an edge to a node that is not there is one the batch refuses to read.
     */
    @Test
    void aNodeDeletedInTheReplacedFileTakesTheWriteBacksEdgeWithIt() throws Exception {
        Fixtures.copyVaultTo(root);
        Path canvas = root.resolve(Fixtures.DISCRETE_MATH);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger renames = new AtomicInteger();
        LongConsumer rightAfterTheRename = nanos -> {
            if (renames.getAndIncrement() > 0) {
                return;
            }
            try {
                saveInPlace(replacedFile(canvas), PutBackRaceTest::withoutTheQuestion);
                saveInPlace(canvas, c -> withNode(c, "saved-after-the-reload"));
            } catch (IOException | RuntimeException e) {
                failure.set(e);
            }
        };
        FileVault vault = vault(FileOpener.DEFAULT, rightAfterTheRename);

        writeNote(vault);
        vault.flush(Fixtures.DISCRETE_MATH);
        vault.close();

        assertThat(failure.get()).isNull();
        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        Set<String> ids = ids(onDisk);
        assertThat(ids).as("the learner's deletion and later save").doesNotContain(QUESTION);
        assertThat(ids).contains("saved-after-the-reload");
        assertThat(onDisk.edges().stream().map(edge -> edge.getString("id"))).doesNotContain(ANSWER_EDGE);
        assertThat(onDisk.edges())
                .as("edges whose ends are both in the canvas")
                .allSatisfy(edge -> assertThat(ids).contains(edge.getString("fromNode"), edge.getString("toNode")));
        new FileVault(root, VaultOptions.defaults(), CLOCK).readCanvas(Fixtures.DISCRETE_MATH);
    }

    /**
     * A save that landed in the replaced file could not be put back (the editor had saved again meanwhile), so it is
     * carried into the next merge; that merge's write then fails (a full disk, for a moment). The save is still
     * nowhere but in the write-back's memory: the next write must still carry it.
     */
    @Test
    void aCarriedSaveOutlivesAWriteThatCouldNotBeDone() throws Exception {
        Fixtures.copyVaultTo(root);
        Path canvas = root.resolve(Fixtures.DISCRETE_MATH);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger renames = new AtomicInteger();
        LongConsumer rightAfterTheRename = nanos -> {
            if (renames.getAndIncrement() > 0) {
                return;
            }
            try {
                saveInPlace(replacedFile(canvas), c -> withNode(c, "saved-into-the-replaced-file"));
                saveInPlace(canvas, c -> withNode(c, "saved-after-the-reload"));
            } catch (IOException | RuntimeException e) {
                failure.set(e);
            }
        };
        AtomicInteger temporaries = new AtomicInteger();
        FileOpener fullOnce = (path, options) -> {
            if (isCanvasTemporary(canvas, path) && temporaries.getAndIncrement() == 1) {
                throw new IOException("No space left on device");
            }
            return FileOpener.DEFAULT.open(path, options);
        };
        FileVault vault = vault(fullOnce, rightAfterTheRename);

        String note = writeNote(vault);
        vault.flush(Fixtures.DISCRETE_MATH);
        vault.close();

        assertThat(failure.get()).isNull();
        assertThat(temporaries.get()).as("the canvas's temporary files").isGreaterThanOrEqualTo(2);
        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        assertThat(ids(onDisk)).contains("saved-into-the-replaced-file", "saved-after-the-reload");
        assertThat(onDisk.notesPointingAt(note)).hasSize(1);
    }

    /**
     * A save that landed in the replaced file was put back; the learner then deleted the node that save added (an
     * undo, a moment later), saving in place into the file put back while the write-back merged again. The deletion
     * is the learner's latest word: the carry-over of the save put back must not bring the node back.
     */
    @Test
    void aNodeDeletedAfterThePutBackStaysDeleted() throws Exception {
        Fixtures.copyVaultTo(root);
        Path canvas = root.resolve(Fixtures.DISCRETE_MATH);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger renames = new AtomicInteger();
        LongConsumer rightAfterTheRename = nanos -> {
            if (renames.getAndIncrement() > 0) {
                return;
            }
            try {
                saveInPlace(replacedFile(canvas), c -> withNode(c, "added-then-deleted"));
            } catch (IOException | RuntimeException e) {
                failure.set(e);
            }
        };
        AtomicInteger temporaries = new AtomicInteger();
        FileOpener deleteAfterThePutBack = (path, options) -> {
            if (isCanvasTemporary(canvas, path) && temporaries.getAndIncrement() == 1) {
                String putBack = Files.readString(canvas);
                assertThat(putBack).as("the save put back").contains("added-then-deleted");
                saveInPlace(canvas, c -> withoutNode(c, "added-then-deleted"));
            }
            return FileOpener.DEFAULT.open(path, options);
        };
        FileVault vault = vault(deleteAfterThePutBack, rightAfterTheRename);

        String note = writeNote(vault);
        vault.flush(Fixtures.DISCRETE_MATH);
        vault.close();

        assertThat(failure.get()).isNull();
        assertThat(temporaries.get()).as("the canvas's temporary files").isGreaterThanOrEqualTo(2);
        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        assertThat(ids(onDisk)).as("the learner deleted it last").doesNotContain("added-then-deleted");
        assertThat(onDisk.notesPointingAt(note)).hasSize(1);
    }

    /**
     * Two merges in a row race the editor: the first one's save could not be put back (the editor, having reloaded
     * what the write-back wrote, saved again meanwhile), and the second one's was (made from that later save, so
     * without the first). Both saves and the one between them end in the canvas, in that order of carrying.
     */
    @Test
    void savesFoundByTwoMergesInARowAreAllKept() throws Exception {
        Fixtures.copyVaultTo(root);
        Path canvas = root.resolve(Fixtures.DISCRETE_MATH);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger renames = new AtomicInteger();
        LongConsumer rightAfterTheRename = nanos -> {
            try {
                switch (renames.getAndIncrement()) {
                    case 0 -> {
                        saveInPlace(replacedFile(canvas), c -> withNode(c, "first-into-the-replaced-file"));
                        saveInPlace(canvas, c -> withNode(c, "saved-after-the-reload"));
                    }
                    case 1 -> {
                        String replaced = Files.readString(replacedFile(canvas));
                        assertThat(replaced).contains("saved-after-the-reload");
                        assertThat(replaced).doesNotContain("first-into-the-replaced-file");
                        saveInPlace(replacedFile(canvas), c -> withNode(c, "second-into-the-replaced-file"));
                    }
                    default -> {}
                }
            } catch (IOException | RuntimeException | AssertionError e) {
                failure.set(e);
            }
        };
        FileVault vault = vault(FileOpener.DEFAULT, rightAfterTheRename);

        String note = writeNote(vault);
        vault.flush(Fixtures.DISCRETE_MATH);
        vault.close();

        assertThat(failure.get()).isNull();
        assertThat(renames.get()).as("renames of the canvas").isGreaterThanOrEqualTo(3);
        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        assertThat(ids(onDisk))
                .contains("first-into-the-replaced-file", "saved-after-the-reload", "second-into-the-replaced-file");
        assertThat(onDisk.notesPointingAt(note)).hasSize(1);
        assertThat(onDisk.labelNodes()).hasSize(1);
    }

    private FileVault vault(FileOpener disk, LongConsumer rightAfterTheRename) {
        return new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(Duration.ofHours(1)),
                CLOCK,
                path -> {},
                disk,
                new CanvasWriteBack.RetryDelays(Duration.ofHours(1), Duration.ofHours(1)),
                rightAfterTheRename);
    }

    private static boolean isCanvasTemporary(Path canvas, Path path) {
        return path.getFileName().toString().endsWith(".tmp")
                && path.getParent().equals(canvas.getParent());
    }

    private static String writeNote(FileVault vault) {
        return vault.writeNote(new NoteDraft(
                        Fixtures.DISCRETE_MATH,
                        QUESTION,
                        "什么是逆否命题",
                        AgentId.ORAL_EXPLANATION,
                        "# note",
                        "offline",
                        START))
                .path();
    }

    private static Set<String> ids(CanvasOnDisk canvas) {
        Set<String> ids = new HashSet<>();
        canvas.nodes().forEach(node -> ids.add(node.getString("id")));
        return ids;
    }

    /** The hard link the write-back keeps to the file its rename replaced. */
    static Path replacedFile(Path canvas) throws IOException {
        try (var siblings = Files.list(canvas.getParent())) {
            return siblings.filter(path -> path.getFileName().toString().endsWith(".prev"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    /** Reads the file, changes it as the editor would, and writes it back in place (truncate and write). */
    static void saveInPlace(Path file, UnaryOperator<JsonObject> edit) throws IOException {
        JsonObject loaded;
        try (JsonReader reader = Json.createReader(new StringReader(Files.readString(file)))) {
            loaded = reader.readObject();
        }
        Files.write(
                file,
                edit.apply(loaded).toString().getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    static JsonObject withNode(JsonObject canvas, String id) {
        return Json.createObjectBuilder(canvas)
                .add(
                        "nodes",
                        Json.createArrayBuilder(canvas.getJsonArray("nodes"))
                                .add(Json.createObjectBuilder()
                                        .add("id", id)
                                        .add("type", "text")
                                        .add("text", "saved while linking")
                                        .add("x", -3000)
                                        .add("y", 0)
                                        .add("width", 250)
                                        .add("height", 60)))
                .build();
    }

    static JsonObject withoutNode(JsonObject canvas, String id) {
        return Json.createObjectBuilder(canvas)
                .add("nodes", without(canvas.getJsonArray("nodes"), n -> id.equals(n.getString("id", null))))
                .build();
    }

    /** The question node deleted as Obsidian deletes a node: with every edge to or from it. */
    static JsonObject withoutTheQuestion(JsonObject canvas) {
        return Json.createObjectBuilder(canvas)
                .add("nodes", without(canvas.getJsonArray("nodes"), n -> QUESTION.equals(n.getString("id", null))))
                .add(
                        "edges",
                        without(
                                canvas.getJsonArray("edges"),
                                e -> QUESTION.equals(e.getString("fromNode", null))
                                        || QUESTION.equals(e.getString("toNode", null))))
                .build();
    }

    private static JsonArrayBuilder without(List<JsonValue> entries, java.util.function.Predicate<JsonObject> gone) {
        JsonArrayBuilder kept = Json.createArrayBuilder();
        for (JsonValue entry : entries) {
            if (!(entry instanceof JsonObject object && gone.test(object))) {
                kept.add(entry);
            }
        }
        return kept;
    }
}
