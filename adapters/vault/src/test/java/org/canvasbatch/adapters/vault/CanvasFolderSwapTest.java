package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.canvasbatch.adapters.vault.CanvasWriteBack.Step;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A hostile tester exchanged the canvas's folder with a link to a folder outside the vault ({@code renameat2} with
 * {@code RENAME_EXCHANGE}, in a loop for 45 s) while notes were linked into the canvas: the canvas outside was replaced
 * by the vault's, hidden temporary files holding the whole canvas and {@code .prev} hard links were left outside, and
 * links were dropped. The write-back acted on the canvas by its path, resolved once. Here the swap is made at the exact
 * step of the write through the write-back's own seam (told each step right before it is made), so nothing depends on
 * timing: the folder is moved aside, inside the vault, and a link to the outside folder put in its place.
 */
class CanvasFolderSwapTest {

    private static final Instant START = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(START, ZoneOffset.UTC);
    private static final String FOLDER = "数学";
    private static final String CANVAS_NAME = "离散数学.canvas";

    @org.junit.jupiter.api.io.TempDir
    Path root;

    @org.junit.jupiter.api.io.TempDir
    Path outside;

    private Path folder;
    private byte[] outsideCanvas;
    private final Map<Step, Runnable> atStep = new EnumMap<>(Step.class);
    private final List<Step> done = new java.util.concurrent.CopyOnWriteArrayList<>();
    private FileVault vault;

    @BeforeEach
    void aVaultAndAnotherCanvasOutsideItUnderTheSameName() throws IOException {
        Fixtures.copyVaultTo(root);
        folder = root.resolve(FOLDER);
        // another canvas, where a link put in place of the canvas's folder leads
        outsideCanvas = ("{\"nodes\":[{\"id\":\"outside-only\",\"type\":\"text\",\"text\":\"not the vault's\","
                        + "\"x\":0,\"y\":0,\"width\":250,\"height\":60,\"color\":\"1\"}],\"edges\":[]}\n")
                .getBytes(StandardCharsets.UTF_8);
        Files.write(outside.resolve(CANVAS_NAME), outsideCanvas);
        vault = new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(Duration.ofHours(1)),
                CLOCK,
                canvas -> {},
                FileOpener.DEFAULT,
                new CanvasWriteBack.RetryDelays(Duration.ofHours(1), Duration.ofHours(1)),
                nanos -> {},
                null,
                path -> {},
                (step, path) -> onStep.before(step, path));
    }

    /** What the vault's seam does at each step: by default, what {@link #atStep} says, once. */
    private volatile CanvasWriteBack.Steps onStep = (step, path) -> {
        Runnable action = atStep.remove(step);
        if (action != null) {
            awaitTheNote();
            done.add(step);
            action.run();
        }
    };

    /** Set once the note is written: the write-back (on its own thread) starts as the note writer finishes. */
    private final java.util.concurrent.CountDownLatch noteWritten = new java.util.concurrent.CountDownLatch(1);

    /** A swap waits for the note to be written: the swaps are the write-back's, never the note writer's. */
    private void awaitTheNote() {
        try {
            assertThat(noteWritten.await(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the note written")
                    .isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    /** When the canvas's folder is swapped for a link, and swapped back if it is. */
    enum Swaps {
        /** Swapped before the temporary file is written, and left so. */
        BEFORE_THE_TEMPORARY_FILE(Map.of(Step.WRITING, true)),
        /** To and fro between the steps, as the tester's exchange did: the temporary file, the last look, the rename. */
        TO_AND_FRO(Map.of(Step.WRITING, true, Step.CHECKING, false, Step.RENAMING, true)),
        /** Right before the hidden second name of the canvas's file is taken, by path. */
        BEFORE_THE_HARD_LINK(Map.of(Step.LINKING, true)),
        /** Right after the rename, before the replaced file is read through its second name. */
        AFTER_THE_RENAME(Map.of(Step.READING_REPLACED, true));

        /** Per step: true, swapped for the link; false, the real folder put back. */
        final Map<Step, Boolean> at;

        Swaps(Map<Step, Boolean> at) {
            this.at = at;
        }
    }

    @ParameterizedTest
    @EnumSource(Swaps.class)
    void aFolderSwappedForALinkOutsideWhileTheLinkIsWrittenChangesNothingOutsideAndTheLinkIsWrittenOnceItIsBack(
            Swaps swaps) throws IOException {
        swaps.at.forEach((step, out) -> atStep.put(step, out ? this::swapOut : this::swapBack));
        String note = writeNote();
        vault.flush(Fixtures.DISCRETE_MATH);
        assertThat(done).as("every swap was made").containsExactlyInAnyOrderElementsOf(swaps.at.keySet());
        swapBack();
        vault.flush(Fixtures.DISCRETE_MATH);
        vault.close();

        assertThat(Files.readAllBytes(outside.resolve(CANVAS_NAME)))
                .as("the canvas outside, byte for byte")
                .isEqualTo(outsideCanvas);
        assertThat(namesIn(outside)).as("nothing left outside").containsExactly(CANVAS_NAME);
        assertThat(hiddenLitterIn(folder))
                .as("nothing left in the canvas's folder")
                .isEmpty();
        CanvasOnDisk canvas = CanvasOnDisk.read(folder.resolve(CANVAS_NAME));
        assertThat(canvas.notesPointingAt(note))
                .as("the note linked, once the folder is back")
                .hasSize(1);
        assertThat(canvas.nodes()).noneMatch(node -> node.getString("id").equals("outside-only"));
    }

    /** When the canvas's folder is swapped while something of the canvas is read. */
    enum Reads {
        /** The canvas itself, after its folder was looked at: swapped back before the temporary file is written. */
        THE_CANVAS,
        /**
         * The replaced file's second name, with a canvas planted under that name outside (as a save the learner made
         * would look), swapped back before the put-back.
         */
        THE_REPLACED_FILE
    }

    @ParameterizedTest
    @EnumSource(Reads.class)
    void aCanvasReadWhileItsFolderIsSwappedForALinkNeverTakesInWhatIsOutside(Reads read) throws IOException {
        Path[] planted = new Path[1];
        if (read == Reads.THE_CANVAS) {
            atStep.put(Step.READING, this::swapOut);
            atStep.put(Step.WRITING, this::swapBack);
        } else {
            CanvasWriteBack.Steps byDefault = onStep;
            onStep = (step, path) -> {
                if (step == Step.READING_REPLACED && planted[0] == null) {
                    // the seam is told the second name's path: a file of that name is planted where the link leads
                    awaitTheNote();
                    done.add(step);
                    swapOut();
                    planted[0] = outside.resolve(path.getFileName());
                    // the canvas as it was before the rename, with a node more: as a save of the learner's would be
                    write(planted[0], withAnOutsideNode(moved().resolve(path.getFileName())));
                    atStep.put(Step.PUTTING_BACK, this::swapBack);
                    return;
                }
                byDefault.before(step, path);
            };
        }

        String note = writeNote();
        vault.flush(Fixtures.DISCRETE_MATH);
        swapBack();
        vault.flush(Fixtures.DISCRETE_MATH);
        vault.close();
        if (planted[0] != null) {
            Files.delete(planted[0]);
        }

        assertThat(done).as("the swap was made").isNotEmpty();
        assertThat(Files.readAllBytes(outside.resolve(CANVAS_NAME)))
                .as("the canvas outside, byte for byte")
                .isEqualTo(outsideCanvas);
        CanvasOnDisk canvas = CanvasOnDisk.read(folder.resolve(CANVAS_NAME));
        assertThat(canvas.nodes())
                .as("nothing of what is outside in the vault's canvas")
                .noneMatch(node -> node.getString("id").startsWith("outside-"));
        assertThat(canvas.notesPointingAt(note)).as("the note linked").hasSize(1);
        assertThat(namesIn(outside)).as("nothing left outside").containsExactly(CANVAS_NAME);
        assertThat(hiddenLitterIn(folder))
                .as("nothing left in the canvas's folder")
                .isEmpty();
    }

    /** The canvas {@code file} with one node more, "outside-secret": what a hostile file planted outside holds. */
    private static byte[] withAnOutsideNode(Path file) {
        CanvasOnDisk now = CanvasOnDisk.read(file);
        var nodes = Json.createArrayBuilder(now.root().getJsonArray("nodes"))
                .add(Json.createObjectBuilder()
                        .add("id", "outside-secret")
                        .add("type", "text")
                        .add("text", "from outside the vault")
                        .add("x", 0)
                        .add("y", 5000)
                        .add("width", 250)
                        .add("height", 60));
        return Json.createObjectBuilder(now.root())
                .add("nodes", nodes)
                .build()
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path moved() {
        return folder.resolveSibling(FOLDER + "-moved");
    }

    /** Moves the canvas's folder aside, inside the vault, and puts a link to the outside folder in its place. */
    private void swapOut() {
        try {
            if (!Files.isSymbolicLink(folder)) {
                Files.move(folder, folder.resolveSibling(FOLDER + "-moved"));
                Files.createSymbolicLink(folder, outside);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The real folder back at its name. */
    private void swapBack() {
        try {
            if (Files.isSymbolicLink(folder)) {
                Files.delete(folder);
                Files.move(folder.resolveSibling(FOLDER + "-moved"), folder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String writeNote() {
        String path = vault.writeNote(new NoteDraft(
                        Fixtures.DISCRETE_MATH,
                        "01000c386bbc4",
                        "什么是逆否命题",
                        AgentId.ORAL_EXPLANATION,
                        "# note",
                        "offline",
                        START))
                .path();
        noteWritten.countDown();
        return path;
    }

    private static List<String> namesIn(Path folder) throws IOException {
        try (Stream<Path> names = Files.list(folder)) {
            return names.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The write-back's hidden temporary files and second names in {@code folder}. */
    private static List<String> hiddenLitterIn(Path folder) throws IOException {
        assertThat(Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)).isTrue();
        return namesIn(folder).stream()
                .filter(name -> AtomicFiles.isTemporaryName(name) || AtomicFiles.isPreviousName(name))
                .toList();
    }
}
