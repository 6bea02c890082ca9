package org.canvasbatch.application.port.in;

import org.canvasbatch.application.port.out.TaskExecutor.TaskControl;
import org.canvasbatch.domain.session.SessionId;

/** Runs one started node task: the agent writes, the vault stores the note, the session records the outcome. */
public interface ExecuteNodeTaskUseCase {

    void execute(TaskAssignment assignment, TaskControl control) throws InterruptedException;

    record TaskAssignment(SessionId sessionId, String nodeId, int attempt) {}
}
