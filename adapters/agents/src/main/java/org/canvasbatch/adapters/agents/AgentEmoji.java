package org.canvasbatch.adapters.agents;

import org.canvasbatch.domain.agent.AgentId;

/**
 * The emoji an offline note shows beside each agent of its plan, the ones the plugin shows for the same ids. A word of
 * display, so it lives with the notes that show it, not in the domain.
 */
final class AgentEmoji {

    private AgentEmoji() {}

    static String of(AgentId agent) {
        return switch (agent) {
            case BASIC_DECOMPOSITION -> "🧩";
            case DEEP_DECOMPOSITION -> "🔬";
            case QUESTION_DECOMPOSITION -> "❓";
            case ORAL_EXPLANATION -> "🗣️";
            case FOUR_LEVEL_EXPLANATION -> "🪜";
            case CLARIFICATION_PATH -> "🧭";
            case COMPARISON_TABLE -> "📊";
            case EXAMPLE_TEACHING -> "📝";
            case MEMORY_ANCHOR -> "⚓";
            case VERIFICATION_QUESTION -> "✅";
            case SCORING_AGENT -> "💯";
            case CANVAS_ORCHESTRATOR -> "🎼";
        };
    }
}
