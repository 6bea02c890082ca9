package org.canvasbatch.adapters.agents;

import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;

/**
 * The default agent: no network, no model, the same note for the same input. It cannot answer the question, so it
 * writes what can be known without a model — a study scaffold shaped for the agent (a comparison table with the
 * compared concepts, four headed levels, questions with hidden answers …), the learner's own understanding quoted, the
 * group's key terms and links to the related questions — in the question's language, and says plainly how to have a
 * language model write the note instead. The words are templates ({@link OfflineTemplates}); {@link OfflineNote}
 * computes what they show.
 */
public final class OfflineAgent implements AgentRunner {

    public static final String MODEL = "offline";

    private final OfflineTemplates templates;

    /** With the built-in templates. */
    public OfflineAgent() {
        this(OfflineTemplates.builtIn());
    }

    OfflineAgent(OfflineTemplates templates) {
        this.templates = templates;
    }

    @Override
    public AgentAnswer run(AgentRequest request) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("the offline agent was cancelled before it started");
        }
        return new AgentAnswer(new OfflineNote(request).markdown(templates), MODEL);
    }

    @Override
    public String model() {
        return MODEL;
    }

    /** Itself: it asks no model. */
    @Override
    public java.util.Optional<AgentRunner> rehearsal() {
        return java.util.Optional.of(this);
    }
}
