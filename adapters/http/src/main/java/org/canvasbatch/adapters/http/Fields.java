package org.canvasbatch.adapters.http;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;

/**
 * Typed reads of a request object that collect every wrong type instead of stopping at the first, so a 422 names all
 * the fields to fix. {@code null} counts as absent: callers written in other languages send it for "not given".
 */
final class Fields {

    private static final int MAX_ERRORS = 20;

    private final JsonObject json;
    private final String prefix;
    private final List<FieldError> errors;

    Fields(JsonObject json) {
        this(json, "", new ArrayList<>());
    }

    private Fields(JsonObject json, String prefix, List<FieldError> errors) {
        this.json = json;
        this.prefix = prefix;
        this.errors = errors;
    }

    /** The fields of a nested object, reporting into the same error list under {@code parent.}. */
    Optional<Fields> object(String name) {
        return value(name).flatMap(v -> {
            if (v.getValueType() != JsonValue.ValueType.OBJECT) {
                return wrongType(name, "an object", v);
            }
            return Optional.of(new Fields(v.asJsonObject(), path(name) + ".", errors));
        });
    }

    /** A nested object found elsewhere (an array item), reporting under {@code field}. */
    Fields nested(JsonObject object, String field) {
        return new Fields(object, field + ".", errors);
    }

    boolean has(String name) {
        return value(name).isPresent();
    }

    Optional<String> string(String name) {
        return value(name)
                .flatMap(v -> v instanceof JsonString s ? Optional.of(s.getString()) : wrongType(name, "a string", v));
    }

    /** A string, or a number taken as its decimal text (ids that some callers send as numbers). */
    Optional<String> stringOrNumber(String name) {
        return value(name).flatMap(v -> switch (v) {
            case JsonString s -> Optional.of(s.getString());
            case JsonNumber n ->
                Optional.of(n.isIntegral() ? n.bigIntegerValue().toString() : n.toString());
            default -> wrongType(name, "a string", v);
        });
    }

    Optional<Integer> integer(String name) {
        return value(name).flatMap(v -> {
            if (v instanceof JsonNumber n && n.isIntegral()) {
                try {
                    return Optional.of(n.intValueExact());
                } catch (ArithmeticException e) {
                    return problem(name, "is out of range: " + n);
                }
            }
            return wrongType(name, "a whole number", v);
        });
    }

    /** Seconds, whole or not, as a duration. */
    Optional<Duration> seconds(String name) {
        return value(name).flatMap(v -> {
            if (v instanceof JsonNumber n) {
                double seconds = n.doubleValue();
                if (!Double.isFinite(seconds) || Math.abs(seconds) > 1e9) {
                    return problem(name, "is out of range: " + n);
                }
                return Optional.of(Duration.ofMillis(Math.round(seconds * 1000)));
            }
            return wrongType(name, "a number of seconds", v);
        });
    }

    Optional<Double> number(String name) {
        return value(name)
                .flatMap(
                        v -> v instanceof JsonNumber n ? Optional.of(n.doubleValue()) : wrongType(name, "a number", v));
    }

    /** A number if it is one, else 0, without complaint: for values that are only hints. */
    double numberOrZero(String name) {
        return json.get(name) instanceof JsonNumber n && Double.isFinite(n.doubleValue()) ? n.doubleValue() : 0;
    }

    Optional<Boolean> bool(String name) {
        return value(name).flatMap(v -> switch (v.getValueType()) {
            case TRUE -> Optional.of(true);
            case FALSE -> Optional.of(false);
            default -> wrongType(name, "true or false", v);
        });
    }

    Optional<JsonArray> array(String name) {
        return value(name)
                .flatMap(v -> v.getValueType() == JsonValue.ValueType.ARRAY
                        ? Optional.of(v.asJsonArray())
                        : wrongType(name, "an array", v));
    }

    /** A list of strings; items of another type are reported one by one. */
    Optional<List<String>> strings(String name) {
        return array(name).map(array -> {
            List<String> values = new ArrayList<>(array.size());
            for (int i = 0; i < array.size(); i++) {
                JsonValue item = array.get(i);
                if (item instanceof JsonString s) {
                    values.add(s.getString());
                } else if (item instanceof JsonNumber n && n.isIntegral()) {
                    values.add(n.bigIntegerValue().toString());
                } else {
                    problem(name + "[" + i + "]", "must be a string, not " + describe(item));
                }
            }
            return values;
        });
    }

    /** Records a problem with a field of this object. Always empty, to end an Optional chain. */
    <T> Optional<T> problem(String name, String message) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(new FieldError(path(name), message));
        }
        return Optional.empty();
    }

    boolean valid() {
        return errors.isEmpty();
    }

    /** Throws the 422 for everything collected so far, if anything was. */
    void requireValid() {
        if (!errors.isEmpty()) {
            throw ApiProblem.invalid(errors);
        }
    }

    String path(String name) {
        return prefix + name;
    }

    private Optional<JsonValue> value(String name) {
        JsonValue value = json.get(name);
        return value == null || value.getValueType() == JsonValue.ValueType.NULL
                ? Optional.empty()
                : Optional.of(value);
    }

    private <T> Optional<T> wrongType(String name, String expected, JsonValue actual) {
        return problem(name, "must be " + expected + ", not " + describe(actual));
    }

    static String describe(JsonValue value) {
        return switch (value.getValueType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case TRUE, FALSE -> "a boolean";
            case NULL -> "null";
        };
    }
}
