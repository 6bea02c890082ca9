package org.canvasbatch.adapters.agents;

import java.util.Objects;

/**
 * What is sent to a language model for one node: the system part (the agent's role and rules, may be empty) and the
 * user part (the node and its context).
 */
public record Prompt(String system, String user) {
    public Prompt {
        system = system == null ? "" : system;
        Objects.requireNonNull(user, "user");
    }
}
