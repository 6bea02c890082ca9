package org.canvasbatch.domain.grouping;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasEdge;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.fixtures.AdjustedRandIndex;
import org.canvasbatch.fixtures.FixtureCanvas;
import org.canvasbatch.fixtures.FixtureVault;

/** The labelled grouping canvases of the fixture vault as the domain sees them, and how well a grouping matches. */
final class LabelledCanvases {

    /** Red and purple: the question colours the plugin selects. */
    static final Set<String> QUESTION_COLOURS = Set.of("1", "6");

    private LabelledCanvases() {}

    static Canvas canvas(String path) {
        FixtureCanvas fixture = FixtureCanvas.read(path);
        List<CanvasNode> nodes = fixture.nodes().stream()
                .map(n -> new CanvasNode(
                        n.id(),
                        n.type(),
                        n.text(),
                        n.file(),
                        n.url(),
                        n.label(),
                        n.color(),
                        n.x(),
                        n.y(),
                        n.width(),
                        n.height()))
                .toList();
        List<CanvasEdge> edges = fixture.edges().stream()
                .map(e -> new CanvasEdge(e.id(), e.fromNode(), e.toNode(), e.label()))
                .toList();
        return new Canvas(path, nodes, edges);
    }

    /** What analyze sees: the question nodes and, since the canvas is in the vault, the canvas itself. */
    static GroupingInput fromVault(String path) {
        Canvas canvas = canvas(path);
        return GroupingInput.ofNodes(canvas.nodesColored(QUESTION_COLOURS), Optional.of(canvas));
    }

    /** What the plugin sends when the canvas cannot be read: the question nodes alone, with their rectangles. */
    static GroupingInput fromPluginOnly(String path) {
        return GroupingInput.ofNodes(canvas(path).nodesColored(QUESTION_COLOURS), Optional.empty());
    }

    static double adjustedRandIndex(String path, GroupingInput input, GroupingResult result) {
        Map<String, String> truth = FixtureVault.trueTopics(path);
        String[] found = new String[input.texts().size()];
        for (int g = 0; g < result.clusters().size(); g++) {
            for (int member : result.clusters().get(g).members()) {
                found[member] = "group-" + g;
            }
        }
        List<String> truthInOrder =
                input.questions().stream().map(q -> truth.get(q.id())).toList();
        return AdjustedRandIndex.of(truthInOrder, List.of(found));
    }
}
