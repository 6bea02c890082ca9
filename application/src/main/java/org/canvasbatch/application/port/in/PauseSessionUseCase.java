package org.canvasbatch.application.port.in;

import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/** Stops dispatching new nodes; running ones finish. */
public interface PauseSessionUseCase {
    SessionSnapshot pause(SessionId sessionId, String reason);
}
