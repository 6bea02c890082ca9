package org.canvasbatch.adapters.vault;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a canvas file the way a test checks it: as plain JSON, independently of the vault's own reader. */
record CanvasOnDisk(JsonObject root) {

    /**
     * The learner deletes, in Obsidian, the card of a note the write-back linked (its file node, its edge and its
     * label) and saves the canvas in place.
     */
    static void learnerDeletesCardOf(Path canvasFile, String notePath) throws IOException {
        CanvasOnDisk now = read(canvasFile);
        String cardId = now.notesPointingAt(notePath).getFirst().getString("id");
        String labelId = cardId.replace("cb-note-", "cb-label-");
        var nodes = Json.createArrayBuilder();
        now.nodes().stream()
                .filter(n ->
                        !n.getString("id").equals(cardId) && !n.getString("id").equals(labelId))
                .forEach(nodes::add);
        var edges = Json.createArrayBuilder();
        now.edges().stream()
                .filter(e -> !cardId.equals(e.getString("toNode", null)))
                .forEach(edges::add);
        JsonObject saved = Json.createObjectBuilder(now.root())
                .add("nodes", nodes)
                .add("edges", edges)
                .build();
        Files.writeString(canvasFile, saved.toString());
    }

    static CanvasOnDisk read(Path file) {
        try (JsonReader reader = Json.createReader(new StringReader(Files.readString(file, StandardCharsets.UTF_8)))) {
            return new CanvasOnDisk(reader.readObject());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<JsonObject> nodes() {
        return root.containsKey("nodes") ? root.getJsonArray("nodes").getValuesAs(JsonObject.class) : List.of();
    }

    List<JsonObject> edges() {
        return root.containsKey("edges") ? root.getJsonArray("edges").getValuesAs(JsonObject.class) : List.of();
    }

    List<JsonObject> noteNodes() {
        return nodes().stream()
                .filter(n -> n.getString("id").startsWith("cb-note-"))
                .toList();
    }

    List<JsonObject> labelNodes() {
        return nodes().stream()
                .filter(n -> n.getString("id").startsWith("cb-label-"))
                .toList();
    }

    List<JsonObject> noteEdges() {
        return edges().stream()
                .filter(e -> e.getString("id").startsWith("cb-edge-"))
                .toList();
    }

    JsonObject node(String id) {
        return nodes().stream()
                .filter(n -> n.getString("id").equals(id))
                .findFirst()
                .orElseThrow();
    }

    List<JsonObject> notesPointingAt(String notePath) {
        return nodes().stream()
                .filter(n -> notePath.equals(n.getString("file", null)))
                .toList();
    }

    List<JsonObject> edgesBetween(String from, String to) {
        return edges().stream()
                .filter(e -> e.getString("fromNode").equals(from)
                        && e.getString("toNode").equals(to))
                .toList();
    }

    static Rect rect(JsonObject node) {
        return new Rect(number(node, "x"), number(node, "y"), number(node, "width"), number(node, "height"));
    }

    private static double number(JsonObject node, String field) {
        JsonValue value = node.get(field);
        return value == null ? 0 : node.getJsonNumber(field).doubleValue();
    }

    record Rect(double x, double y, double width, double height) {

        boolean overlaps(Rect other) {
            return x < other.x + other.width
                    && other.x < x + width
                    && y < other.y + other.height
                    && other.y < y + height;
        }

        boolean inside(Rect other) {
            return x >= other.x
                    && y >= other.y
                    && x + width <= other.x + other.width
                    && y + height <= other.y + other.height;
        }
    }
}
