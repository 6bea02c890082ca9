package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunFailedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunNotFinishedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.SingleNodeResult;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionCancelled;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;

/**
 * The outcome of a session's node run that a single-node call waits for, read from the session's own events: it is
 * subscribed under the session's lock before the run is queued (or, to join a run in progress, before the session can
 * change again), so the next outcome of the node is this run's and none can slip by. Runs where the log hands events on:
 * it only completes a future.
 */
final class AwaitedOutcome implements Consumer<SessionEvent> {

    private final SessionId sessionId;
    private final String nodeId;
    private final Instant deadline;
    private final CompletableFuture<SingleNodeResult> outcome = new CompletableFuture<>();
    private volatile boolean started;

    AwaitedOutcome(SessionId sessionId, String nodeId, Instant deadline, boolean alreadyRunning) {
        this.sessionId = sessionId;
        this.nodeId = nodeId;
        this.deadline = deadline;
        this.started = alreadyRunning;
    }

    @Override
    public void accept(SessionEvent event) {
        switch (event) {
            case TaskStarted e when e.nodeId().equals(nodeId) -> started = true;
            case TaskSucceeded e
            when e.nodeId().equals(nodeId) ->
                outcome.complete(new SingleNodeResult(
                        nodeId,
                        e.agent(),
                        e.notePath(),
                        e.fileSize(),
                        e.durationMillis(),
                        Optional.of(sessionId),
                        Optional.ofNullable(e.linkProblem())));
            case TaskFailed e
            when e.nodeId().equals(nodeId) ->
                outcome.completeExceptionally(new NodeRunFailedException(e.errorType(), e.errorMessage()));
            case TaskRetryScheduled e
            when e.nodeId().equals(nodeId) && e.retryAt().isAfter(deadline) ->
                outcome.completeExceptionally(new NodeRunNotFinishedException(
                        "The model asked to wait before the next attempt (" + e.errorMessage() + "); session '"
                                + sessionId + "' will record the outcome of node '" + nodeId + "'",
                        Duration.between(e.at(), e.retryAt())));
            case SessionCancelled e ->
                outcome.completeExceptionally(new NodeRunFailedException(
                        "cancelled",
                        "Session '" + sessionId + "' was cancelled before node '" + nodeId + "' finished"));
            default -> {}
        }
    }

    /** The call's deadline passed: it answers now, and the session goes on and records the outcome. */
    void giveUp(Duration waited) {
        String where = started
                ? "it is still running or waiting for its next attempt"
                : "it is still waiting for a free slot behind other work";
        outcome.completeExceptionally(new NodeRunNotFinishedException(
                "Node '" + nodeId + "' has not finished within " + waited.toSeconds() + " s (" + where + "); session '"
                        + sessionId + "' will record its outcome, and asking again waits for the same run",
                Duration.ofMinutes(1)));
    }

    /** Waits for the outcome; {@code backstop} guards against a deadline timer that was lost (shutdown). */
    SingleNodeResult await(Duration backstop) {
        try {
            return outcome.get(backstop.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (TimeoutException e) {
            giveUp(backstop);
            return await(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeRunNotFinishedException("The server is stopping", Duration.ofMinutes(1));
        }
    }
}
