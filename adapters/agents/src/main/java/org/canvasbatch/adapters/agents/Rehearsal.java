package org.canvasbatch.adapters.agents;

import java.util.List;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRequest.NodeContext;
import org.canvasbatch.application.port.out.AgentRequest.RelatedQuestion;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.VaultPassage;
import org.canvasbatch.domain.agent.AgentId;

/**
 * Throwaway calls that a model-backed agent prepares, but never sends, before its first real ones: a fresh process
 * spends its first calls loading and compiling the prompt templates, the JSON building and the answer parsing, and
 * would otherwise do it while the first round of a batch waits.
 */
final class Rehearsal {

    private Rehearsal() {}

    /** Prepares the throwaway calls and reads a throwaway answer. */
    @FunctionalInterface
    interface Run {
        void run() throws AgentFailure;
    }

    /** One request per agent, so that every agent's template is read once; a context with every part filled in. */
    static List<AgentRequest> requests() {
        var context = new NodeContext(
                "Rehearsal/warm-up.canvas",
                "warm-up",
                "photosynthesis light",
                List.of("photosynthesis", "light", "chlorophyll"),
                List.of(new RelatedQuestion(
                        "Why are leaves green?", AgentId.ORAL_EXPLANATION, "Why are leaves green - oral-explanation")),
                List.of("Plants make sugar from light, I think."),
                List.of(new VaultPassage(
                        "Biology/Photosynthesis.md",
                        "Light reactions",
                        "Light reactions",
                        "Chlorophyll absorbs red and blue light and reflects green.",
                        VaultPassage.Origin.NOTE)));
        return java.util.Arrays.stream(AgentId.values())
                .map(agent -> new AgentRequest(
                        agent,
                        "warm-up",
                        "How does photosynthesis turn light into sugar?",
                        "How does photosynthesis turn light into sugar?",
                        context))
                .toList();
    }

    /** What a model answers, as a note body: headings, a list, a table and a link, as real notes have them. */
    static final String NOTE = """
            # Photosynthesis

            Light is absorbed by **chlorophyll**; the energy splits water and makes sugar.

            - light reactions
            - the Calvin cycle

            | step | where |
            | --- | --- |
            | light | thylakoid |

            See [[Why are leaves green - oral-explanation]].
            """;

    /** A note as long as a model's usual ones (about 2 300 characters), for a rehearsal batch's answers. */
    static final String LONG_NOTE = NOTE + ("""

            ## Why it matters

            Nearly all the energy in food comes from light caught this way; the oxygen we breathe is what is left when
            water is split. A leaf is a factory whose machines are the chloroplasts.
            """).repeat(6);

    /** An agent of a rehearsal batch: the real agent's work for a call, minus the sending. */
    record Agent(String model, Answering answering) implements AgentRunner {

        /** The note of one call, read from a made-up answer after the call's request was built. */
        @FunctionalInterface
        interface Answering {
            String noteOf(AgentRequest request) throws AgentFailure;
        }

        @Override
        public AgentAnswer run(AgentRequest request) throws AgentFailure {
            return new AgentAnswer(answering.noteOf(request), model);
        }
    }
}
