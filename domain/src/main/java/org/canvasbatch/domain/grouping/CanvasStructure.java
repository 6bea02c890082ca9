package org.canvasbatch.domain.grouping;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasEdge;
import org.canvasbatch.domain.canvas.CanvasNode;

/**
 * What the learner built around the questions, read from the canvas: which labelled canvas group each question sits
 * in (by geometry, the innermost group whose rectangle holds the question's centre), which questions and yellow notes
 * each one is joined to by edges, and which questions sit together in a region of the canvas set apart by empty
 * space. Each of these is a deliberate act of the learner and says more about topics than any word can.
 */
final class CanvasStructure {

    /** Per question, the index of its canvas group in {@link #groupLabels}, or -1. */
    final int[] canvasGroup;
    /** Per canvas group that holds a question, its label ("" when it has none), in order of first question. */
    final List<String> groupLabels;
    /** Per question, the ids it is joined to by edges and its own id, empty when it has no edge. */
    final List<List<String>> anchors;
    /** Per question, the texts of the learner's yellow notes joined to it by an edge. */
    final List<List<String>> attachedNotes;
    /** Per question, its spatial region, or -1 (alone, no geometry, or no region structure on this canvas). */
    final int[] region;

    private CanvasStructure(
            int[] canvasGroup,
            List<String> groupLabels,
            List<List<String>> anchors,
            List<List<String>> attachedNotes,
            int[] region) {
        this.canvasGroup = canvasGroup;
        this.groupLabels = groupLabels;
        this.anchors = anchors;
        this.attachedNotes = attachedNotes;
        this.region = region;
    }

    static CanvasStructure of(GroupingInput input) {
        int n = input.texts().size();
        List<CanvasNode> questions = input.questions();
        if (questions.isEmpty()) {
            int[] none = new int[n];
            Arrays.fill(none, -1);
            return new CanvasStructure(none, List.of(), empty(n), empty(n), none.clone());
        }
        Map<String, CanvasNode> stored = new HashMap<>();
        input.canvas().ifPresent(canvas -> canvas.nodes().forEach(node -> stored.putIfAbsent(node.id(), node)));
        // The stored canvas knows where a node is now; the request's copy may be older.
        List<CanvasNode> placed =
                questions.stream().map(q -> stored.getOrDefault(q.id(), q)).toList();
        List<String> labels = new ArrayList<>();
        int[] groups = canvasGroups(placed, input.canvas().map(Canvas::nodes).orElse(List.of()), labels);
        List<List<String>> anchors = empty(n);
        List<List<String>> notes = empty(n);
        input.canvas().ifPresent(canvas -> links(questions, canvas, stored, anchors, notes));
        return new CanvasStructure(groups, List.copyOf(labels), anchors, notes, SpatialRegions.of(placed));
    }

    private static List<List<String>> empty(int n) {
        List<List<String>> lists = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lists.add(List.of());
        }
        return lists;
    }

    boolean hasCanvasGroups() {
        return !groupLabels.isEmpty();
    }

    int questionsInCanvasGroups() {
        return (int) Arrays.stream(canvasGroup).filter(g -> g >= 0).count();
    }

    boolean hasLinks() {
        return anchors.stream().anyMatch(a -> !a.isEmpty());
    }

    boolean hasRegions() {
        return Arrays.stream(region).anyMatch(r -> r >= 0);
    }

    private static boolean hasArea(CanvasNode node) {
        return node.width() > 0 && node.height() > 0;
    }

    private static int[] canvasGroups(List<CanvasNode> questions, List<CanvasNode> canvasNodes, List<String> labels) {
        int[] result = new int[questions.size()];
        Arrays.fill(result, -1);
        List<CanvasNode> groups = canvasNodes.stream()
                .filter(CanvasNode::isGroup)
                .filter(CanvasStructure::hasArea)
                .toList();
        if (groups.isEmpty()) {
            return result;
        }
        Map<CanvasNode, Integer> order = new LinkedHashMap<>();
        for (int i = 0; i < questions.size(); i++) {
            CanvasNode question = questions.get(i);
            if (!hasArea(question)) {
                continue;
            }
            double cx = question.x() + question.width() / 2;
            double cy = question.y() + question.height() / 2;
            CanvasNode innermost = null;
            for (CanvasNode group : groups) {
                boolean inside = cx >= group.x()
                        && cx <= group.x() + group.width()
                        && cy >= group.y()
                        && cy <= group.y() + group.height();
                if (inside
                        && !group.id().equals(question.id())
                        && (innermost == null
                                || group.width() * group.height() < innermost.width() * innermost.height())) {
                    innermost = group;
                }
            }
            if (innermost != null) {
                CanvasNode group = innermost;
                result[i] = order.computeIfAbsent(group, g -> {
                    labels.add(g.label() == null ? "" : g.label().strip());
                    return labels.size() - 1;
                });
            }
        }
        return result;
    }

    /** The connected sets of questions, through edges between them and notes they share: a label per question. */
    private static int[] components(List<Set<String>> joined, Map<String, Integer> index) {
        int n = joined.size();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        Map<String, Integer> firstWithNote = new HashMap<>();
        for (int i = 0; i < n; i++) {
            for (String other : joined.get(i)) {
                Integer j = index.get(other);
                if (j == null) {
                    j = firstWithNote.putIfAbsent(other, i);
                }
                if (j != null) {
                    parent[root(parent, i)] = root(parent, j);
                }
            }
        }
        int[] component = new int[n];
        for (int i = 0; i < n; i++) {
            component[i] = root(parent, i);
        }
        return component;
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void links(
            List<CanvasNode> questions,
            Canvas canvas,
            Map<String, CanvasNode> stored,
            List<List<String>> anchors,
            List<List<String>> notes) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < questions.size(); i++) {
            index.putIfAbsent(questions.get(i).id(), i);
        }
        List<Set<String>> joined = new ArrayList<>();
        List<Set<String>> noteTexts = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            joined.add(new LinkedHashSet<>());
            noteTexts.add(new LinkedHashSet<>());
        }
        for (CanvasEdge edge : canvas.edges()) {
            Integer from = index.get(edge.fromNode());
            Integer to = index.get(edge.toNode());
            if (from != null && to != null && !from.equals(to)) {
                joined.get(from).add(edge.toNode());
                joined.get(to).add(edge.fromNode());
            } else if (from != null || to != null) {
                int question = from != null ? from : to;
                CanvasNode other = stored.get(from != null ? edge.toNode() : edge.fromNode());
                if (other != null && other.hasColor(Canvas.UNDERSTANDING_COLOR) && index.get(other.id()) == null) {
                    joined.get(question).add(other.id());
                    noteTexts.get(question).add(other.displayText());
                }
            }
        }
        int[] component = components(joined, index);
        int[] componentSize = new int[questions.size()];
        for (int c : component) {
            componentSize[c]++;
        }
        for (int i = 0; i < questions.size(); i++) {
            if (!joined.get(i).isEmpty()) {
                List<String> own = new ArrayList<>(joined.get(i));
                own.add(questions.get(i).id());
                // A chain a-b-c-d makes a and d strangers by their neighbours alone; the chain they share joins them.
                // A web that holds most of the canvas (a mind map around one centre) says nothing of topics.
                if (componentSize[component[i]] * 2 <= questions.size()) {
                    own.add("\u0000chain " + component[i]);
                }
                anchors.set(i, List.copyOf(own));
                notes.set(i, List.copyOf(noteTexts.get(i)));
            }
        }
    }
}
