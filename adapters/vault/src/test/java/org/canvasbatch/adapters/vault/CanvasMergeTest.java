package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.adapters.vault.CanvasMerge.Link;
import org.canvasbatch.adapters.vault.CanvasMerge.Result;
import org.canvasbatch.adapters.vault.CanvasMerge.Settings;
import org.canvasbatch.adapters.vault.CanvasOnDisk.Rect;
import org.canvasbatch.fixtures.FixtureVault;
import org.junit.jupiter.api.Test;

/** The merge on its own: a canvas and the links waiting in, the canvas to write out; no file, no clock. */
class CanvasMergeTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final Instant WRITTEN = Instant.parse("2026-11-26T12:00:00Z");
    private static final Instant NOW = Instant.parse("2026-11-26T12:30:00Z");
    private static final Settings LABELS = new Settings(true, SHANGHAI, NOW);
    private static final Settings NO_LABELS = new Settings(false, SHANGHAI, NOW);

    private static final JsonObject CANVAS = json("""
            {"nodes": [
              {"id": "zh", "type": "text", "text": "什么是逆否命题", "x": 0, "y": 0, "width": 400, "height": 100, "color": "1"},
              {"id": "en", "type": "text", "text": "What is a functor?", "x": 1000, "y": 0, "width": 400, "height": 100},
              {"id": "mine", "type": "text", "text": "my own idea", "x": 420, "y": 160, "width": 300, "height": 80,
               "styleAttributes": {"textAlign": "center"}}
             ],
             "edges": [{"id": "e1", "fromNode": "zh", "toNode": "mine", "toEnd": "none"}],
             "metadata": {"version": "1.0-1.0"}}
            """);

    @Test
    void aLinkAddsAFileNodeBelowItsSourceAnEdgeAndALabelBesideTheFileNode() {
        Result result = CanvasMerge.merge(CANVAS, List.of(link("zh", "oral-explanation", WRITTEN)), LABELS);

        assertThat(result.changed()).isTrue();
        assertThat(result.linked()).hasSize(1);
        CanvasOnDisk merged = new CanvasOnDisk(result.canvas());
        JsonObject note = merged.node(CanvasMerge.noteNodeId("zh", "oral-explanation"));
        assertThat(note.getString("type")).isEqualTo("file");
        assertThat(note.getString("file")).isEqualTo("notes/zh (oral-explanation).md");
        assertThat(note.getString("color")).isEqualTo("5");
        assertThat(CanvasOnDisk.rect(note).y()).isGreaterThan(100);
        JsonObject edge = merged.edgesBetween("zh", note.getString("id")).getFirst();
        assertThat(edge.getString("label")).isEqualTo("oral-explanation");
        JsonObject label = merged.node(CanvasMerge.labelNodeId("zh", "oral-explanation"));
        assertThat(label.getString("type")).isEqualTo("text");
        assertThat(label.getString("color")).isEqualTo("5");
        assertThat(label.getString("text"))
                .as("the note's own time, in the learner's zone")
                .isEqualTo("[oral-explanation] 生成于 2026-11-26 20:00");
        Rect noteBox = CanvasOnDisk.rect(note);
        Rect labelBox = CanvasOnDisk.rect(label);
        assertThat(labelBox.y()).as("beside the file node, on its row").isEqualTo(noteBox.y());
        assertThat(labelBox.x() >= noteBox.x() + noteBox.width() || labelBox.x() + labelBox.width() <= noteBox.x())
                .as("beside the file node (left of it here: 'mine' is right of it)")
                .isTrue();
        assertNothingOverlaps(merged);
    }

    @Test
    void theLabelFollowsTheLanguageOfTheSourceNode() {
        Result result = CanvasMerge.merge(CANVAS, List.of(link("en", "memory-anchor", WRITTEN)), LABELS);

        assertThat(new CanvasOnDisk(result.canvas())
                        .node(CanvasMerge.labelNodeId("en", "memory-anchor"))
                        .getString("text"))
                .isEqualTo("[memory-anchor] generated 2026-11-26 20:00");
    }

    @Test
    void everythingThatWasThereIsKeptExactlyAndInOrder() {
        Result result = CanvasMerge.merge(CANVAS, List.of(link("zh", "oral-explanation", WRITTEN)), LABELS);

        JsonObject merged = result.canvas();
        assertThat(merged.keySet()).containsExactly("nodes", "edges", "metadata");
        assertThat(merged.getJsonArray("nodes").subList(0, 3)).isEqualTo(CANVAS.getJsonArray("nodes"));
        assertThat(merged.getJsonArray("edges").getFirst())
                .isEqualTo(CANVAS.getJsonArray("edges").getFirst());
        assertThat(merged.get("metadata")).isEqualTo(CANVAS.get("metadata"));
    }

    @Test
    void mergingTheSameLinksAgainChangesNothing() {
        List<Link> links = List.of(link("zh", "oral-explanation", WRITTEN), link("en", "comparison-table", WRITTEN));
        JsonObject once = CanvasMerge.merge(CANVAS, links, LABELS).canvas();

        Result again = CanvasMerge.merge(once, links, LABELS);

        assertThat(again.changed()).isFalse();
        assertThat(again.canvas()).isSameAs(once);
        assertThat(again.alreadyLinked()).hasSize(2);
    }

    @Test
    void aNoteWrittenAgainMovesItsLabelsTimeAndAddsNothing() {
        JsonObject once = CanvasMerge.merge(CANVAS, List.of(link("zh", "oral-explanation", WRITTEN)), LABELS)
                .canvas();

        Result rerun = CanvasMerge.merge(
                once, List.of(link("zh", "oral-explanation", Instant.parse("2026-11-27T01:05:00Z"))), LABELS);

        assertThat(rerun.changed()).isTrue();
        assertThat(rerun.labelled()).hasSize(1);
        assertThat(rerun.linked()).isEmpty();
        CanvasOnDisk before = new CanvasOnDisk(once);
        CanvasOnDisk after = new CanvasOnDisk(rerun.canvas());
        assertThat(after.nodes()).hasSameSizeAs(before.nodes());
        assertThat(after.edges()).isEqualTo(before.edges());
        String id = CanvasMerge.labelNodeId("zh", "oral-explanation");
        assertThat(after.node(id).getString("text")).isEqualTo("[oral-explanation] 生成于 2026-11-27 09:05");
        assertThat(CanvasOnDisk.rect(after.node(id))).isEqualTo(CanvasOnDisk.rect(before.node(id)));
    }

    @Test
    void aLabelTheLearnerMovedKeepsItsPlaceAndOtherFields() {
        JsonObject once = CanvasMerge.merge(CANVAS, List.of(link("zh", "oral-explanation", WRITTEN)), LABELS)
                .canvas();
        String id = CanvasMerge.labelNodeId("zh", "oral-explanation");
        JsonObject moved = replaceNode(
                once,
                Json.createObjectBuilder(new CanvasOnDisk(once).node(id))
                        .add("x", -900)
                        .add("y", 700)
                        .add("color", "4")
                        .build());

        Result rerun = CanvasMerge.merge(moved, List.of(link("zh", "oral-explanation", NOW)), LABELS);

        JsonObject label = new CanvasOnDisk(rerun.canvas()).node(id);
        assertThat(label.getInt("x")).isEqualTo(-900);
        assertThat(label.getInt("y")).isEqualTo(700);
        assertThat(label.getString("color")).isEqualTo("4");
        assertThat(label.getString("text")).endsWith("2026-11-26 20:30");
    }

    /**
     * A hostile tester's reproduction: the learner appended their own summary to the label of "What is osmosis?", and
     * the node was run again; the label said "[oral-explanation] generated …" once more, the summary gone.
     */
    @Test
    void aLabelTheLearnerWroteInIsKeptAsTheyLeftItWhenTheNoteIsWrittenAgain() {
        JsonObject once = CanvasMerge.merge(CANVAS, List.of(link("en", "oral-explanation", WRITTEN)), LABELS)
                .canvas();
        String id = CanvasMerge.labelNodeId("en", "oral-explanation");
        String theirs = "[oral-explanation] generated 2026-11-26 20:00\nMY OWN SUMMARY: water moves toward the salt";
        JsonObject edited = replaceNode(
                once,
                Json.createObjectBuilder(new CanvasOnDisk(once).node(id))
                        .add("text", theirs)
                        .build());

        Result rerun = CanvasMerge.merge(
                edited, List.of(link("en", "oral-explanation", Instant.parse("2026-11-27T01:05:00Z"))), LABELS);

        assertThat(new CanvasOnDisk(rerun.canvas()).node(id).getString("text")).isEqualTo(theirs);
        assertThat(rerun.changed()).isFalse();
        assertThat(rerun.labelled()).isEmpty();
        assertThat(rerun.alreadyLinked()).hasSize(1);
        assertThat(rerun.labelsKept()).hasSize(1);
    }

    @Test
    void aLabelTheLearnerRewroteStaysWholeWhileTheNoteCardTheyDeletedIsLinkedAgain() {
        JsonObject once = CanvasMerge.merge(CANVAS, List.of(link("zh", "oral-explanation", WRITTEN)), LABELS)
                .canvas();
        String labelId = CanvasMerge.labelNodeId("zh", "oral-explanation");
        JsonObject theirs = Json.createObjectBuilder(new CanvasOnDisk(once).node(labelId))
                .add("text", "我的总结：逆否命题与原命题等价")
                .add("x", -900)
                .add("color", "3")
                .build();
        String noteId = CanvasMerge.noteNodeId("zh", "oral-explanation");
        JsonObject withTheirs = replaceNode(once, theirs);
        // the learner deleted the note's card (its edge goes with it) and kept the label they wrote in
        JsonObject edited = Json.createObjectBuilder(withTheirs)
                .add(
                        "nodes",
                        Json.createArrayBuilder(withTheirs.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                                .filter(n -> !n.getString("id").equals(noteId))
                                .toList()))
                .add("edges", CANVAS.getJsonArray("edges"))
                .build();

        Result rerun = CanvasMerge.merge(edited, List.of(link("zh", "oral-explanation", NOW)), LABELS);

        CanvasOnDisk after = new CanvasOnDisk(rerun.canvas());
        assertThat(rerun.linked()).hasSize(1);
        assertThat(after.noteNodes()).hasSize(1);
        assertThat(after.edgesBetween("zh", noteId)).hasSize(1);
        assertThat(after.labelNodes()).containsExactly(theirs);
    }

    @Test
    void aLabelInAnyOfTheServersOwnWordsIsStillItsOwnAndGetsTheNewTime() {
        JsonObject once = CanvasMerge.merge(CANVAS, List.of(link("zh", "oral-explanation", WRITTEN)), LABELS)
                .canvas();
        String id = CanvasMerge.labelNodeId("zh", "oral-explanation");
        // as an older run wrote it while the question was still in English
        JsonObject older = replaceNode(
                once,
                Json.createObjectBuilder(new CanvasOnDisk(once).node(id))
                        .add("text", "[oral-explanation] generated 2025-01-02 03:04")
                        .build());

        Result rerun = CanvasMerge.merge(older, List.of(link("zh", "oral-explanation", NOW)), LABELS);

        assertThat(new CanvasOnDisk(rerun.canvas()).node(id).getString("text"))
                .isEqualTo("[oral-explanation] 生成于 2026-11-26 20:30");
        assertThat(rerun.labelled()).hasSize(1);
        assertThat(rerun.labelsKept()).isEmpty();
    }

    @Test
    void onlyTheWholeTextTheServerWritesForTheLabelsAgentIsTheServers() {
        assertThat(CanvasMerge.isLabelText("[oral-explanation] 生成于 2026-11-26 20:00", "oral-explanation"))
                .isTrue();
        assertThat(CanvasMerge.isLabelText("[memory-anchor] generated 2031-02-03 04:05", "memory-anchor"))
                .isTrue();
        assertThat(CanvasMerge.isLabelText(
                        CanvasMerge.labelText(
                                "comparison-table", true, Instant.parse("+12026-01-01T00:00:00Z"), SHANGHAI),
                        "comparison-table"))
                .isTrue();
        assertThat(CanvasMerge.isLabelText(
                        "[oral-explanation] generated 2026-11-26 20:00\nMY OWN SUMMARY", "oral-explanation"))
                .isFalse();
        assertThat(CanvasMerge.isLabelText("[oral-explanation] generated 2026-11-26 20:00 ", "oral-explanation"))
                .isFalse();
        assertThat(CanvasMerge.isLabelText("see: [oral-explanation] generated 2026-11-26 20:00", "oral-explanation"))
                .isFalse();
        assertThat(CanvasMerge.isLabelText("[oral-explanation] generated yesterday", "oral-explanation"))
                .isFalse();
        // a reviewer's cases: the label of (node, oral-explanation) only ever says oral-explanation
        assertThat(CanvasMerge.isLabelText("[reviewed with my tutor] generated 2026-11-26 20:00", "oral-explanation"))
                .isFalse();
        assertThat(CanvasMerge.isLabelText("[口头讲解] 生成于 2026-11-26 20:00", "oral-explanation"))
                .isFalse();
        assertThat(CanvasMerge.isLabelText("", "oral-explanation")).isFalse();
        assertThat(CanvasMerge.isLabelText(null, "oral-explanation")).isFalse();
    }

    @Test
    void aNoteWhoseTimeIsUnknownKeepsAnExistingLabelAndIsLabelledNowOtherwise() {
        Result first = CanvasMerge.merge(CANVAS, List.of(link("zh", "oral-explanation", null)), LABELS);
        assertThat(new CanvasOnDisk(first.canvas())
                        .node(CanvasMerge.labelNodeId("zh", "oral-explanation"))
                        .getString("text"))
                .endsWith("2026-11-26 20:30");

        Result again = CanvasMerge.merge(
                first.canvas(),
                List.of(link("zh", "oral-explanation", null)),
                new Settings(true, SHANGHAI, NOW.plusSeconds(3600)));

        assertThat(again.changed()).isFalse();
    }

    @Test
    void withLabelsOffNoLabelIsAddedAndExistingOnesAreLeftAlone() {
        JsonObject labelled = CanvasMerge.merge(CANVAS, List.of(link("zh", "oral-explanation", WRITTEN)), LABELS)
                .canvas();

        Result plain = CanvasMerge.merge(CANVAS, List.of(link("en", "oral-explanation", WRITTEN)), NO_LABELS);
        Result rerun = CanvasMerge.merge(labelled, List.of(link("zh", "oral-explanation", NOW)), NO_LABELS);

        assertThat(new CanvasOnDisk(plain.canvas()).labelNodes()).isEmpty();
        assertThat(new CanvasOnDisk(plain.canvas()).noteNodes()).hasSize(1);
        assertThat(rerun.changed()).isFalse();
    }

    @Test
    void aLinkWhoseSourceNodeIsGoneAddsNothing() {
        Result result = CanvasMerge.merge(CANVAS, List.of(link("deleted", "oral-explanation", WRITTEN)), LABELS);

        assertThat(result.changed()).isFalse();
        assertThat(result.sourceGone()).hasSize(1);
        assertThat(result.canvas()).isSameAs(CANVAS);
    }

    @Test
    void aFileNodeTheLearnerLinkedByHandIsNotDuplicatedButLabelled() {
        JsonObject handLinked = json("""
                {"nodes": [
                  {"id": "q", "type": "text", "text": "what is X", "x": 0, "y": 0, "width": 400, "height": 100},
                  {"id": "f", "type": "file", "file": "notes/x.md", "x": 0, "y": 300, "width": 400, "height": 400}
                 ],
                 "edges": [{"id": "e", "fromNode": "q", "toNode": "f"}]}
                """);

        Result result = CanvasMerge.merge(
                handLinked, List.of(new Link("q", "notes/x.md", "oral-explanation", WRITTEN)), LABELS);

        CanvasOnDisk merged = new CanvasOnDisk(result.canvas());
        assertThat(merged.noteNodes()).isEmpty();
        assertThat(merged.edges()).hasSize(1);
        assertThat(merged.labelNodes())
                .singleElement()
                .satisfies(label -> assertThat(CanvasOnDisk.rect(label).y()).isEqualTo(300));
    }

    @Test
    void notesAndLabelsOfTheLargeCanvasOverlapNothing() {
        JsonObject exam = json(FixtureVault.read(FixtureVault.EXAM_170));
        List<Link> links = new ArrayList<>();
        for (JsonObject node : exam.getJsonArray("nodes").getValuesAs(JsonObject.class)) {
            if (!"3".equals(node.getString("color", ""))) {
                links.add(link(node.getString("id"), "oral-explanation", WRITTEN));
                links.add(link(node.getString("id"), "memory-anchor", WRITTEN));
            }
        }

        Result result = CanvasMerge.merge(exam, links, LABELS);

        CanvasOnDisk merged = new CanvasOnDisk(result.canvas());
        assertThat(merged.noteNodes()).hasSize(links.size());
        assertThat(merged.labelNodes()).hasSize(links.size());
        assertNothingOverlaps(merged);
    }

    private static Link link(String source, String agent, Instant written) {
        return new Link(source, "notes/" + source + " (" + agent + ").md", agent, written);
    }

    /** No added node touches any other node; a group may hold added nodes that lie wholly inside it. */
    private static void assertNothingOverlaps(CanvasOnDisk canvas) {
        List<JsonObject> added = new ArrayList<>(canvas.noteNodes());
        added.addAll(canvas.labelNodes());
        for (JsonObject mine : added) {
            Rect box = CanvasOnDisk.rect(mine);
            for (JsonObject other : canvas.nodes()) {
                if (other == mine) {
                    continue;
                }
                Rect theirs = CanvasOnDisk.rect(other);
                boolean heldByGroup = "group".equals(other.getString("type", "")) && box.inside(theirs);
                assertThat(box.overlaps(theirs) && !heldByGroup)
                        .as("%s overlaps %s", mine.getString("id"), other.getString("id"))
                        .isFalse();
            }
        }
    }

    private static JsonObject replaceNode(JsonObject canvas, JsonObject node) {
        return Json.createObjectBuilder(canvas)
                .add(
                        "nodes",
                        Json.createArrayBuilder(canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                                .map(n -> n.getString("id").equals(node.getString("id")) ? node : n)
                                .toList()))
                .build();
    }

    private static JsonObject json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }
}
