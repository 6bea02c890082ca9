package org.canvasbatch.adapters.vault;

import static org.canvasbatch.adapters.vault.CanvasFile.invalid;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.canvasbatch.application.port.in.BatchLimits;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasEdge;
import org.canvasbatch.domain.canvas.CanvasNode;

/**
 * JSON Canvas 1.0 to the domain's {@link Canvas}. Strict where a mistake would mislead the batch (ids, edges that point
 * nowhere), lenient where Obsidian itself is (missing colour or size, numbers written as integers or decimals, node
 * types it does not know).
 */
final class CanvasModel {

    /** The longest node id (CONTRACT §1): a longer one in a file is damage, never taken as an id. */
    static final int MAX_ID_CHARS = 200;

    private CanvasModel() {}

    /**
     * The canvas for a batch. One with more nodes than a session may hold ({@link BatchLimits#MAX_NODES}, CONTRACT §1)
     * is refused before any work starts.
     */
    static Canvas toCanvas(CanvasFile canvas) {
        String path = canvas.path();
        if (canvas.nodes().size() > BatchLimits.MAX_NODES) {
            throw new VaultException(
                    VaultException.Reason.TOO_LARGE,
                    path,
                    "The canvas '" + path + "' has " + canvas.nodes().size() + " nodes, more than the limit of "
                            + BatchLimits.MAX_NODES + " a batch can take.");
        }
        return read(canvas, canvas.nodes().size(), true);
    }

    /**
     * The canvas as material to quote: the learner's writing on a canvas too large for a batch is still theirs, so its
     * first {@link BatchLimits#MAX_NODES} nodes are read (the canvas's size in bytes bounds the work already); past the
     * limit its edges are left out, since they may join nodes that were not read, and a quote needs none.
     */
    static Canvas forPassages(CanvasFile canvas) {
        int nodes = canvas.nodes().size();
        return read(canvas, Math.min(nodes, BatchLimits.MAX_NODES), nodes <= BatchLimits.MAX_NODES);
    }

    private static Canvas read(CanvasFile canvas, int nodeCount, boolean withEdges) {
        String path = canvas.path();
        List<CanvasNode> nodes = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int position = 0;
        for (JsonValue value : canvas.nodes().subList(0, nodeCount)) {
            position++;
            if (!(value instanceof JsonObject node)) {
                throw invalid(
                        path,
                        "The canvas '" + path + "' has a node that is " + CanvasFile.kind(value)
                                + " instead of an object (node #" + position + ").");
            }
            String id = string(node, "id");
            if (id == null || id.isBlank()) {
                throw invalid(path, "The canvas '" + path + "' has a node without an id (node #" + position + ").");
            }
            if (id.length() > MAX_ID_CHARS) {
                throw invalid(
                        path,
                        "The canvas '" + path + "' has a node id " + id.length() + " characters long (node #" + position
                                + "); node ids have at most " + MAX_ID_CHARS + " characters.");
            }
            if (!ids.add(id)) {
                throw invalid(path, "The canvas '" + path + "' has more than one node with the id '" + id + "'.");
            }
            nodes.add(new CanvasNode(
                    id,
                    string(node, "type"),
                    string(node, "text"),
                    string(node, "file"),
                    string(node, "url"),
                    string(node, "label"),
                    string(node, "color"),
                    number(node, "x"),
                    number(node, "y"),
                    number(node, "width"),
                    number(node, "height")));
        }
        List<CanvasEdge> edges = new ArrayList<>();
        position = 0;
        for (JsonValue value : withEdges ? canvas.edges() : List.<JsonValue>of()) {
            position++;
            if (!(value instanceof JsonObject edge)) {
                throw invalid(
                        path,
                        "The canvas '" + path + "' has an edge that is " + CanvasFile.kind(value)
                                + " instead of an object (edge #" + position + ").");
            }
            String id = string(edge, "id");
            if (id == null || id.isBlank()) {
                throw invalid(path, "The canvas '" + path + "' has an edge without an id (edge #" + position + ").");
            }
            String from = string(edge, "fromNode");
            String to = string(edge, "toNode");
            for (String end : new String[] {from, to}) {
                if (end == null) {
                    throw invalid(
                            path,
                            "The canvas '" + path + "' has an edge '" + id
                                    + "' that does not say which nodes it joins.");
                }
                if (!ids.contains(end)) {
                    throw invalid(
                            path,
                            "The canvas '" + path + "' has an edge '" + id + "' to the node '" + end
                                    + "', which is not in the canvas.");
                }
            }
            edges.add(new CanvasEdge(id, from, to, string(edge, "label")));
        }
        return new Canvas(path, nodes, edges);
    }

    /** A string field; a number where a string belongs (some tools write colours that way) is taken as its text. */
    static String string(JsonObject object, String field) {
        JsonValue value = object.get(field);
        if (value instanceof JsonString s) {
            return s.getString();
        }
        if (value instanceof JsonNumber n) {
            return n.toString();
        }
        return null;
    }

    static double number(JsonObject object, String field) {
        return object.get(field) instanceof JsonNumber n ? n.doubleValue() : 0;
    }
}
