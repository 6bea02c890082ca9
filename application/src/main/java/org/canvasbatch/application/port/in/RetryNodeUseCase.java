package org.canvasbatch.application.port.in;

import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * Retries one failed node in the background: requeued while the session runs; run again at once (as the single-agent
 * retry does) when the session has already finished.
 */
public interface RetryNodeUseCase {
    SessionSnapshot retry(SessionId sessionId, String nodeId);

    /**
     * As {@link #retry}, for a client watching the batch on its socket, which closes with the batch's end: a session
     * that has already finished is refused ({@code SessionConflict} ALREADY_FINISHED), not run on, so that a retry
     * racing that close is never carried out unanswered. Decided under the session's lock.
     */
    SessionSnapshot retryUnlessFinished(SessionId sessionId, String nodeId);
}
