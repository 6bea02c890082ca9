package org.canvasbatch.application.port.out;

/**
 * Produces the Markdown of one teaching note. Implementations: an OpenAI-compatible server, Anthropic's Messages API,
 * and the offline agent. A call may block; the executor interrupts it on cancel or timeout, so implementations must
 * give up promptly when interrupted.
 */
public interface AgentRunner {

    AgentAnswer run(AgentRequest request) throws AgentFailure, InterruptedException;

    /** Which model answers, for logs and note front matter, e.g. {@code offline} or {@code openai:gpt-4o-mini}. */
    String model();

    /**
     * Up to {@code calls} calls may come soon (the server started, a batch was analysed): get ready now, so that the
     * first of them do not pay for it — a model-backed agent opens that many connections to its server and prepares a
     * throwaway call without sending it. Returns at once and never fails: what goes wrong here, the calls find again.
     *
     * @return completes (never exceptionally) once the agent is as ready as it could get
     */
    default java.util.concurrent.CompletableFuture<Void> prepare(int calls) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /**
     * A stand-in for this agent in a rehearsal batch, which a freshly started server runs on a throwaway vault so that
     * its first real batch finds the code compiled: it does all that this agent does for a call (the prompt, the
     * request's JSON, reading the answer) except sending it, and answers at once with a made-up note. Empty when this
     * agent cannot do that without asking its model.
     */
    default java.util.Optional<AgentRunner> rehearsal() {
        return java.util.Optional.empty();
    }
}
