package org.canvasbatch.application.port.in;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;
import org.canvasbatch.domain.session.SessionSettings;

/**
 * The limits of what one request may ask of the core, written once: every command checks its fields here, and an
 * adapter that must refuse early (before it builds ten thousand nodes from a request body) asks the same questions,
 * so the limit and the sentence that explains it are the same everywhere.
 */
public final class BatchLimits {

    /** Nodes in one session. */
    public static final int MAX_NODES = 10_000;
    /** A node's text, in UTF-8. */
    public static final int MAX_TEXT_BYTES = 64 * 1024;
    /** A node's or a session's id. */
    public static final int MAX_ID_LENGTH = 200;

    public static final Duration MIN_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(3600);

    private BatchLimits() {}

    /** The problem with {@code count} nodes in one session, if there are too many. */
    public static Optional<FieldError> nodeCount(String field, int count) {
        return count > MAX_NODES
                ? Optional.of(
                        new FieldError(field, "has " + count + " nodes; the limit is " + MAX_NODES + " per session"))
                : Optional.empty();
    }

    /** The problem with an id, if it is longer than the limit. */
    public static Optional<FieldError> idLength(String field, String id) {
        return id.length() > MAX_ID_LENGTH
                ? Optional.of(new FieldError(field, "is longer than the limit of " + MAX_ID_LENGTH + " characters"))
                : Optional.empty();
    }

    /** The problems with a request's own limit of calls at once and its batch timeout, when it sets them. */
    public static List<FieldError> sessionLimits(Optional<Integer> maxConcurrent, Optional<Duration> timeout) {
        List<FieldError> errors = new ArrayList<>();
        maxConcurrent.ifPresent(m -> {
            if (m < SessionSettings.MIN_CONCURRENT || m > SessionSettings.MAX_CONCURRENT) {
                errors.add(new FieldError(
                        "max_concurrent",
                        "must be between " + SessionSettings.MIN_CONCURRENT + " and " + SessionSettings.MAX_CONCURRENT
                                + ", not " + m));
            }
        });
        timeout.ifPresent(t -> {
            if (t.toSeconds() < MIN_TIMEOUT.toSeconds() || t.toSeconds() > MAX_TIMEOUT.toSeconds()) {
                errors.add(new FieldError(
                        "timeout",
                        "must be between " + MIN_TIMEOUT.toSeconds() + " and " + MAX_TIMEOUT.toSeconds()
                                + " seconds, not " + t.toSeconds()));
            }
        });
        return errors;
    }
}
