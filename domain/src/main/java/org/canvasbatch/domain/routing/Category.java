package org.canvasbatch.domain.routing;

import org.canvasbatch.domain.agent.AgentId;

/** What kind of answer a question asks for, in routing precedence order (CONTRACT §5). */
public enum Category {
    COMPARISON("comparison", "⚖️", AgentId.COMPARISON_TABLE),
    DEEP_ANALYSIS("deep-analysis", "🔬", AgentId.DEEP_DECOMPOSITION),
    MEMORY("memory", "🧠", AgentId.MEMORY_ANCHOR),
    EXAMPLE("example", "💡", AgentId.EXAMPLE_TEACHING),
    UNDERSTANDING("understanding", "🤔", AgentId.CLARIFICATION_PATH),
    DEFINITION("definition", "📖", AgentId.ORAL_EXPLANATION),
    /** No clear cue, or only a weak one: a plain explanation serves best. */
    GENERAL("mixed", "🧩", AgentId.ORAL_EXPLANATION);

    private final String wireName;
    private final String emoji;
    private final AgentId agent;

    Category(String wireName, String emoji, AgentId agent) {
        this.wireName = wireName;
        this.emoji = emoji;
        this.agent = agent;
    }

    /** The category as the analyze response names it, e.g. {@code deep-analysis}; GENERAL is {@code mixed}. */
    public String wireName() {
        return wireName;
    }

    public String emoji() {
        return emoji;
    }

    AgentId agent() {
        return agent;
    }
}
