package org.canvasbatch.application.port.in;

import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/** Reorders what is dispatched next; running nodes are not affected. */
public interface ChangeGroupPriorityUseCase {
    SessionSnapshot changePriority(SessionId sessionId, int groupId, Priority priority);
}
