package org.canvasbatch.domain.canvas;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A canvas as the core sees it: its vault-relative path, nodes in file order, and edges. */
public record Canvas(String path, List<CanvasNode> nodes, List<CanvasEdge> edges) {

    /** Obsidian's preset colour of the learner's own understanding (yellow). */
    public static final String UNDERSTANDING_COLOR = "3";

    public Canvas {
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
    }

    public Optional<CanvasNode> node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    /** Nodes whose colour is exactly one of {@code colors}, in canvas order. */
    public List<CanvasNode> nodesColored(Set<String> colors) {
        return nodes.stream()
                .filter(n -> n.color() != null && colors.stream().anyMatch(n::hasColor))
                .toList();
    }

    /** The texts of yellow nodes joined to {@code nodeId} by an edge in either direction: the learner's own words. */
    public List<String> understandingNextTo(String nodeId) {
        return edges.stream()
                .filter(e -> e.touches(nodeId))
                .map(e -> e.otherEnd(nodeId))
                .distinct()
                .flatMap(id -> node(id).stream())
                .filter(n -> n.hasColor(UNDERSTANDING_COLOR))
                .map(CanvasNode::displayText)
                .toList();
    }

    /** The file name without folder and extension, e.g. {@code 离散数学} for {@code 数学/离散数学.canvas}. */
    public String name() {
        return baseName(path);
    }

    public static String baseName(String canvasPath) {
        String file = canvasPath.substring(canvasPath.lastIndexOf('/') + 1);
        return file.endsWith(".canvas") ? file.substring(0, file.length() - ".canvas".length()) : file;
    }
}
