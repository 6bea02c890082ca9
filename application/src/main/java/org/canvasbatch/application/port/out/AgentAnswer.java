package org.canvasbatch.application.port.out;

import java.util.Objects;

/** A successful agent call: the note body in Markdown (no front matter) and the model that wrote it. */
public record AgentAnswer(String markdown, String model) {
    public AgentAnswer {
        Objects.requireNonNull(markdown, "markdown");
        model = model == null ? "unknown" : model;
    }
}
