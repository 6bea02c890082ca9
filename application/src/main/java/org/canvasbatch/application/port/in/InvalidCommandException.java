package org.canvasbatch.application.port.in;

import java.util.List;

/** A request the core will not take, with each offending field named and explained for a person. */
public final class InvalidCommandException extends RuntimeException {

    public record FieldError(String field, String message) {}

    private final List<FieldError> errors;

    public InvalidCommandException(List<FieldError> errors) {
        super(errors.stream()
                .map(e -> e.field() + ": " + e.message())
                .reduce((a, b) -> a + "; " + b)
                .orElse("invalid"));
        this.errors = List.copyOf(errors);
    }

    public static InvalidCommandException of(String field, String message) {
        return new InvalidCommandException(List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
