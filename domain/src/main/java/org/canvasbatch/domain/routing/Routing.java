package org.canvasbatch.domain.routing;

import java.util.Objects;
import org.canvasbatch.domain.agent.AgentId;

/**
 * Where one question goes.
 *
 * @param agent      the agent that should answer it
 * @param confidence how sure the cue that decided it is, in [0, 1]
 * @param category   the kind of answer the question asks for; GENERAL when no cue was sure enough
 */
public record Routing(AgentId agent, double confidence, Category category) {

    public Routing {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(category, "category");
        if (Double.isNaN(confidence) || confidence < 0.0 || confidence > 1.0) {
            throw new IllegalArgumentException("confidence must be in [0, 1], was " + confidence);
        }
    }
}
