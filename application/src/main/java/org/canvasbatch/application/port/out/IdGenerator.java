package org.canvasbatch.application.port.out;

import org.canvasbatch.domain.session.SessionId;

@FunctionalInterface
public interface IdGenerator {
    SessionId newSessionId();
}
