package org.canvasbatch.domain.canvas;

import java.util.Objects;

/** A directed edge between two canvas nodes; {@code label} may be null. */
public record CanvasEdge(String id, String fromNode, String toNode, String label) {
    public CanvasEdge {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fromNode, "fromNode");
        Objects.requireNonNull(toNode, "toNode");
    }

    public boolean touches(String nodeId) {
        return fromNode.equals(nodeId) || toNode.equals(nodeId);
    }

    public String otherEnd(String nodeId) {
        return fromNode.equals(nodeId) ? toNode : fromNode;
    }
}
