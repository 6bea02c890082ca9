package org.canvasbatch.domain.session;

import java.util.List;
import java.util.Objects;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;

/**
 * A cluster of nodes processed together. {@code id} is 1..K in the order of each group's first node; the plugin keys
 * its progress display on it, so it never changes after analysis.
 *
 * @param category   the dominant kind of question, e.g. comparison or definition
 * @param confidence how cohesive the group is, 0–1
 */
public record Group(
        int id,
        String name,
        List<String> terms,
        Category category,
        AgentId recommendedAgent,
        Priority priority,
        double confidence,
        List<String> nodeIds) {

    public Group {
        if (id < 1) {
            throw new IllegalArgumentException("group ids start at 1, not " + id);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(recommendedAgent, "recommendedAgent");
        Objects.requireNonNull(priority, "priority");
        terms = List.copyOf(terms);
        nodeIds = List.copyOf(nodeIds);
        category = category == null ? Category.GENERAL : category;
    }

    public Group withPriority(Priority newPriority) {
        return new Group(id, name, terms, category, recommendedAgent, newPriority, confidence, nodeIds);
    }

    public int size() {
        return nodeIds.size();
    }
}
