package org.canvasbatch.domain.session;

import java.util.List;
import java.util.Objects;
import org.canvasbatch.domain.agent.AgentId;

/**
 * A cluster of nodes processed together. {@code id} is 1..K in the order of each group's first node; the plugin keys
 * its progress display on it, so it never changes after analysis.
 *
 * @param category   the dominant question kind, e.g. {@code comparison} or {@code definition}
 * @param confidence how cohesive the group is, 0–1
 */
public record Group(
        int id,
        String name,
        List<String> terms,
        String category,
        String emoji,
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
        category = category == null ? "mixed" : category;
        emoji = emoji == null ? "🧩" : emoji;
    }

    public Group withPriority(Priority newPriority) {
        return new Group(id, name, terms, category, emoji, recommendedAgent, newPriority, confidence, nodeIds);
    }

    public int size() {
        return nodeIds.size();
    }
}
