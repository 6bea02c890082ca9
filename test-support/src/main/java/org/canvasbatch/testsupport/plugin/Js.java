package org.canvasbatch.testsupport.plugin;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/** What the plugin's JavaScript makes of JSON values: truthiness, {@code ||} defaults, Map keys, number printing. */
final class Js {

    private Js() {}

    /**
     * A JSON value as a key of the plugin's {@code Map}s ({@code Map.get(data.group_id)}, SameValueZero): numbers by
     * value ({@code 1} and {@code 1.0} are one key), strings by text; anything else matches nothing it did not come from.
     */
    static Object key(JsonValue value) {
        if (value == null) {
            return Undefined.INSTANCE;
        }
        return switch (value.getValueType()) {
            case NUMBER -> ((JsonNumber) value).doubleValue();
            case STRING -> ((JsonString) value).getString();
            default -> value;
        };
    }

    /** {@code Number(String(key))}: how a status card finds its group again (§2.4 of the client document). */
    static Object cardKey(Object key) {
        if (key instanceof Double) {
            return key;
        }
        if (key instanceof String text) {
            try {
                return text.isBlank() ? 0.0 : Double.parseDouble(text.strip());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** {@code o.name || 0} for a number. */
    static double numberOrZero(JsonObject o, String name) {
        double value = number(o, name);
        return Double.isNaN(value) ? 0 : value;
    }

    /** {@code o.name} used as a number: absent (undefined) or not a number counts as NaN. */
    static double number(JsonObject o, String name) {
        JsonValue value = o == null ? null : o.get(name);
        if (value instanceof JsonNumber number) {
            return number.doubleValue();
        }
        return Double.NaN;
    }

    /** {@code o.name || fallback} for a string: absent, null, empty or not a string gives the fallback. */
    static String stringOr(JsonObject o, String name, String fallback) {
        JsonValue value = o == null ? null : o.get(name);
        if (value instanceof JsonString text && !text.getString().isEmpty()) {
            return text.getString();
        }
        if (value instanceof JsonNumber number) {
            return print(number.doubleValue());
        }
        return fallback;
    }

    /** {@code String(x)} of a JavaScript number. */
    static String print(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e21) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    /** {@code text.substring(0, max - 3) + '...'} when longer than {@code max}: the modals' {@code truncateText}. */
    static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    /** JavaScript's {@code undefined} as a Map key: equal only to itself. */
    enum Undefined {
        INSTANCE
    }
}
