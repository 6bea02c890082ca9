package org.canvasbatch.application.port.out;

import java.time.Duration;
import java.util.Optional;

/**
 * An agent call that did not produce a note. {@code transientFailure} marks what may succeed when tried again
 * (timeouts, connection errors, HTTP 429 and 5xx); {@code retryAfter} is the server's hint, when it gave one.
 * {@code errorType} is a short machine word shown to clients, e.g. {@code rate_limited}, {@code http_400},
 * {@code timeout}, {@code connection}, {@code bad_response}.
 */
public final class AgentFailure extends Exception {

    private final boolean transientFailure;
    private final String errorType;
    private final Duration retryAfter;

    public AgentFailure(String message, boolean transientFailure, String errorType, Duration retryAfter) {
        super(message);
        this.transientFailure = transientFailure;
        this.errorType = errorType == null ? "agent_error" : errorType;
        this.retryAfter = retryAfter;
    }

    public static AgentFailure permanent(String errorType, String message) {
        return new AgentFailure(message, false, errorType, null);
    }

    public static AgentFailure transientFailure(String errorType, String message, Duration retryAfter) {
        return new AgentFailure(message, true, errorType, retryAfter);
    }

    public boolean isTransient() {
        return transientFailure;
    }

    public String errorType() {
        return errorType;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
