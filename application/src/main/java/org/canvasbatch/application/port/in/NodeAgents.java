package org.canvasbatch.application.port.in;

import java.util.Arrays;
import java.util.Optional;

/**
 * Which agent runs each node of an analysed batch. What runs must be what the caller showed the learner: the plugin's
 * preview shows one agent per group, so its nodes run their group's agent; a caller that shows every node's own agent
 * (the command line's plan, the dashboard's form) may ask for per-node routing.
 */
public enum NodeAgents {
    /** Every node runs its group's recommended agent (a named agent, when one is given, is that agent). */
    GROUP("group"),
    /**
     * A node whose own question is clear (a confident routing) runs its own agent; the others run their group's
     * recommendation (a named agent still wins over both).
     */
    PER_NODE("per_node");

    private final String wireName;

    NodeAgents(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<NodeAgents> fromWireName(String name) {
        return Arrays.stream(values()).filter(v -> v.wireName.equals(name)).findFirst();
    }
}
