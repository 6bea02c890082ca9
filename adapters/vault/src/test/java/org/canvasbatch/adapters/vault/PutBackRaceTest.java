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
import java.nio.file.attribute.FileTime;
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
 * something more: each case drives the race deterministically through the hook right after the rename
 * ({@link AtTheRename}) and the vault's file opener ({@link AtATemporaryFile}: called for each temporary file of the
 * canvas, so once per merge round that writes). {@link ConcurrentSaveTest} is the same race at random, under stress.
 */
class PutBackRaceTest {

    private static final Instant START = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(START, ZoneOffset.UTC);
    /** The question the note is linked to, and the edge the learner drew from it to their own answer. */
    private static final String QUESTION = "01000c386bbc4";

    private static final String ANSWER_EDGE = "01000c386bbc4e";

    /** A few words of the learner's own answer in the fixture canvas, and the same words reordered: the same bytes long. */
    private static final String SAID = "同真同假";

    private static final String SAID_AGAIN = "同假同真";

    @TempDir
    Path root;

    /**
     * The editor saved in place into the file the write-back was about to replace, then (the write-back's thread held
     * up before it could put that save back) reloaded the canvas without it and saved again: both saves are kept.
     */
    @Test
    void aSaveInTheReplacedFileIsKeptWhenTheEditorSavesAgainBeforeItIsPutBack() throws Exception {
        Path canvas = canvas();
        AtTheRename editor = AtTheRename.first(() -> {
            // the editor had opened the canvas before the rename: its save goes into the file just replaced
            saveInPlace(replacedFile(canvas), c -> withNode(c, "saved-into-the-replaced-file"));
            // then it reloads the canvas, which no longer has that save, and saves again
            saveInPlace(canvas, c -> withNode(c, "saved-after-the-reload"));
        });

        String note = linkOneNote(vault(FileOpener.DEFAULT, editor));

        editor.assertDone();
        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        assertThat(ids(onDisk)).contains("saved-into-the-replaced-file", "saved-after-the-reload");
        assertThat(onDisk.notesPointingAt(note)).hasSize(1);
        assertThat(onDisk.labelNodes()).hasSize(1);
    }

    /**
     * As above, and the editor saves once more while the write-back prepares the canvas that carries the first save
     * over: the first save is still carried into what is finally written.
     */
    @Test
    void aSaveInTheReplacedFileIsKeptThroughTheEditorsFurtherSaves() throws Exception {
        Path canvas = canvas();
        AtTheRename editor = AtTheRename.first(() -> {
            saveInPlace(replacedFile(canvas), c -> withNode(c, "saved-into-the-replaced-file"));
            saveInPlace(canvas, c -> withNode(c, "saved-after-the-reload"));
        });
        AtATemporaryFile second =
                new AtATemporaryFile(canvas, 1, () -> saveInPlace(canvas, c -> withNode(c, "saved-once-more")));

        String note = linkOneNote(vault(second, editor));

        editor.assertDone();
        assertThat(second.count()).as("the canvas's temporary files").isGreaterThanOrEqualTo(3);
        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        assertThat(ids(onDisk)).contains("saved-into-the-replaced-file", "saved-after-the-reload", "saved-once-more");
        assertThat(onDisk.notesPointingAt(note)).hasSize(1);
        assertThat(onDisk.labelNodes()).hasSize(1);
    }

    /**
     * The editor saved in place into the file the write-back was about to replace, and reloaded the canvas before that
     * save was put back (so without it); its next save, made from that reload, lands in the file put back: the first
     * save is carried over rather than overwritten.
     */
    @Test
    void aSaveInTheReplacedFileIsKeptWhenTheEditorReloadedBeforeItWasPutBack() throws Exception {
        Path canvas = canvas();
        AtomicReference<String> reloaded = new AtomicReference<>();
        AtTheRename editor = AtTheRename.first(() -> {
            saveInPlace(replacedFile(canvas), c -> withNode(c, "saved-into-the-replaced-file"));
            reloaded.set(Files.readString(canvas));
        });
        // the write-back's next temporary file comes after the put-back: the editor saves what it reloaded
        AtATemporaryFile afterThePutBack = new AtATemporaryFile(
                canvas, 1, () -> saveInPlace(canvas, reloaded.get(), c -> withNode(c, "saved-after-the-reload")));

        String note = linkOneNote(vault(afterThePutBack, editor));

        editor.assertDone();
        assertThat(afterThePutBack.count()).as("the canvas's temporary files").isGreaterThanOrEqualTo(2);
        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        assertThat(ids(onDisk))
                .as("the editor's saves")
                .contains("saved-into-the-replaced-file", "saved-after-the-reload");
        assertThat(onDisk.notesPointingAt(note)).hasSize(1);
        assertThat(onDisk.labelNodes()).hasSize(1);
    }

    /**
     * While the write-back is about to put back a save found in the file it replaced, the editor saves in place into
     * the file the write-back wrote, with the same size and within the same tick of the file system's clock (a moved
     * node, say): nothing about that file tells the save apart but its bytes, and the put-back must not discard it.
     */
    @Test
    void aSaveIntoTheWrittenFileThatKeepsItsSizeAndTimeIsNotPutBackOver() throws Exception {
        Path canvas = canvas();
        AtTheRename editor = AtTheRename.first(() -> {
            saveInPlace(replacedFile(canvas), c -> withNode(c, "saved-into-the-replaced-file"));
            String written = Files.readString(canvas);
            assertThat(written).containsOnlyOnce(SAID);
            FileTime tick = Files.getLastModifiedTime(canvas);
            Files.writeString(canvas, written.replace(SAID, SAID_AGAIN), StandardOpenOption.TRUNCATE_EXISTING);
            Files.setLastModifiedTime(canvas, tick);
        });

        String note = linkOneNote(vault(FileOpener.DEFAULT, editor));

        editor.assertDone();
        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        assertThat(ids(onDisk)).contains("saved-into-the-replaced-file");
        assertThat(onDisk.node("01000c386bbc4u").getString("text")).contains(SAID_AGAIN);
        assertThat(onDisk.notesPointingAt(note)).hasSize(1);
        assertThat(onDisk.labelNodes()).hasSize(1);
    }

    /**
     * The learner deleted the question node (Obsidian takes its edges with it) in a save that landed in the replaced
     * file; the editor then reloaded the canvas the write-back wrote (with the note's edge from that node) and saved
     * again before the put-back. The deletion is carried over, and must take the edge the write-back drew from the
     * node with it: a canvas with an edge to a node that is not there is one the batch refuses to read.
     */
    @Test
    void aNodeDeletedInTheReplacedFileTakesTheWriteBacksEdgeWithIt() throws Exception {
        Path canvas = canvas();
        AtTheRename editor = AtTheRename.first(() -> {
            saveInPlace(replacedFile(canvas), PutBackRaceTest::withoutTheQuestion);
            saveInPlace(canvas, c -> withNode(c, "saved-after-the-reload"));
        });

        linkOneNote(vault(FileOpener.DEFAULT, editor));

        editor.assertDone();
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
        Path canvas = canvas();
        AtTheRename editor = AtTheRename.first(() -> {
            saveInPlace(replacedFile(canvas), c -> withNode(c, "saved-into-the-replaced-file"));
            saveInPlace(canvas, c -> withNode(c, "saved-after-the-reload"));
        });
        AtATemporaryFile fullOnce = new AtATemporaryFile(canvas, 1, () -> {
            throw new IOException("No space left on device");
        });

        String note = linkOneNote(vault(fullOnce, editor));

        editor.assertDone();
        assertThat(fullOnce.count()).as("the canvas's temporary files").isGreaterThanOrEqualTo(2);
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
        Path canvas = canvas();
        AtTheRename editor =
                AtTheRename.first(() -> saveInPlace(replacedFile(canvas), c -> withNode(c, "added-then-deleted")));
        AtATemporaryFile deleteAfterThePutBack = new AtATemporaryFile(canvas, 1, () -> {
            assertThat(Files.readString(canvas)).as("the save put back").contains("added-then-deleted");
            saveInPlace(canvas, c -> withoutNode(c, "added-then-deleted"));
        });

        String note = linkOneNote(vault(deleteAfterThePutBack, editor));

        editor.assertDone();
        assertThat(deleteAfterThePutBack.count())
                .as("the canvas's temporary files")
                .isGreaterThanOrEqualTo(2);
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
        Path canvas = canvas();
        AtTheRename editor = new AtTheRename(rename -> {
            switch (rename) {
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
        });

        String note = linkOneNote(vault(FileOpener.DEFAULT, editor));

        editor.assertDone();
        assertThat(editor.renames()).as("renames of the canvas").isGreaterThanOrEqualTo(3);
        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        assertThat(ids(onDisk))
                .contains("first-into-the-replaced-file", "saved-after-the-reload", "second-into-the-replaced-file");
        assertThat(onDisk.notesPointingAt(note)).hasSize(1);
        assertThat(onDisk.labelNodes()).hasSize(1);
    }

    /**
     * The editor saved in place into the file the write-back was about to replace, and reloaded the canvas before that
     * save was put back (so without it); the write-back then put the save back and merged again, and its next rename
     * (the canvas with the save and the note's link) was done before the editor saved what it had reloaded. That save
     * lands in the file just renamed into place, as any later save does, with nobody saving into the file replaced: the
     * first save is in no file any more, and must still be carried over, not dropped because the write that carried it
     * went through cleanly.
     */
    @Test
    void aSaveInTheReplacedFileIsKeptWhenTheEditorSavesItsReloadAfterTheNextRename() throws Exception {
        Path canvas = canvas();
        AtomicReference<String> reloaded = new AtomicReference<>();
        AtTheRename editor = new AtTheRename(rename -> {
            switch (rename) {
                case 0 -> {
                    saveInPlace(replacedFile(canvas), c -> withNode(c, "saved-into-the-replaced-file"));
                    reloaded.set(Files.readString(canvas));
                }
                case 1 -> {
                    assertThat(Files.readString(canvas))
                            .as("the canvas with the save put back and merged again")
                            .contains("saved-into-the-replaced-file");
                    saveInPlace(canvas, reloaded.get(), c -> withNode(c, "saved-from-the-reload"));
                }
                default -> {}
            }
        });

        String note = linkOneNote(vault(FileOpener.DEFAULT, editor));

        editor.assertDone();
        assertThat(editor.renames()).as("renames of the canvas").isGreaterThanOrEqualTo(2);
        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        assertThat(ids(onDisk))
                .as("the editor's saves")
                .contains("saved-into-the-replaced-file", "saved-from-the-reload");
        assertThat(onDisk.notesPointingAt(note)).hasSize(1);
        assertThat(onDisk.labelNodes()).hasSize(1);
    }

    /**
     * As above, but the editor's first save after the merge that carried the save over was made from that canvas (it
     * holds the save); a later save that deletes the save's node is the learner's word and stays: the save is carried
     * once more into the editor's first save after it, not into every save for good.
     */
    @Test
    void aNodeOfACarriedSaveDeletedAfterTheEditorSavedTheCanvasHoldingItStaysDeleted() throws Exception {
        Path canvas = canvas();
        AtTheRename editor = new AtTheRename(rename -> {
            switch (rename) {
                case 0 -> saveInPlace(replacedFile(canvas), c -> withNode(c, "added-then-deleted"));
                case 1 -> saveInPlace(canvas, c -> withNode(c, "saved-from-the-canvas-holding-it"));
                case 2 -> saveInPlace(canvas, c -> withoutNode(c, "added-then-deleted"));
                default -> {}
            }
        });
        FileVault vault = vault(FileOpener.DEFAULT, editor);

        String first = writeNote(vault);
        vault.flush(Fixtures.DISCRETE_MATH);
        String second = vault.writeNote(new NoteDraft(
                        Fixtures.DISCRETE_MATH,
                        QUESTION,
                        "什么是逆否命题",
                        AgentId.MEMORY_ANCHOR,
                        "# another note",
                        "offline",
                        START))
                .path();
        vault.flush(Fixtures.DISCRETE_MATH);
        vault.close();

        editor.assertDone();
        assertThat(editor.renames()).as("renames of the canvas").isGreaterThanOrEqualTo(3);
        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        assertThat(ids(onDisk)).contains("saved-from-the-canvas-holding-it");
        assertThat(ids(onDisk)).as("the learner deleted it last").doesNotContain("added-then-deleted");
        assertThat(onDisk.notesPointingAt(first)).hasSize(1);
        assertThat(onDisk.notesPointingAt(second)).hasSize(1);
    }

    /** What the editor does in a test; it may fail, as a test's step does. */
    @FunctionalInterface
    interface EditorStep {
        void run() throws Exception;
    }

    /**
     * What the editor does right after each of the write-back's renames of the canvas (numbered from 0), through the
     * hook the vault offers tests; a failure of a step (an exception, an assertion) is kept for {@link #assertDone}.
     */
    static final class AtTheRename implements LongConsumer {
        @FunctionalInterface
        interface Step {
            void at(int rename) throws Exception;
        }

        private final Step step;
        private final AtomicInteger renames = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        AtTheRename(Step step) {
            this.step = step;
        }

        /** The editor does {@code first} after the first rename, and nothing after the others. */
        static AtTheRename first(EditorStep first) {
            return new AtTheRename(rename -> {
                if (rename == 0) {
                    first.run();
                }
            });
        }

        @Override
        public void accept(long nanos) {
            int rename = renames.getAndIncrement();
            try {
                step.at(rename);
            } catch (Exception | AssertionError e) {
                failure.compareAndSet(null, e);
            }
        }

        int renames() {
            return renames.get();
        }

        /** The canvas was renamed at least once, and every step of the editor's went as the test expected. */
        void assertDone() {
            assertThat(failure.get()).as("the editor's steps").isNull();
            assertThat(renames.get()).as("renames of the canvas").isPositive();
        }
    }

    /**
     * Opens files as the vault does, and does {@code step} first when the canvas's temporary file numbered {@code at}
     * (from 0) is opened: the moment a merge round has read the canvas and is about to write. What the step throws is
     * what the opening throws (an {@code IOException}: the disk refused the write).
     */
    static final class AtATemporaryFile implements FileOpener {
        private final Path canvas;
        private final int at;
        private final EditorStep step;
        private final AtomicInteger count = new AtomicInteger();

        AtATemporaryFile(Path canvas, int at, EditorStep step) {
            this.canvas = canvas;
            this.at = at;
            this.step = step;
        }

        @Override
        public java.nio.channels.FileChannel open(Path path, java.nio.file.OpenOption... options) throws IOException {
            return FileOpener.DEFAULT.open(path, options);
        }

        /** The canvas's temporary file is made in its folder held open; the disk is told right after. */
        @Override
        public java.nio.channels.SeekableByteChannel opened(Path path, java.nio.channels.SeekableByteChannel channel)
                throws IOException {
            boolean canvasTemporary = path.getFileName().toString().endsWith(".tmp")
                    && path.getParent().equals(canvas.getParent());
            if (canvasTemporary && count.getAndIncrement() == at) {
                try {
                    step.run();
                } catch (IOException | RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
            return channel;
        }

        /** How many of the canvas's temporary files were opened. */
        int count() {
            return count.get();
        }
    }

    private Path canvas() throws IOException {
        Fixtures.copyVaultTo(root);
        return root.resolve(Fixtures.DISCRETE_MATH);
    }

    /** Links one note into the canvas, waits for every write-back of it, and stops the vault. */
    private static String linkOneNote(FileVault vault) {
        String note = writeNote(vault);
        vault.flush(Fixtures.DISCRETE_MATH);
        vault.close();
        return note;
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
        saveInPlace(file, Files.readString(file), edit);
    }

    /** Writes in place what the editor holds, {@code loaded} (not what is in the file now), changed by {@code edit}. */
    static void saveInPlace(Path file, String loaded, UnaryOperator<JsonObject> edit) throws IOException {
        JsonObject canvas;
        try (JsonReader reader = Json.createReader(new StringReader(loaded))) {
            canvas = reader.readObject();
        }
        Files.write(
                file,
                edit.apply(canvas).toString().getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static JsonObject parse(String canvas) {
        try (JsonReader reader = Json.createReader(new StringReader(canvas))) {
            return reader.readObject();
        }
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
