package org.canvasbatch.application.port.in;

import java.util.List;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

public interface SessionStatusQuery {

    /** @throws SessionNotFoundException when the session does not exist (or was forgotten) */
    SessionSnapshot status(SessionId sessionId);

    /** What is wrong with the session's stored history, if anything (it then loaded only up to the damage). */
    java.util.Optional<String> historyDamage(SessionId sessionId);

    /**
     * Why the session's progress cannot be saved right now, if it cannot: the journal refuses events and the session is
     * running, paused, or has outcomes held. Empty once the journal takes events again.
     */
    java.util.Optional<StorageProblem> storageProblem(SessionId sessionId);

    /** Every known session, newest first (for the dashboard). */
    List<SessionSnapshot> sessions();
}
