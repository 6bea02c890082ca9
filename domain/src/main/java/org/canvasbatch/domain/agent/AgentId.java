package org.canvasbatch.domain.agent;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The teaching agents the Obsidian plugin knows by id (CONTRACT §5). */
public enum AgentId {
    BASIC_DECOMPOSITION("basic-decomposition"),
    DEEP_DECOMPOSITION("deep-decomposition"),
    QUESTION_DECOMPOSITION("question-decomposition"),
    ORAL_EXPLANATION("oral-explanation"),
    FOUR_LEVEL_EXPLANATION("four-level-explanation"),
    CLARIFICATION_PATH("clarification-path"),
    COMPARISON_TABLE("comparison-table"),
    EXAMPLE_TEACHING("example-teaching"),
    MEMORY_ANCHOR("memory-anchor"),
    VERIFICATION_QUESTION("verification-question"),
    SCORING_AGENT("scoring-agent"),
    CANVAS_ORCHESTRATOR("canvas-orchestrator");

    private final String wireName;

    AgentId(String wireName) {
        this.wireName = wireName;
    }

    /** The id exactly as it travels on the wire, e.g. {@code comparison-table}. */
    public String wireName() {
        return wireName;
    }

    /** Accepts the wire name in any case and the older alias {@code verification-question-agent}. */
    public static Optional<AgentId> fromWireName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String normalised = name.strip().toLowerCase(Locale.ROOT);
        if (normalised.equals("verification-question-agent")) {
            return Optional.of(VERIFICATION_QUESTION);
        }
        return Arrays.stream(values())
                .filter(id -> id.wireName.equals(normalised))
                .findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
