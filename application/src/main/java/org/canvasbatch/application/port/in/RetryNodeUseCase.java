package org.canvasbatch.application.port.in;

import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * Retries one failed node in the background: requeued while the session runs; run again at once (as the single-agent
 * retry does) when the session has already finished.
 */
public interface RetryNodeUseCase {
    SessionSnapshot retry(SessionId sessionId, String nodeId);
}
