package org.canvasbatch.domain.canvas;

import java.util.Objects;

/**
 * One node of a JSON Canvas. {@code text} is set for text nodes, {@code file} for file nodes, {@code url} for link
 * nodes and {@code label} for group nodes; the others are null. {@code color} is null when the node has none.
 */
public record CanvasNode(
        String id,
        String type,
        String text,
        String file,
        String url,
        String label,
        String color,
        double x,
        double y,
        double width,
        double height) {

    public CanvasNode {
        Objects.requireNonNull(id, "id");
        type = type == null ? "text" : type;
    }

    public static CanvasNode text(
            String id, String text, String color, double x, double y, double width, double height) {
        return new CanvasNode(id, "text", text, null, null, null, color, x, y, width, height);
    }

    public boolean isText() {
        return "text".equals(type);
    }

    public boolean isFile() {
        return "file".equals(type);
    }

    public boolean isLink() {
        return "link".equals(type);
    }

    public boolean isGroup() {
        return "group".equals(type);
    }

    /**
     * What a person reads on the node, never null: its text, a file node's file name (without folder and extension,
     * as Obsidian titles it), a link's URL, a group's label.
     */
    public String displayText() {
        if (text != null && !text.isBlank()) {
            return text;
        }
        if (file != null && !file.isBlank()) {
            String name = file.substring(file.lastIndexOf('/') + 1);
            int dot = name.lastIndexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        }
        if (url != null) {
            return url;
        }
        if (label != null) {
            return label;
        }
        return id;
    }

    /**
     * Whether the node has colour {@code wanted}, in any spelling the plugin reads as the same colour: red is "1",
     * "red" or "#ff0000", purple "6", "purple" or "#a855f7" (Obsidian's colour picker writes a custom colour as hex);
     * case does not matter.
     */
    public boolean hasColor(String wanted) {
        return color != null && wanted != null && preset(color).equalsIgnoreCase(preset(wanted));
    }

    /** The preset number of a colour the plugin also knows by another name; any other colour as it is. */
    private static String preset(String color) {
        return switch (color.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "red", "#ff0000" -> "1";
            case "purple", "#a855f7" -> "6";
            default -> color;
        };
    }
}
