package org.canvasbatch.adapters.vault;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes JSON the way Obsidian saves a canvas ({@code JSON.stringify(canvas, null, "\t")}), so that a write-back
 * changes only the lines it adds in a vault kept under version control. Numbers are written as they were read.
 */
final class CanvasJsonWriter {

    private CanvasJsonWriter() {}

    static String write(JsonValue value) {
        StringBuilder out = new StringBuilder(4096);
        write(value, out, 0);
        return out.toString();
    }

    private static void write(JsonValue value, StringBuilder out, int depth) {
        switch (value.getValueType()) {
            case OBJECT -> writeObject((JsonObject) value, out, depth);
            case ARRAY -> writeArray((JsonArray) value, out, depth);
            case STRING -> quote(((JsonString) value).getString(), out);
            default -> out.append(value);
        }
    }

    private static void writeObject(JsonObject object, StringBuilder out, int depth) {
        if (object.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append('{');
        Iterator<Map.Entry<String, JsonValue>> entries = object.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<String, JsonValue> entry = entries.next();
            newline(out, depth + 1);
            quote(entry.getKey(), out);
            out.append(": ");
            write(entry.getValue(), out, depth + 1);
            if (entries.hasNext()) {
                out.append(',');
            }
        }
        newline(out, depth);
        out.append('}');
    }

    private static void writeArray(JsonArray array, StringBuilder out, int depth) {
        if (array.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < array.size(); i++) {
            newline(out, depth + 1);
            write(array.get(i), out, depth + 1);
            if (i < array.size() - 1) {
                out.append(',');
            }
        }
        newline(out, depth);
        out.append(']');
    }

    private static void newline(StringBuilder out, int depth) {
        out.append('\n');
        out.repeat('\t', depth);
    }

    private static void quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    boolean loneSurrogate = Character.isSurrogate(c) && !pairedAt(text, i);
                    if (c < 0x20 || loneSurrogate) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c)) {
                        out.append(c).append(text.charAt(++i));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean pairedAt(String text, int i) {
        char c = text.charAt(i);
        return Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
    }
}
