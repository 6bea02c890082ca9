package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.canvasbatch.adapters.vault.CanvasOnDisk.Rect;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.note.NoteName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canvas write-back: every note written is linked into its canvas by the vault, with nothing else asked of it.
 * Most tests use a one-hour coalesce interval on a fixed clock: the first link of a canvas is written at once by the
 * background writer (awaited through the write listener), every later one waits for an explicit flush or the close, so
 * what is on disk at each step is known without sleeping.
 */
class CanvasWriteBackTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
    private static final Duration AN_HOUR = Duration.ofHours(1);
    private static final String Q1 = "01000c386bbc4"; // 什么是逆否命题, a yellow node below it
    private static final String Q2 = "01001414c343c";
    private static final String Q3 = "010027311d8a3";

    @TempDir
    Path root;

    final BlockingQueue<String> writes = new LinkedBlockingQueue<>();
    FileVault vault;
    /** The node texts of the discrete maths canvas as first read: what the core would give the vault. */
    Map<String, String> texts;

    @BeforeEach
    void openVault() {
        Fixtures.copyVaultTo(root);
        vault = open(AN_HOUR);
        texts = new HashMap<>();
        vault.readCanvas(Fixtures.DISCRETE_MATH).nodes().forEach(node -> texts.put(node.id(), node.displayText()));
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @Test
    void aWrittenNoteIsLinkedWhenTheVaultClosesWithNothingElseAsked() throws Exception {
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE);
        assertThat(discreteMath().noteNodes())
                .as("coalesced: waiting for the interval")
                .hasSize(1);

        vault.close();

        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.notesPointingAt(notePath(Q2, AgentId.COMPARISON_TABLE)))
                .singleElement()
                .satisfies(note -> assertThat(canvas.edgesBetween(Q2, note.getString("id")))
                        .hasSize(1));
        assertThat(root.resolve(PendingLinks.FOLDER))
                .as("nothing waits any more")
                .doesNotExist();
    }

    @Test
    void linksASaveRemovedArePutBackWhenTheVaultClosesAndTheLearnersEditStays() throws Exception {
        String before = read(Fixtures.DISCRETE_MATH);
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE);
        vault.flush(Fixtures.DISCRETE_MATH);
        assertThat(discreteMath().noteNodes()).hasSize(2);
        // an editor saves the copy it loaded before the write-back, with the learner's own change in it
        Files.writeString(root.resolve(Fixtures.DISCRETE_MATH), before);
        edit(Fixtures.DISCRETE_MATH, root -> withNodeAndEdge(root, userNode("mine"), null));

        vault.close();

        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.noteNodes()).hasSize(2);
        assertThat(canvas.noteEdges()).hasSize(2);
        assertThat(canvas.labelNodes()).hasSize(2);
        assertThat(canvas.node("mine").getString("text")).isEqualTo("my own idea");
    }

    @Test
    void aQuietCanvasGetsBackLinksASaveRemovedAndThenKeepsTheLearnersDeletions() throws Exception {
        vault.close();
        vault = open(Duration.ZERO);
        String before = read(Fixtures.DISCRETE_MATH);
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        Files.writeString(root.resolve(Fixtures.DISCRETE_MATH), before);

        assertThat(writes.poll(CanvasWriteBack.QUIET.toSeconds() + 30, TimeUnit.SECONDS))
                .as("the canvas was quiet: its links are checked once more")
                .isEqualTo(Fixtures.DISCRETE_MATH);
        assertThat(discreteMath().notesPointingAt(notePath(Q1, AgentId.ORAL_EXPLANATION)))
                .hasSize(1);

        Files.writeString(root.resolve(Fixtures.DISCRETE_MATH), before);
        link(Q2, AgentId.COMPARISON_TABLE);
        awaitWrite();
        vault.close();

        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.notesPointingAt(notePath(Q2, AgentId.COMPARISON_TABLE)))
                .hasSize(1);
        assertThat(canvas.notesPointingAt(notePath(Q1, AgentId.ORAL_EXPLANATION)))
                .as("settled before the learner removed it: not put back")
                .isEmpty();
    }

    @Test
    void eachNoteGetsOneFileNodeAndOneEdgeHoweverOftenItIsWritten() throws Exception {
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        for (int round = 0; round < 3; round++) {
            link(Q1, AgentId.ORAL_EXPLANATION);
            link(Q2, AgentId.COMPARISON_TABLE);
            link(Q2, AgentId.MEMORY_ANCHOR);
            vault.flush(Fixtures.DISCRETE_MATH);
        }

        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.noteNodes()).hasSize(3);
        assertThat(canvas.noteEdges()).hasSize(3);
        JsonObject note =
                canvas.notesPointingAt(notePath(Q1, AgentId.ORAL_EXPLANATION)).getFirst();
        assertThat(note.getString("type")).isEqualTo("file");
        assertThat(note.getString("color")).isEqualTo("5");
        assertThat(note.getString("id")).startsWith("cb-note-");
        JsonObject edge = canvas.edgesBetween(Q1, note.getString("id")).getFirst();
        assertThat(edge.getString("label")).isEqualTo("oral-explanation");
        assertThat(edge.getString("id")).startsWith("cb-edge-");
    }

    @Test
    void aRestartDoesNotDuplicateLinks() {
        link(Q1, AgentId.ORAL_EXPLANATION);
        link(Q2, AgentId.COMPARISON_TABLE);
        vault.close();

        vault = open(AN_HOUR);
        link(Q1, AgentId.ORAL_EXPLANATION);
        link(Q2, AgentId.COMPARISON_TABLE);
        link(Q3, AgentId.CLARIFICATION_PATH);
        vault.close();

        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.noteNodes()).hasSize(3);
        assertThat(canvas.noteEdges()).hasSize(3);
    }

    @Test
    void aNoteTheUserAlreadyLinkedByHandIsNotLinkedAgain() throws IOException {
        String note = notePath(Q1, AgentId.ORAL_EXPLANATION);
        edit(
                Fixtures.DISCRETE_MATH,
                root -> withNodeAndEdge(
                        root,
                        Json.createObjectBuilder()
                                .add("id", "mine")
                                .add("type", "file")
                                .add("file", note)
                                .add("x", 2000)
                                .add("y", 2000)
                                .add("width", 400)
                                .add("height", 400)
                                .build(),
                        Json.createObjectBuilder()
                                .add("id", "my-edge")
                                .add("fromNode", Q1)
                                .add("toNode", "mine")
                                .build()));
        CanvasOnDisk before = discreteMath();

        link(Q1, AgentId.ORAL_EXPLANATION);
        vault.flush(Fixtures.DISCRETE_MATH);

        CanvasOnDisk after = discreteMath();
        assertThat(after.noteNodes()).isEmpty();
        assertThat(after.noteEdges()).isEmpty();
        assertThat(after.edges()).isEqualTo(before.edges());
        assertThat(after.notesPointingAt(note)).containsExactly(before.node("mine"));
        assertThat(after.labelNodes())
                .as("only the label of the note, beside the user's own file node")
                .singleElement()
                .satisfies(label ->
                        assertThat(CanvasOnDisk.rect(label).x()).isEqualTo(2000 + 400 + NotePlacement.GAP_BESIDE));
        assertThat(after.nodes()).hasSize(before.nodes().size() + 1);
    }

    @Test
    void newNotesOverlapNoNodeOfTheLargeCanvas() {
        Canvas exam = vault.readCanvas(Fixtures.EXAM_170);
        List<CanvasNode> questions =
                exam.nodes().stream().filter(n -> !n.hasColor("3")).toList();
        Map<String, String> notes = new HashMap<>();
        for (CanvasNode question : questions) {
            notes.put(question.id(), write(Fixtures.EXAM_170, question, AgentId.ORAL_EXPLANATION));
        }
        for (CanvasNode question : questions.subList(0, 10)) {
            write(Fixtures.EXAM_170, question, AgentId.MEMORY_ANCHOR);
        }
        vault.flush(Fixtures.EXAM_170);

        CanvasOnDisk canvas = CanvasOnDisk.read(root.resolve(Fixtures.EXAM_170));
        assertThat(canvas.noteNodes()).hasSize(questions.size() + 10);
        assertNoNoteOverlaps(canvas);
        for (CanvasNode question : questions) {
            JsonObject note = canvas.notesPointingAt(notes.get(question.id())).getFirst();
            Rect box = CanvasOnDisk.rect(note);
            double dx = Math.max(
                    0, Math.max(box.x() - question.x() - question.width(), question.x() - box.x() - box.width()));
            double dy = Math.max(
                    0, Math.max(box.y() - question.y() - question.height(), question.y() - box.y() - box.height()));
            assertThat(Math.hypot(dx, dy))
                    .as("the first note of %s close to it", question.id())
                    .isLessThan(500);
        }
    }

    @Test
    void notesOfTheMixedCanvasRespectItsGroup() {
        Canvas mixed = vault.readCanvas(Fixtures.MIXED);
        for (String node : List.of("f1", "l1", "t1", "t2", "g1")) {
            write(Fixtures.MIXED, mixed.node(node).orElseThrow(), AgentId.ORAL_EXPLANATION);
        }
        vault.flush(Fixtures.MIXED);

        CanvasOnDisk canvas = CanvasOnDisk.read(root.resolve(Fixtures.MIXED));
        assertThat(canvas.noteNodes()).hasSize(5);
        assertNoNoteOverlaps(canvas);
    }

    @Test
    void anEditTheUserMadeBetweenTwoWritesSurvives() throws Exception {
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        edit(Fixtures.DISCRETE_MATH, root -> {
            JsonObject moved = Json.createObjectBuilder(node(root, Q2))
                    .add("x", 5000)
                    .add("y", 6000)
                    .add("text", "逆否命题和否命题有什么不同")
                    .build();
            return Json.createObjectBuilder(root)
                    .add(
                            "nodes",
                            Json.createArrayBuilder(root.getJsonArray("nodes").stream()
                                            .map(n -> ((JsonObject) n)
                                                            .getString("id")
                                                            .equals(Q2)
                                                    ? moved
                                                    : n)
                                            .toList())
                                    .add(Json.createObjectBuilder()
                                            .add("id", "user-added")
                                            .add("type", "text")
                                            .add("text", "my own idea")
                                            .add("x", 5000)
                                            .add("y", 6160)
                                            .add("width", 400)
                                            .add("height", 100)))
                    .build();
        });
        String edited = read(Fixtures.DISCRETE_MATH);

        link(Q2, AgentId.COMPARISON_TABLE);
        assertThat(read(Fixtures.DISCRETE_MATH))
                .as("coalesced: not written before the flush")
                .isEqualTo(edited);
        vault.flush(Fixtures.DISCRETE_MATH);

        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.node("user-added").getString("text")).isEqualTo("my own idea");
        assertThat(canvas.node(Q2).getString("text")).isEqualTo("逆否命题和否命题有什么不同");
        assertThat(canvas.noteNodes()).hasSize(2);
        Rect note = CanvasOnDisk.rect(
                canvas.notesPointingAt(notePath(Q2, AgentId.COMPARISON_TABLE)).getFirst());
        assertThat(Math.abs(note.x() - 5000) + Math.abs(note.y() - 6000))
                .as("placed by the node where the user moved it (and clear of the one the user added: below)")
                .isLessThan(600);
        assertNoNoteOverlaps(canvas);
    }

    @Test
    void unknownFieldsNodesAndEdgesAreKeptExactly() throws IOException {
        String original = """
                {
                	"nodes": [
                		{"id": "q", "type": "text", "text": "what is a functor", "x": 0, "y": 0, "width": 400,
                		 "height": 120, "color": "1", "styleAttributes": {"textAlign": "center"}, "zIndex": 3},
                		{"id": "w", "type": "excalidraw-widget", "x": 0, "y": 200, "width": 50.5, "height": 1.0E2,
                		 "data": [1, 2.50, null, true, {"nested": "caf\\u00e9 \\"quoted\\" \\ud83d\\ude00"}]},
                		{"id": "f", "type": "file", "file": "notes/鸽巢原理.md", "subpath": "#heading",
                		 "x": 600, "y": 0, "width": 400, "height": 300}
                	],
                	"edges": [
                		{"id": "e", "fromNode": "q", "toNode": "w", "fromEnd": "none", "toEnd": "arrow", "color": "#123456"}
                	],
                	"metadata": {"version": "1.0-1.0", "frontmatter": {}},
                	"x-plugin": [1, 2, 3]
                }
                """;
        Files.writeString(root.resolve("functors.canvas"), original);
        JsonObject before = CanvasOnDisk.read(root.resolve("functors.canvas")).root();

        vault.writeNote(new NoteDraft(
                "functors.canvas",
                "q",
                "what is a functor",
                AgentId.ORAL_EXPLANATION,
                "# note",
                "offline",
                CLOCK.instant()));
        vault.flush("functors.canvas");

        JsonObject after = CanvasOnDisk.read(root.resolve("functors.canvas")).root();
        assertThat(after.keySet()).containsExactly("nodes", "edges", "metadata", "x-plugin");
        assertThat(after.get("metadata")).isEqualTo(before.get("metadata"));
        assertThat(after.get("x-plugin")).isEqualTo(before.get("x-plugin"));
        assertThat(after.getJsonArray("nodes").subList(0, 3)).isEqualTo(before.getJsonArray("nodes"));
        assertThat(after.getJsonArray("nodes")).as("a file node and its label").hasSize(5);
        assertThat(after.getJsonArray("edges").getFirst())
                .isEqualTo(before.getJsonArray("edges").getFirst());
        assertThat(after.getJsonArray("edges")).hasSize(2);
        assertThat(Files.readString(root.resolve("functors.canvas"))).endsWith("}\n");
        assertNoNoteOverlaps(CanvasOnDisk.read(root.resolve("functors.canvas")));
    }

    @Test
    void aWriteBackOnlyAddsLinesToACanvasObsidianSaved() {
        String original = read(Fixtures.DISCRETE_MATH);

        link(Q1, AgentId.ORAL_EXPLANATION);
        vault.flush(Fixtures.DISCRETE_MATH);

        List<String> before = withoutTrailingCommas(original);
        List<String> after = withoutTrailingCommas(read(Fixtures.DISCRETE_MATH));
        int matched = 0;
        for (String line : after) {
            if (matched < before.size() && line.equals(before.get(matched))) {
                matched++;
            }
        }
        assertThat(matched).as("every original line is still there, in order").isEqualTo(before.size());
        assertThat(after.size() - before.size())
                .as("one file node of 8 fields, one edge of 6, one label node of 8 fields")
                .isEqualTo(10 + 8 + 10);
    }

    @Test
    void flushWritesWhatWaitsAtOnce() throws Exception {
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE);
        link(Q3, AgentId.CLARIFICATION_PATH);
        assertThat(discreteMath().noteNodes())
                .as("coalesced: waiting for the interval")
                .hasSize(1);

        vault.flush(Fixtures.DISCRETE_MATH);

        assertThat(discreteMath().noteNodes()).hasSize(3);
        assertThat(writes).containsExactly(Fixtures.DISCRETE_MATH);
    }

    @Test
    void closeWritesWhatWaitsAndLaterLinksAreWrittenAtOnce() throws Exception {
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE);

        vault.close();
        assertThat(discreteMath().noteNodes()).hasSize(2);

        link(Q3, AgentId.CLARIFICATION_PATH);
        assertThat(discreteMath().noteNodes()).hasSize(3);
    }

    @Test
    void withoutAnIntervalTheBackgroundWriterLinksWithoutAFlush() throws Exception {
        vault.close();
        vault = open(Duration.ZERO);

        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE);
        awaitWrite();

        assertThat(discreteMath().noteNodes()).hasSize(2);
    }

    @Test
    void withWriteBackOffNothingIsLinked() throws Exception {
        vault.close();
        vault = new FileVault(
                root,
                VaultOptions.defaults().withWriteBack(false).withCoalesceInterval(Duration.ZERO),
                CLOCK,
                writes::add);
        String before = read(Fixtures.DISCRETE_MATH);

        link(Q1, AgentId.ORAL_EXPLANATION);
        vault.flush(Fixtures.DISCRETE_MATH);
        vault.close();

        assertThat(read(Fixtures.DISCRETE_MATH)).isEqualTo(before);
        assertThat(writes).isEmpty();
    }

    @Test
    void aCanvasBrokenAtWriteTimeIsLeftAloneAndLinkedOnceItIsValidAgain() throws Exception {
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        String valid = read(Fixtures.DISCRETE_MATH);
        Files.writeString(root.resolve(Fixtures.DISCRETE_MATH), "{\"nodes\": [ half-synced");

        link(Q2, AgentId.COMPARISON_TABLE);
        vault.flush(Fixtures.DISCRETE_MATH);
        assertThat(read(Fixtures.DISCRETE_MATH)).isEqualTo("{\"nodes\": [ half-synced");

        Files.writeString(root.resolve(Fixtures.DISCRETE_MATH), valid);
        vault.flush(Fixtures.DISCRETE_MATH);
        assertThat(discreteMath().noteNodes()).hasSize(2);

        Files.writeString(root.resolve(Fixtures.DISCRETE_MATH), "");
        link(Q3, AgentId.CLARIFICATION_PATH);
        vault.close();
        assertThat(read(Fixtures.DISCRETE_MATH)).isEmpty();
    }

    @Test
    void aLinkWhoseSourceNodeWasDeletedMeanwhileIsSkipped() throws Exception {
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE);
        link(Q3, AgentId.CLARIFICATION_PATH);
        edit(
                Fixtures.DISCRETE_MATH,
                root -> Json.createObjectBuilder(root)
                        .add(
                                "nodes",
                                Json.createArrayBuilder(root.getJsonArray("nodes").stream()
                                        .filter(n -> !((JsonObject) n)
                                                .getString("id")
                                                .equals(Q2))
                                        .toList()))
                        .build());

        vault.flush(Fixtures.DISCRETE_MATH);

        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.noteNodes()).hasSize(2);
        assertThat(canvas.notesPointingAt(notePath(Q2, AgentId.COMPARISON_TABLE)))
                .isEmpty();
        assertThat(canvas.edges()).noneMatch(e -> e.getString("fromNode").equals(Q2));
    }

    @Test
    void aDeletedCanvasIsNotRecreated() throws Exception {
        link(Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        link(Q2, AgentId.COMPARISON_TABLE);
        Files.delete(root.resolve(Fixtures.DISCRETE_MATH));

        vault.flush(Fixtures.DISCRETE_MATH);

        assertThat(root.resolve(Fixtures.DISCRETE_MATH)).doesNotExist();
        assertThat(vault.canvasExists(Fixtures.DISCRETE_MATH)).isFalse();
    }

    @Test
    void aFlushOfACanvasWithNothingWaitingChangesNothing() {
        String before = read(Fixtures.LINEAR_ALGEBRA);

        vault.flush(Fixtures.LINEAR_ALGEBRA);

        assertThat(read(Fixtures.LINEAR_ALGEBRA)).isEqualTo(before);
    }

    @Test
    void oneHundredSeventyNotesFromTwelveThreadsAreEachLinkedExactlyOnce() throws Exception {
        vault.close();
        vault = open(Duration.ZERO);
        Canvas exam = vault.readCanvas(Fixtures.EXAM_170);
        List<CanvasNode> questions =
                exam.nodes().stream().filter(n -> !n.hasColor("3")).toList();
        assertThat(questions).hasSize(170);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService agents = Executors.newFixedThreadPool(12)) {
            for (CanvasNode question : questions) {
                done.add(agents.submit(() -> {
                    start.await();
                    vault.writeNote(new NoteDraft(
                            Fixtures.EXAM_170,
                            question.id(),
                            question.displayText(),
                            AgentId.ORAL_EXPLANATION,
                            "answer",
                            "offline",
                            CLOCK.instant()));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        }
        vault.close();

        CanvasOnDisk canvas = CanvasOnDisk.read(root.resolve(Fixtures.EXAM_170));
        assertThat(canvas.noteNodes()).hasSize(170);
        assertThat(canvas.noteEdges()).hasSize(170);
        assertThat(canvas.labelNodes()).hasSize(170);
        assertThat(canvas.nodes()).hasSize(174 + 170 + 170);
        Set<String> sources = new HashSet<>();
        canvas.noteEdges().forEach(e -> sources.add(e.getString("fromNode")));
        assertThat(sources).hasSize(170);
        assertThat(vault.readCanvas(Fixtures.EXAM_170).nodes()).hasSize(514);
        try (Stream<Path> notes = Files.list(root.resolve("Exam Prep/期末复习-170-notes"))) {
            assertThat(notes.count()).isEqualTo(170);
        }
        try (Stream<Path> files = Files.list(root.resolve("Exam Prep"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
        }
        assertNoNoteOverlaps(canvas);
    }

    private FileVault open(Duration interval) {
        return new FileVault(root, VaultOptions.defaults().withCoalesceInterval(interval), CLOCK, writes::add);
    }

    /** Writes the note of a node of the discrete maths canvas, which links it. */
    private void link(String nodeId, AgentId agent) {
        vault.writeNote(new NoteDraft(
                Fixtures.DISCRETE_MATH, nodeId, texts.get(nodeId), agent, "# note", "offline", CLOCK.instant()));
    }

    private String write(String canvas, CanvasNode node, AgentId agent) {
        return vault.writeNote(new NoteDraft(
                        canvas, node.id(), node.displayText(), agent, "# note", "offline", CLOCK.instant()))
                .path();
    }

    private String notePath(String nodeId, AgentId agent) {
        return "数学/离散数学-notes/" + NoteName.fileName(texts.get(nodeId), agent);
    }

    private static JsonObject userNode(String id) {
        return Json.createObjectBuilder()
                .add("id", id)
                .add("type", "text")
                .add("text", "my own idea")
                .add("x", 5000)
                .add("y", 6160)
                .add("width", 400)
                .add("height", 100)
                .build();
    }

    private void awaitWrite() throws InterruptedException {
        assertThat(writes.poll(10, TimeUnit.SECONDS)).as("a canvas write").isNotNull();
    }

    private CanvasOnDisk discreteMath() {
        return CanvasOnDisk.read(root.resolve(Fixtures.DISCRETE_MATH));
    }

    private String read(String path) {
        try {
            return Files.readString(root.resolve(path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void edit(String path, java.util.function.UnaryOperator<JsonObject> change) throws IOException {
        JsonObject changed = change.apply(CanvasOnDisk.read(root.resolve(path)).root());
        Files.writeString(root.resolve(path), changed.toString());
    }

    private static JsonObject node(JsonObject root, String id) {
        return root.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .filter(n -> n.getString("id").equals(id))
                .findFirst()
                .orElseThrow();
    }

    /** @param edge null for none */
    private static JsonObject withNodeAndEdge(JsonObject root, JsonValue node, JsonValue edge) {
        var edges = Json.createArrayBuilder(root.getJsonArray("edges"));
        if (edge != null) {
            edges.add(edge);
        }
        return Json.createObjectBuilder(root)
                .add(
                        "nodes",
                        Json.createArrayBuilder(root.getJsonArray("nodes")).add(node))
                .add("edges", edges)
                .build();
    }

    private static List<String> withoutTrailingCommas(String text) {
        return Arrays.stream(text.split("\n"))
                .map(line -> line.endsWith(",") ? line.substring(0, line.length() - 1) : line)
                .toList();
    }

    /** No new note touches another node, except that a group around the note's source may hold the whole note. */
    private static void assertNoNoteOverlaps(CanvasOnDisk canvas) {
        for (JsonObject note : canvas.noteNodes()) {
            Rect mine = CanvasOnDisk.rect(note);
            String source = canvas.edges().stream()
                    .filter(e -> e.getString("toNode").equals(note.getString("id")))
                    .findFirst()
                    .orElseThrow()
                    .getString("fromNode");
            Rect sourceRect = CanvasOnDisk.rect(canvas.node(source));
            for (JsonObject other : canvas.nodes()) {
                if (other == note) {
                    continue;
                }
                Rect theirs = CanvasOnDisk.rect(other);
                boolean heldByGroup =
                        "group".equals(other.getString("type")) && sourceRect.inside(theirs) && mine.inside(theirs);
                assertThat(mine.overlaps(theirs) && !heldByGroup)
                        .as("note %s overlaps node %s", note.getString("id"), other.getString("id"))
                        .isFalse();
            }
        }
    }
}
