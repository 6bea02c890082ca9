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
}
