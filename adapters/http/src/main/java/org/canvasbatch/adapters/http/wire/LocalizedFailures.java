package org.canvasbatch.adapters.http.wire;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Set;
import org.canvasbatch.adapters.http.text.FailureReasons;
import org.canvasbatch.adapters.http.text.Language;

/**
 * A message or a status with its nodes' failure reasons in the reader's language ({@link FailureReasons}). (plugin) Its
 * summary lists each failed node with {@code node_results[].error}, from {@code session_completed} or the terminal poll,
 * inside a Chinese interface. Messages are rendered once per event for every socket, so a reader of another language
 * gets a copy: made only where a reason changes, the same object otherwise.
 */
public final class LocalizedFailures {

    /** The messages that can carry a reason: every other type is passed through without a look. */
    private static final Set<String> WITH_REASONS =
            Set.of("task_failed", "task_retrying", "session_completed", "error", "snapshot");

    private static final String[] REASON_FIELDS = {"error", "error_message", "message"};

    private LocalizedFailures() {}

    /** Whether a message of {@code type} may read differently in another language. */
    public static boolean mayCarryReasons(String type) {
        return WITH_REASONS.contains(type);
    }

    /** A socket message ({@code {type, data, …}}) for a reader of {@code language}. */
    public static JsonObject message(JsonObject message, Language language) {
        if (language == Language.EN
                || !mayCarryReasons(message.getString("type", ""))
                || !(message.get("data") instanceof JsonObject data)) {
            return message;
        }
        JsonObject localized = withReasons(data, language);
        return localized == data
                ? message
                : BUILDERS.createObjectBuilder(message).add("data", localized).build();
    }

    /** A session's status (the poll's answer) for a reader of {@code language}. */
    public static JsonObject status(JsonObject status, Language language) {
        return language == Language.EN ? status : withReasons(status, language);
    }

    /** {@code object}'s own reason, and those of its {@code node_results}; the same object when none changes. */
    private static JsonObject withReasons(JsonObject object, Language language) {
        var changed = reasonsOf(object, language);
        if (object.get("node_results") instanceof JsonArray results) {
            JsonArray localized = results(results, language);
            if (localized != results) {
                changed = (changed == null ? BUILDERS.createObjectBuilder(object) : changed)
                        .add("node_results", localized);
            }
        }
        return changed == null ? object : changed.build();
    }

    private static JsonArray results(JsonArray results, Language language) {
        JsonArrayBuilder copy = null;
        for (int i = 0; i < results.size(); i++) {
            JsonValue item = results.get(i);
            var changed = item instanceof JsonObject result ? reasonsOf(result, language) : null;
            if (changed != null && copy == null) {
                copy = BUILDERS.createArrayBuilder();
                for (int j = 0; j < i; j++) {
                    copy.add(results.get(j));
                }
            }
            if (copy != null) {
                copy.add(changed != null ? changed.build() : item);
            }
        }
        return copy == null ? results : copy.build();
    }

    /** A builder of {@code object} with its reason fields localized; null when it has none that reads differently. */
    private static jakarta.json.JsonObjectBuilder reasonsOf(JsonObject object, Language language) {
        if (!(object.get("error_type") instanceof JsonString type) || !FailureReasons.isKnown(type.getString())) {
            return null;
        }
        jakarta.json.JsonObjectBuilder changed = null;
        for (String field : REASON_FIELDS) {
            if (object.get(field) instanceof JsonString reason) {
                String localized = FailureReasons.in(language, type.getString(), reason.getString());
                if (!localized.equals(reason.getString())) {
                    changed = (changed == null ? BUILDERS.createObjectBuilder(object) : changed).add(field, localized);
                }
            }
        }
        return changed;
    }
}
