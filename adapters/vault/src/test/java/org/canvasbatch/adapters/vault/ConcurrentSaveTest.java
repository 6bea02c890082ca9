package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The learner keeps working while a batch links notes into the same canvas: an editor saves the canvas every 5–20 ms
 * (far more often than a person does), each time re-reading the file and adding one node of its own, as Obsidian
 * does when it picks up a change and saves. Meanwhile the batch re-runs notes, each run changing the canvas (a new
 * note or a new time on its label), with no coalescing, so the write-back races the editor thousands of times.
 *
 * <p>What must hold: not one of the editor's nodes is lost, and once the vault is closed every note is linked exactly
 * once, with nothing duplicated. The editor can drop a link (it read the canvas just before a write-back and saved
 * after it); the vault itself puts such links back, with nothing asked of it but its close. The editor saves in place, truncating and rewriting the
 * file as Node's {@code fs.writeFile} does; a save by rename is the other half of the race and is measured, with its
 * figures, by {@code -Dstress.style=rename} (see docs/benchmarks.md). The times between the write-back's last look at
 * the canvas and its rename are printed, not asserted.
 */
class ConcurrentSaveTest {

    private static final int CANVASES = 16;
    private static final int EDITS = Integer.getInteger("stress.edits", 10_000);
    private static final boolean IN_PLACE = !"rename".equals(System.getProperty("stress.style"));
    private static final Instant START = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(START, ZoneOffset.UTC);
    private static final List<AgentId> AGENTS =
            List.of(AgentId.ORAL_EXPLANATION, AgentId.MEMORY_ANCHOR, AgentId.COMPARISON_TABLE);

    @TempDir
    Path root;

    private final ConcurrentLinkedQueue<Long> windows = new ConcurrentLinkedQueue<>();

    @Test
    void noSaveOfTheEditorIsLostAndEveryNoteIsLinkedExactlyOnce() throws Exception {
        Fixtures.copyVaultTo(root);
        List<String> canvases = new ArrayList<>();
        for (int i = 0; i < CANVASES; i++) {
            String canvas = "数学/stress-" + i + ".canvas";
            Files.copy(root.resolve(Fixtures.DISCRETE_MATH), root.resolve(canvas));
            canvases.add(canvas);
        }
        FileVault vault = new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(Duration.ZERO),
                CLOCK,
                canvas -> {},
                FileOpener.DEFAULT,
                new CanvasWriteBack.RetryDelays(Duration.ofMillis(20), Duration.ofMillis(200)),
                windows::add);
        List<CanvasNode> questions = vault.readCanvas(canvases.getFirst()).nodes().stream()
                .filter(n -> !n.hasColor("3"))
                .toList();

        ScheduledExecutorService threads = Executors.newScheduledThreadPool(4);
        CountDownLatch editorsDone = new CountDownLatch(CANVASES);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Map<String, List<String>> saved = new ConcurrentHashMap<>();
        Map<String, Map<String, WrittenNote>> notes = new ConcurrentHashMap<>();
        for (int i = 0; i < CANVASES; i++) {
            String canvas = canvases.get(i);
            saved.put(canvas, new ArrayList<>());
            notes.put(canvas, new ConcurrentHashMap<>());
            Editor editor = new Editor(root.resolve(canvas), "e" + i, EDITS / CANVASES, new SplittableRandom(i));
            threads.schedule(
                    () -> editor.step(threads, saved.get(canvas), editorsDone, failure), 5, TimeUnit.MILLISECONDS);
            Batch batch = new Batch(vault, canvas, questions, notes.get(canvas), new SplittableRandom(100 + i));
            threads.schedule(() -> batch.step(threads, editorsDone, failure), 5, TimeUnit.MILLISECONDS);
        }
        assertThat(editorsDone.await(20, TimeUnit.MINUTES))
                .as("the editors finished")
                .isTrue();
        threads.shutdown();
        assertThat(threads.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        assertThat(failure.get()).as("no thread failed: %s", failure.get()).isNull();

        vault.close();

        int lost = 0;
        int edits = 0;
        for (String canvas : canvases) {
            CanvasOnDisk onDisk = CanvasOnDisk.read(root.resolve(canvas));
            List<String> ids =
                    onDisk.nodes().stream().map(n -> n.getString("id")).toList();
            Set<String> present = new HashSet<>(ids);
            assertThat(present).as("no node twice in %s", canvas).hasSize(ids.size());
            for (String id : saved.get(canvas)) {
                edits++;
                if (!present.contains(id)) {
                    lost++;
                }
            }
            int links = notes.get(canvas).size();
            assertThat(onDisk.noteNodes()).as("file nodes in %s", canvas).hasSize(links);
            assertThat(onDisk.noteEdges()).as("edges in %s", canvas).hasSize(links);
            assertThat(onDisk.labelNodes()).as("labels in %s", canvas).hasSize(links);
            notes.get(canvas)
                    .values()
                    .forEach(note -> assertThat(onDisk.notesPointingAt(note.path()))
                            .as("file nodes of %s", note.path())
                            .hasSize(1));
        }
        System.out.printf(
                "concurrent saves (%s): %d of %d edits lost; %d canvas writes, last look to rename %s%n",
                IN_PLACE ? "in place" : "by rename", lost, edits, windows.size(), percentiles());
        assertThat(edits).isEqualTo(EDITS / CANVASES * CANVASES);
        // POSIX has no compare-and-swap rename: a save that lands between the write-back's last look and its rename
        // (microseconds, here a save every few milliseconds for half a minute) is replaced; the known limit
        // (docs/architecture.md), seen as 1 of 10 000 in about one full run of five under load. More is a regression.
        assertThat(lost).as("edits of the editor lost").isLessThanOrEqualTo(Math.max(1, edits / 10_000));
    }

    @ParameterizedTest(name = "saved {0}")
    @ValueSource(strings = {"in place", "by rename"})
    void aSaveThatLandsWhileTheWriteBackPreparesItsFileIsKept(String how) throws Exception {
        Fixtures.copyVaultTo(root);
        Path canvas = root.resolve(Fixtures.DISCRETE_MATH);
        AtomicReference<Boolean> saved = new AtomicReference<>(false);
        // the canvas's temporary file is made in its folder held open, and the disk told it is, right after
        FileOpener saveMeanwhile = new FileOpener() {
            @Override
            public java.nio.channels.FileChannel open(Path path, java.nio.file.OpenOption... options)
                    throws IOException {
                return FileOpener.DEFAULT.open(path, options);
            }

            @Override
            public java.nio.channels.SeekableByteChannel opened(
                    Path path, java.nio.channels.SeekableByteChannel channel) throws IOException {
                // the canvas's own temporary file, not the note's
                if (path.getFileName().toString().endsWith(".tmp")
                        && path.getParent().equals(canvas.getParent())
                        && !saved.getAndSet(true)) {
                    saveWithAnotherNode(canvas, "saved-meanwhile", how.equals("in place"));
                }
                return channel;
            }
        };
        FileVault vault = new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(Duration.ofHours(1)),
                CLOCK,
                path -> {},
                saveMeanwhile,
                CanvasWriteBack.RetryDelays.DEFAULT,
                windows::add);

        String note = vault.writeNote(new NoteDraft(
                        Fixtures.DISCRETE_MATH,
                        "01000c386bbc4",
                        "什么是逆否命题",
                        AgentId.ORAL_EXPLANATION,
                        "# note",
                        "offline",
                        START))
                .path();
        vault.flush(Fixtures.DISCRETE_MATH);
        vault.close();

        CanvasOnDisk onDisk = CanvasOnDisk.read(canvas);
        assertThat(saved.get()).isTrue();
        assertThat(onDisk.node("saved-meanwhile").getString("text")).isEqualTo("saved while linking");
        assertThat(onDisk.notesPointingAt(note)).hasSize(1);
        assertThat(onDisk.labelNodes()).hasSize(1);
    }

    /** Saves the canvas with a node of the editor's own added, in place (truncate and write) or by a rename. */
    private static void saveWithAnotherNode(Path canvas, String id, boolean inPlace) throws IOException {
        if (inPlace) {
            PutBackRaceTest.saveInPlace(canvas, c -> PutBackRaceTest.withNode(c, id));
            return;
        }
        JsonObject root;
        try (JsonReader reader = Json.createReader(new StringReader(Files.readString(canvas)))) {
            root = reader.readObject();
        }
        Path temporary = canvas.resolveSibling(".editor.tmp.json");
        Files.write(temporary, PutBackRaceTest.withNode(root, id).toString().getBytes(StandardCharsets.UTF_8));
        Files.move(temporary, canvas, StandardCopyOption.ATOMIC_MOVE);
    }

    private String percentiles() {
        List<Long> sorted = windows.stream().sorted().toList();
        if (sorted.isEmpty()) {
            return "-";
        }
        return String.format(
                "p50 %.1f µs, p99 %.1f µs, max %.1f µs",
                sorted.get(sorted.size() / 2) / 1000.0,
                sorted.get((int) (sorted.size() * 0.99)) / 1000.0,
                sorted.getLast() / 1000.0);
    }

    /** Saves the canvas like an editor: read it, add a node of its own, write it back; again after 5–20 ms. */
    private static final class Editor {

        private final Path canvas;
        private final String name;
        private final int edits;
        private final SplittableRandom random;
        private int done;

        Editor(Path canvas, String name, int edits, SplittableRandom random) {
            this.canvas = canvas;
            this.name = name;
            this.edits = edits;
            this.random = random;
        }

        void step(
                ScheduledExecutorService threads,
                List<String> saved,
                CountDownLatch finished,
                AtomicReference<Throwable> failure) {
            try {
                String id = name + "-edit-" + done;
                JsonObject root;
                try (JsonReader reader =
                        Json.createReader(new StringReader(Files.readString(canvas, StandardCharsets.UTF_8)))) {
                    root = reader.readObject();
                }
                JsonObject changed = Json.createObjectBuilder(root)
                        .add(
                                "nodes",
                                Json.createArrayBuilder(root.getJsonArray("nodes"))
                                        .add(Json.createObjectBuilder()
                                                .add("id", id)
                                                .add("type", "text")
                                                .add("text", "my thought #" + done)
                                                .add("x", -5000 - 300 * (done % 20))
                                                .add("y", 200 * (done / 20))
                                                .add("width", 250)
                                                .add("height", 60)))
                        .build();
                byte[] bytes = changed.toString().getBytes(StandardCharsets.UTF_8);
                if (IN_PLACE) {
                    Files.write(canvas, bytes, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                } else {
                    Path temporary = canvas.resolveSibling("." + name + ".editor.tmp");
                    Files.write(temporary, bytes);
                    Files.move(temporary, canvas, StandardCopyOption.ATOMIC_MOVE);
                }
                saved.add(id);
                done++;
                if (done == edits) {
                    finished.countDown();
                } else {
                    threads.schedule(
                            () -> step(threads, saved, finished, failure),
                            random.nextLong(5_000, 20_001),
                            TimeUnit.MICROSECONDS);
                }
            } catch (IOException | RuntimeException e) {
                failure.compareAndSet(null, e);
                while (finished.getCount() > 0) {
                    finished.countDown();
                }
            }
        }
    }

    /** Re-runs a random question's note every 5–20 ms; each run writes the note at a later time and links it. */
    private static final class Batch {

        private final FileVault vault;
        private final String canvas;
        private final List<CanvasNode> questions;
        private final Map<String, WrittenNote> notes;
        private final SplittableRandom random;
        private int runs;

        Batch(
                FileVault vault,
                String canvas,
                List<CanvasNode> questions,
                Map<String, WrittenNote> notes,
                SplittableRandom random) {
            this.vault = vault;
            this.canvas = canvas;
            this.questions = questions;
            this.notes = notes;
            this.random = random;
        }

        void step(ScheduledExecutorService threads, CountDownLatch editorsDone, AtomicReference<Throwable> failure) {
            if (editorsDone.getCount() == 0) {
                return;
            }
            try {
                CanvasNode question = questions.get(random.nextInt(questions.size()));
                AgentId agent = AGENTS.get(random.nextInt(AGENTS.size()));
                WrittenNote note = vault.writeNote(new NoteDraft(
                        canvas,
                        question.id(),
                        question.displayText(),
                        agent,
                        "run " + runs,
                        "offline",
                        START.plus(Duration.ofMinutes(++runs))));
                notes.put(question.id() + "\u0000" + agent.wireName(), note);
                threads.schedule(
                        () -> step(threads, editorsDone, failure),
                        random.nextLong(5_000, 20_001),
                        TimeUnit.MICROSECONDS);
            } catch (RejectedExecutionException e) {
                // The editors finished while this run was under way: the batch is over.
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }
    }
}
