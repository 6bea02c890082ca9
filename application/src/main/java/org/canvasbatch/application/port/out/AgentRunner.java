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
}
