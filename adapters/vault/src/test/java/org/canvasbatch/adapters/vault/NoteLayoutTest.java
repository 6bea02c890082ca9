package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.canvasbatch.adapters.vault.CanvasMerge.Link;
import org.canvasbatch.adapters.vault.CanvasMerge.Settings;
import org.canvasbatch.adapters.vault.CanvasOnDisk.Rect;
import org.junit.jupiter.api.Test;

/**
 * What the learner sees of the write-back in Obsidian: each note close to its own question, its label right beside
 * it, and an edge that does not run through other nodes. Before, on the demo's two-row canvas, a note of the first row
 * landed under the second row (its edge across the questions there) and labels a column away from their notes.
 */
class NoteLayoutTest {

    private static final Settings LABELS =
            new Settings(true, ZoneId.of("Asia/Shanghai"), Instant.parse("2026-11-26T12:30:00Z"));
    private static final Instant WRITTEN = Instant.parse("2026-11-26T12:00:00Z");

    /** The demo's 线性代数: two rows of questions 260 px apart, side by side, a yellow note of the learner's above z2. */
    private static final JsonObject TWO_ROWS = json("""
            {"nodes": [
              {"id": "z1", "type": "text", "text": "矩阵的秩和行列式的区别", "x": 0, "y": 0, "width": 320, "height": 70, "color": "1"},
              {"id": "z2", "type": "text", "text": "什么是特征值和特征向量", "x": 380, "y": 0, "width": 320, "height": 70, "color": "1"},
              {"id": "z3", "type": "text", "text": "如何理解线性变换", "x": 760, "y": 0, "width": 320, "height": 70, "color": "6"},
              {"id": "z4", "type": "text", "text": "举例说明矩阵乘法不满足交换律", "x": 1140, "y": 0, "width": 320, "height": 70, "color": "1"},
              {"id": "z5", "type": "text", "text": "怎么记住逆矩阵的求法", "x": 1520, "y": 0, "width": 320, "height": 70, "color": "6"},
              {"id": "z6", "type": "text", "text": "为什么正交矩阵的行列式是正负一", "x": 0, "y": 260, "width": 320, "height": 70, "color": "1"},
              {"id": "z7", "type": "text", "text": "什么是向量空间的基", "x": 380, "y": 260, "width": 320, "height": 70, "color": "1"},
              {"id": "z8", "type": "text", "text": "线性相关和线性无关的对比", "x": 760, "y": 260, "width": 320, "height": 70, "color": "1"},
              {"id": "z9", "type": "text", "text": "深入分析对角化的条件", "x": 1140, "y": 260, "width": 320, "height": 70, "color": "6"},
              {"id": "z10", "type": "text", "text": "什么是秩", "x": 1520, "y": 260, "width": 320, "height": 70, "color": "1"},
              {"id": "y1", "type": "text", "text": "我的理解", "x": 380, "y": -180, "width": 320, "height": 90, "color": "3"}
             ], "edges": []}
            """);

    /** The demo's Cell Biology: three rows of questions 300 px apart inside one group, a file and a note beside. */
    private static final JsonObject GROUPED = json("""
            {"nodes": [
              {"id": "g1", "type": "group", "label": "Cell biology", "x": -40, "y": -240, "width": 1800, "height": 1200},
              {"id": "q1", "type": "text", "text": "What is a cell?", "x": 0, "y": 0, "width": 360, "height": 80, "color": "1"},
              {"id": "q2", "type": "text", "text": "Why a membrane?", "x": 420, "y": 0, "width": 360, "height": 80, "color": "1"},
              {"id": "q3", "type": "text", "text": "What is ATP?", "x": 840, "y": 0, "width": 360, "height": 80, "color": "6"},
              {"id": "q4", "type": "text", "text": "An example of osmosis", "x": 1260, "y": 0, "width": 360, "height": 80, "color": "1"},
              {"id": "q5", "type": "text", "text": "How to understand mitosis", "x": 0, "y": 300, "width": 360, "height": 80, "color": "1"},
              {"id": "q6", "type": "text", "text": "Compare cells", "x": 420, "y": 300, "width": 360, "height": 80, "color": "6"},
              {"id": "q7", "type": "text", "text": "What is photosynthesis?", "x": 840, "y": 300, "width": 360, "height": 80, "color": "1"},
              {"id": "q8", "type": "text", "text": "How can I remember it?", "x": 1260, "y": 300, "width": 360, "height": 80, "color": "6"},
              {"id": "q9", "type": "text", "text": "Why do enzymes stop?", "x": 0, "y": 600, "width": 360, "height": 80, "color": "1"},
              {"id": "q10", "type": "text", "text": "Examples of organelles", "x": 420, "y": 600, "width": 360, "height": 80, "color": "1"},
              {"id": "q11", "type": "text", "text": "Deep analysis", "x": 840, "y": 600, "width": 360, "height": 80, "color": "6"},
              {"id": "q12", "type": "text", "text": "What are stem cells?", "x": 1260, "y": 600, "width": 360, "height": 80, "color": "1"},
              {"id": "u1", "type": "text", "text": "My understanding", "x": 0, "y": -200, "width": 360, "height": 100, "color": "3"},
              {"id": "f1", "type": "file", "file": "notes/Cell energy.md", "x": 1700, "y": 0, "width": 400, "height": 200, "color": "6"},
              {"id": "ok1", "type": "text", "text": "Cell theory", "x": 1700, "y": 300, "width": 360, "height": 80, "color": "4"}
             ], "edges": []}
            """);

    /** A question whose space below is taken by a wide node of the learner's, and a question right of it. */
    private static final JsonObject BELOW_TAKEN = json("""
            {"nodes": [
              {"id": "q", "type": "text", "text": "what is a functor", "x": 0, "y": 0, "width": 400, "height": 100, "color": "1"},
              {"id": "wide", "type": "text", "text": "my summary", "x": -600, "y": 140, "width": 1600, "height": 300},
              {"id": "other", "type": "text", "text": "what is a monad", "x": 1400, "y": 0, "width": 400, "height": 100}
             ], "edges": []}
            """);

    @Test
    void onTwoRowsOfQuestionsEachNoteIsCloseToItsQuestionWithItsLabelAndAnEdgeOverNothing() {
        CanvasOnDisk merged = mergeAll(TWO_ROWS, "z1", "z2", "z3", "z4", "z5", "z6", "z7", "z8", "z9", "z10");

        assertReadable(merged, 260, 0);
    }

    @Test
    void inAGroupOfThreeRowsEachNoteIsCloseToItsQuestionWithItsLabelAndAnEdgeOverNothing() {
        CanvasOnDisk merged =
                mergeAll(GROUPED, "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11", "q12", "f1");

        // 13 cards of note and label (860 px wide) for questions 420 px apart, 220 px between rows: not all fit right
        // by their question; the last ones may go further, one edge may cross a node where no place nearby is left
        assertReadable(merged, 520, 1);
    }

    @Test
    void whenTheSpaceBelowIsTakenTheNoteGoesBesideItsQuestion() {
        CanvasOnDisk merged = mergeAll(BELOW_TAKEN, "q");

        assertReadable(merged, 60, 0);
        JsonObject note = merged.noteNodes().getFirst();
        assertThat(CanvasOnDisk.rect(note).y())
                .as("beside the question, not below the learner's wide node")
                .isLessThan(140);
    }

    @Test
    void aSecondMergeOfTheSameLinksAddsNothing() {
        List<Link> links = links(TWO_ROWS, "z1", "z2", "z6", "z7");
        JsonObject once = CanvasMerge.merge(TWO_ROWS, links, LABELS).canvas();

        CanvasMerge.Result again = CanvasMerge.merge(
                once,
                links.stream()
                        .map(l -> new Link(l.sourceNodeId(), l.notePath(), l.agent(), null))
                        .toList(),
                LABELS);

        assertThat(again.changed()).isFalse();
    }

    /**
     * A canvas's numbers may be beyond a double's range ({@code 1e400} is read as infinity): a question placed there,
     * or a node of the learner's that size, still gets its note and label at finite places, and the other questions
     * theirs close by. Before, the merge threw a NullPointerException (no place had a finite cost), and the whole
     * write-back of the canvas failed.
     */
    @Test
    void aCanvasWithNumbersBeyondADoublesRangeStillGetsItsNotesAtFinitePlaces() {
        JsonObject hostile = json("""
                {"nodes": [
                  {"id": "far", "type": "text", "text": "what is a functor", "x": 1e400, "y": 0, "width": 400, "height": 100, "color": "1"},
                  {"id": "huge", "type": "text", "text": "what is a monad", "x": 0, "y": 0, "width": 1e400, "height": 1e400, "color": "1"},
                  {"id": "q", "type": "text", "text": "what is a category", "x": -2000, "y": -2000, "width": 400, "height": 100, "color": "1"}
                 ], "edges": []}
                """);

        CanvasOnDisk merged = mergeAll(hostile, "far", "huge", "q");

        assertThat(merged.noteNodes()).hasSize(3);
        for (JsonObject node : merged.root().getJsonArray("nodes").getValuesAs(JsonObject.class)) {
            for (String field : List.of("x", "y", "width", "height")) {
                if (node.getString("id").startsWith("cb-")) {
                    assertThat(Math.abs(node.getJsonNumber(field).doubleValue()))
                            .as(node.getString("id") + "'s " + field)
                            .isLessThan(1e9);
                }
            }
        }
    }

    private static CanvasOnDisk mergeAll(JsonObject canvas, String... sources) {
        return new CanvasOnDisk(
                CanvasMerge.merge(canvas, links(canvas, sources), LABELS).canvas());
    }

    private static List<Link> links(JsonObject canvas, String... sources) {
        List<Link> links = new ArrayList<>();
        for (String source : sources) {
            links.add(new Link(source, "notes/" + source + ".md", "oral-explanation", WRITTEN));
        }
        return links;
    }

    /**
     * Every note within {@code maxGap} px of its question, its label touching distance from it, the edge's straight
     * segment (side middle to side middle, as Obsidian joins it) through no other node (but on so many edges), and
     * nothing overlapping; half the notes or more right by their question (within 60 px).
     */
    private static void assertReadable(CanvasOnDisk canvas, double maxGap, int crossingEdgesAllowed) {
        Map<String, JsonObject> byId =
                canvas.nodes().stream().collect(Collectors.toMap(n -> n.getString("id"), Function.identity()));
        List<String> problems = new ArrayList<>();
        List<String> crossing = new ArrayList<>();
        List<Double> gaps = new ArrayList<>();
        for (JsonObject edge : canvas.noteEdges()) {
            JsonObject question = byId.get(edge.getString("fromNode"));
            JsonObject note = byId.get(edge.getString("toNode"));
            Rect q = CanvasOnDisk.rect(question);
            Rect n = CanvasOnDisk.rect(note);
            String who = question.getString("id");
            gaps.add(gap(q, n));
            if (gap(q, n) > maxGap) {
                problems.add(who + ": note " + Math.round(gap(q, n)) + " px from its question");
            }
            JsonObject label = byId.get(note.getString("id").replace("cb-note-", "cb-label-"));
            if (label == null) {
                problems.add(who + ": no label");
            } else if (gap(CanvasOnDisk.rect(label), n) > NotePlacement.GAP_BESIDE) {
                problems.add(who + ": label " + Math.round(gap(CanvasOnDisk.rect(label), n)) + " px from its note");
            }
            double[] from = side(q, edge.getString("fromSide", "right"));
            double[] to = side(n, edge.getString("toSide", "left"));
            for (JsonObject other : canvas.nodes()) {
                if (other != question && other != note && !"group".equals(other.getString("type", ""))) {
                    Rect o = CanvasOnDisk.rect(other);
                    if (crossedBy(o, from, to)) {
                        crossing.add(who + ": edge crosses " + other.getString("id"));
                    }
                }
            }
        }
        List<JsonObject> added = new ArrayList<>(canvas.noteNodes());
        added.addAll(canvas.labelNodes());
        for (JsonObject mine : added) {
            Rect box = CanvasOnDisk.rect(mine);
            for (JsonObject other : canvas.nodes()) {
                Rect theirs = CanvasOnDisk.rect(other);
                boolean heldByGroup = "group".equals(other.getString("type", "")) && box.inside(theirs);
                if (other != mine && box.overlaps(theirs) && !heldByGroup) {
                    problems.add(mine.getString("id") + " overlaps " + other.getString("id"));
                }
            }
        }
        if (crossing.stream().map(c -> c.split(":")[0]).distinct().count() > crossingEdgesAllowed) {
            problems.addAll(crossing);
        }
        gaps.sort(null);
        if (gaps.get(gaps.size() / 2) > 60) {
            problems.add("median note " + Math.round(gaps.get(gaps.size() / 2)) + " px from its question");
        }
        assertThat(problems).isEmpty();
    }

    private static double gap(Rect a, Rect b) {
        double dx = Math.max(0, Math.max(b.x() - (a.x() + a.width()), a.x() - (b.x() + b.width())));
        double dy = Math.max(0, Math.max(b.y() - (a.y() + a.height()), a.y() - (b.y() + b.height())));
        return Math.hypot(dx, dy);
    }

    private static double[] side(Rect r, String side) {
        return switch (side) {
            case "top" -> new double[] {r.x() + r.width() / 2, r.y()};
            case "bottom" -> new double[] {r.x() + r.width() / 2, r.y() + r.height()};
            case "left" -> new double[] {r.x(), r.y() + r.height() / 2};
            default -> new double[] {r.x() + r.width(), r.y() + r.height() / 2};
        };
    }

    /** Whether the straight segment passes through the inside of the box (touching its border is not crossing). */
    private static boolean crossedBy(Rect box, double[] from, double[] to) {
        double dx = to[0] - from[0];
        double dy = to[1] - from[1];
        double enter = 0;
        double leave = 1;
        double[][] sides = {
            {-dx, from[0] - box.x()},
            {dx, box.x() + box.width() - from[0]},
            {-dy, from[1] - box.y()},
            {dy, box.y() + box.height() - from[1]}
        };
        for (double[] side : sides) {
            if (side[0] == 0) {
                if (side[1] <= 0) {
                    return false;
                }
            } else if (side[0] < 0) {
                enter = Math.max(enter, side[1] / side[0]);
            } else {
                leave = Math.min(leave, side[1] / side[0]);
            }
        }
        return enter < leave - 1e-9;
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }
}
