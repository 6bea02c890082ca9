package org.canvasbatch.application.port.in;

import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

public interface ResumeSessionUseCase {
    SessionSnapshot resume(SessionId sessionId, String reason);
}
