package org.canvasbatch.testsupport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;

/** A session of one group whose nodes are the given ones, each a question for the oral explanation, on "a.canvas". */
public final class OneGroupSession {

    private OneGroupSession() {}

    public static Session.Creation created(SessionId id, SessionSettings settings, Instant now, String... nodeIds) {
        List<PlannedTask> tasks = new ArrayList<>();
        for (String nodeId : nodeIds) {
            tasks.add(new PlannedTask(nodeId, 1, "question " + nodeId, AgentId.ORAL_EXPLANATION));
        }
        Group group = new Group(
                1,
                "group",
                List.of("term"),
                Category.DEFINITION,
                AgentId.ORAL_EXPLANATION,
                Priority.MEDIUM,
                0.8,
                List.of(nodeIds));
        return Session.create(id, "a.canvas", List.of(group), tasks, settings, 0.5, 1, now);
    }
}
