package org.canvasbatch.application.port.in;

import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/** Stops queued nodes at once and interrupts running agent calls; results that still arrive are discarded. */
public interface CancelSessionUseCase {
    SessionSnapshot cancel(SessionId sessionId, String reason);
}
