package org.canvasbatch.application.port.in;

import org.canvasbatch.domain.session.SessionId;

public final class SessionNotFoundException extends RuntimeException {
    private final String sessionId;
    private final String whyNotLoaded;

    public SessionNotFoundException(String sessionId) {
        super("Session '" + sessionId + "' not found");
        this.sessionId = sessionId;
        this.whyNotLoaded = null;
    }

    public SessionNotFoundException(SessionId sessionId) {
        this(sessionId.value());
    }

    /** A session the store knows of but could not load, with why (its stored history is damaged beyond reading). */
    public SessionNotFoundException(SessionId sessionId, String whyNotLoaded) {
        super("Session '" + sessionId.value() + "' could not be loaded: " + whyNotLoaded);
        this.sessionId = sessionId.value();
        this.whyNotLoaded = whyNotLoaded;
    }

    public String sessionId() {
        return sessionId;
    }

    /** Why a session the store knows of could not be loaded; empty for a session it never had. */
    public java.util.Optional<String> whyNotLoaded() {
        return java.util.Optional.ofNullable(whyNotLoaded);
    }
}
