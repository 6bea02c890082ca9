package org.canvasbatch.domain.routing;

import org.canvasbatch.domain.agent.AgentId;

/** What kind of answer a question asks for, in routing precedence order (CONTRACT §5). */
public enum Category {
    COMPARISON(AgentId.COMPARISON_TABLE),
    DEEP_ANALYSIS(AgentId.DEEP_DECOMPOSITION),
    MEMORY(AgentId.MEMORY_ANCHOR),
    EXAMPLE(AgentId.EXAMPLE_TEACHING),
    UNDERSTANDING(AgentId.CLARIFICATION_PATH),
    DEFINITION(AgentId.ORAL_EXPLANATION),
    /** No clear cue, or only a weak one: a plain explanation serves best. */
    GENERAL(AgentId.ORAL_EXPLANATION);

    private final AgentId agent;

    Category(AgentId agent) {
        this.agent = agent;
    }

    AgentId agent() {
        return agent;
    }
}
