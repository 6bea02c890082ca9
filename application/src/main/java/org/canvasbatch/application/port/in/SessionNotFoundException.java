package org.canvasbatch.application.port.in;

import org.canvasbatch.domain.session.SessionId;

public final class SessionNotFoundException extends RuntimeException {
    private final String sessionId;

    public SessionNotFoundException(String sessionId) {
        super("Session '" + sessionId + "' not found");
        this.sessionId = sessionId;
    }

    public SessionNotFoundException(SessionId sessionId) {
        this(sessionId.value());
    }

    public String sessionId() {
        return sessionId;
    }
}
