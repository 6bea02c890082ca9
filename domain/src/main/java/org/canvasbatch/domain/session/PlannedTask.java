package org.canvasbatch.domain.session;

import java.util.Objects;
import org.canvasbatch.domain.agent.AgentId;

/** A node as analysis planned it: which group, which agent, and the text the learner sees. */
public record PlannedTask(String nodeId, int groupId, String text, AgentId agent) {
    public PlannedTask {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(agent, "agent");
        text = text == null ? "" : text;
    }
}
