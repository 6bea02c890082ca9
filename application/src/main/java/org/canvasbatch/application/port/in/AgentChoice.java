package org.canvasbatch.application.port.in;

import java.util.Optional;
import org.canvasbatch.domain.agent.AgentId;

/** Either a named agent, which always wins, or {@code auto}: route each node by its content. */
public record AgentChoice(AgentId agent) {

    public static final AgentChoice AUTO = new AgentChoice(null);

    public static AgentChoice named(AgentId agent) {
        return new AgentChoice(agent);
    }

    public Optional<AgentId> named() {
        return Optional.ofNullable(agent);
    }

    /** Parses {@code auto} (or nothing) and agent ids incl. aliases; anything else is a field error. */
    public static AgentChoice parse(String field, String value) {
        if (value == null || value.isBlank() || value.strip().equalsIgnoreCase("auto")) {
            return AUTO;
        }
        return AgentId.fromWireName(value)
                .map(AgentChoice::named)
                .orElseThrow(() -> InvalidCommandException.of(
                        field,
                        "Unknown agent '" + value + "'; use auto or one of "
                                + java.util.Arrays.stream(AgentId.values())
                                        .map(AgentId::wireName)
                                        .toList()));
    }

    @Override
    public String toString() {
        return agent == null ? "auto" : agent.wireName();
    }
}
