package org.canvasbatch.adapters.agents;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A model-backed agent whose server can be asked, once and for free, whether the calls to come can work: a learner who
 * starts {@code serve} or {@code run} with the model server down, or with a key it refuses, is told at start rather
 * than by a batch failing node by node minutes later. The offline agent has no server and is not one.
 */
public interface ModelServerCheck {

    /** How long the check waits for the server's answer: a model list comes in milliseconds from a working server. */
    Duration TIMEOUT = Duration.ofSeconds(5);

    /**
     * Asks the server for its model list ({@code GET …/models}: every OpenAI-compatible server and Anthropic answer it,
     * and it costs no tokens) and says what its answer means for the calls. It is the first connection opened ahead of
     * the calls ({@link org.canvasbatch.application.port.out.AgentRunner#prepare}), not one more. Returns at once.
     *
     * @return completes within {@link #TIMEOUT} (and never exceptionally) with one sentence for the learner when the
     *     calls will fail — the server does not answer, refuses the key, redirects or fails — naming the server and
     *     never the key nor more than the status of what the server sent; empty when it answered (a 404 too: a server
     *     without that route is still there)
     */
    default CompletableFuture<Optional<String>> checkServer() {
        return checkServer(TIMEOUT);
    }

    /** As {@link #checkServer()}, waiting at most {@code within} for the server. */
    CompletableFuture<Optional<String>> checkServer(Duration within);
}
