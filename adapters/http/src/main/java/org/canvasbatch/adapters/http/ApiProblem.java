package org.canvasbatch.adapters.http;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.List;
import java.util.stream.Collectors;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.text.Message;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;

/**
 * A request we answer with an error: the status, the error's name ({@code SessionNotFoundError}), a message for a
 * person (the plugin shows it verbatim), machine details, and for a 422 the offending fields.
 */
final class ApiProblem extends RuntimeException {

    private final int status;
    private final String name;
    private final JsonObject details;
    private final List<FieldError> fields;
    private final Long retryAfterSeconds;
    private final boolean localized;

    ApiProblem(int status, String name, String message, JsonObject details, List<FieldError> fields) {
        this(status, name, message, details, fields, null, false);
    }

    private ApiProblem(
            int status,
            String name,
            String message,
            JsonObject details,
            List<FieldError> fields,
            Long retryAfterSeconds,
            boolean localized) {
        super(message, null, false, false);
        this.status = status;
        this.name = name;
        this.details = details == null ? JsonObject.EMPTY_JSON_OBJECT : details;
        this.fields = List.copyOf(fields);
        this.retryAfterSeconds = retryAfterSeconds;
        this.localized = localized;
    }

    /** This problem answered with a {@code Retry-After} header of {@code seconds}. */
    ApiProblem retryAfter(long seconds) {
        return new ApiProblem(status, name, getMessage(), details, fields, seconds, localized);
    }

    /** This problem with its message already in the caller's language. */
    ApiProblem localized() {
        return new ApiProblem(status, name, getMessage(), details, fields, retryAfterSeconds, true);
    }

    /**
     * The problem as a caller speaking {@code language} reads it: one whose message was written in that language stays
     * as it is; a validation problem's English sentences get the language's lead ("请求有误：…").
     */
    ApiProblem in(Language language) {
        if (localized || language == Language.EN) {
            return this;
        }
        String message = status == 422 ? Message.INVALID_REQUEST.in(language, getMessage()) : getMessage();
        return new ApiProblem(status, name, message, details, fields, retryAfterSeconds, true);
    }

    /** A 422 with a message of its own (already in the caller's language) naming {@code fields}. */
    static ApiProblem invalid(List<FieldError> fields, String message) {
        JsonArrayBuilder names = BUILDERS.createArrayBuilder();
        fields.stream().map(FieldError::field).distinct().forEach(names::add);
        return new ApiProblem(
                422,
                "ValidationError",
                message,
                BUILDERS.createObjectBuilder().add("fields", names).build(),
                fields,
                null,
                true);
    }

    /** The {@code Retry-After} the answer carries, if any. */
    java.util.Optional<Long> retryAfterSeconds() {
        return java.util.Optional.ofNullable(retryAfterSeconds);
    }

    static ApiProblem of(int status, String name, String message) {
        return new ApiProblem(status, name, message, JsonObject.EMPTY_JSON_OBJECT, List.of());
    }

    static ApiProblem of(int status, String name, String message, JsonObjectBuilder details) {
        return new ApiProblem(status, name, message, details.build(), List.of());
    }

    /** A 422 naming each bad field; the message lists them all so that a person sees what to fix. */
    static ApiProblem invalid(List<FieldError> fields) {
        String message = fields.stream().map(ApiProblem::sentence).collect(Collectors.joining("; "));
        JsonArrayBuilder names = BUILDERS.createArrayBuilder();
        fields.stream().map(FieldError::field).distinct().forEach(names::add);
        return new ApiProblem(
                422,
                "ValidationError",
                message,
                BUILDERS.createObjectBuilder().add("fields", names).build(),
                fields);
    }

    /**
     * "canvas_path must end with .canvas"; a message that is already a sentence of its own ("No nodes to process: …")
     * is left alone, as the plugin shows it to the user verbatim.
     */
    private static String sentence(FieldError error) {
        String message = error.message();
        boolean standalone =
                !message.isEmpty() && (Character.isUpperCase(message.charAt(0)) || message.charAt(0) == '\'');
        return standalone ? message : error.field() + " " + message;
    }

    static ApiProblem invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    int status() {
        return status;
    }

    String name() {
        return name;
    }

    List<FieldError> fields() {
        return fields;
    }

    /** The envelope of CONTRACT §1: top-level for the plugin, the same three again under {@code detail} for older callers. */
    JsonObject toJson() {
        JsonObject inner = BUILDERS.createObjectBuilder()
                .add("error", name)
                .add("message", getMessage())
                .add("details", details)
                .build();
        JsonObjectBuilder envelope =
                BUILDERS.createObjectBuilder(inner).add("detail", inner).add("status_code", status);
        if (!fields.isEmpty()) {
            JsonArrayBuilder errors = BUILDERS.createArrayBuilder();
            fields.forEach(f -> errors.add(
                    BUILDERS.createObjectBuilder().add("field", f.field()).add("message", f.message())));
            envelope.add("errors", errors);
        }
        return envelope.build();
    }
}
