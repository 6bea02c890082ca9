package org.canvasbatch.domain.session;

import java.time.Instant;
import org.canvasbatch.domain.agent.AgentId;

/**
 * One node in one session, as of its latest event. Immutable: the session replaces it on every change.
 *
 * @param canvasOrder    position among the session's nodes, the tie-breaker of dispatch
 * @param attempts       how many times an agent was started for it
 * @param retryAt        when a queued node waiting out a backoff may run again, else null
 * @param durationMillis the latest attempt's duration, 0 before any outcome
 * @param rerun          a person asked for this node to run again and it has not settled yet: it goes ahead of the
 *                       batch's own queue and may run while the batch is paused or after it finished
 * @param attemptsBeforeRun attempts made before the current run began: a person's rerun gets the whole attempt budget
 *                       again, as a batch node does
 */
public record NodeTask(
        String nodeId,
        int groupId,
        String text,
        int canvasOrder,
        AgentId agent,
        NodeState state,
        int attempts,
        Instant retryAt,
        Instant startedAt,
        String notePath,
        long fileSize,
        long durationMillis,
        String model,
        String errorMessage,
        String errorType,
        boolean retryable,
        boolean rerun,
        int attemptsBeforeRun) {

    static NodeTask planned(PlannedTask planned, int canvasOrder) {
        return new NodeTask(
                planned.nodeId(),
                planned.groupId(),
                planned.text(),
                canvasOrder,
                planned.agent(),
                NodeState.QUEUED,
                0,
                null,
                null,
                null,
                0,
                0,
                null,
                null,
                null,
                false,
                false,
                0);
    }

    NodeTask started(AgentId runAs, int attempt, Instant at) {
        return new NodeTask(
                nodeId,
                groupId,
                text,
                canvasOrder,
                runAs,
                NodeState.RUNNING,
                attempt,
                null,
                at,
                notePath,
                fileSize,
                durationMillis,
                model,
                errorMessage,
                errorType,
                retryable,
                rerun,
                attemptsBeforeRun);
    }

    NodeTask succeeded(String path, long size, long millis, String byModel) {
        return new NodeTask(
                nodeId,
                groupId,
                text,
                canvasOrder,
                agent,
                NodeState.SUCCEEDED,
                attempts,
                null,
                startedAt,
                path,
                size,
                millis,
                byModel,
                null,
                null,
                false,
                false,
                attemptsBeforeRun);
    }

    NodeTask failed(String message, String type, boolean canRetry, long millis) {
        return new NodeTask(
                nodeId,
                groupId,
                text,
                canvasOrder,
                agent,
                NodeState.FAILED,
                attempts,
                null,
                startedAt,
                null,
                0,
                millis,
                model,
                message,
                type,
                canRetry,
                false,
                attemptsBeforeRun);
    }

    NodeTask waitingForRetry(String message, String type, Instant when) {
        return new NodeTask(
                nodeId,
                groupId,
                text,
                canvasOrder,
                agent,
                NodeState.QUEUED,
                attempts,
                when,
                startedAt,
                null,
                0,
                durationMillis,
                model,
                message,
                type,
                true,
                rerun,
                attemptsBeforeRun);
    }

    NodeTask requeued(AgentId runAs) {
        return new NodeTask(
                nodeId,
                groupId,
                text,
                canvasOrder,
                runAs,
                NodeState.QUEUED,
                attempts,
                null,
                startedAt,
                notePath,
                fileSize,
                durationMillis,
                model,
                errorMessage,
                errorType,
                retryable,
                true,
                attempts);
    }

    NodeTask cancelled() {
        return new NodeTask(
                nodeId,
                groupId,
                text,
                canvasOrder,
                agent,
                NodeState.CANCELLED,
                attempts,
                null,
                startedAt,
                notePath,
                fileSize,
                durationMillis,
                model,
                errorMessage,
                errorType,
                retryable,
                false,
                attemptsBeforeRun);
    }

    /** The same, its latest attempt not counted against its run (interrupted while its batch was paused). */
    NodeTask withoutItsLastAttemptCounted() {
        return new NodeTask(
                nodeId,
                groupId,
                text,
                canvasOrder,
                agent,
                state,
                attempts,
                retryAt,
                startedAt,
                notePath,
                fileSize,
                durationMillis,
                model,
                errorMessage,
                errorType,
                retryable,
                rerun,
                Math.min(attempts, attemptsBeforeRun + 1));
    }

    /** Attempts made in the current run: the batch's, or since a person asked for the node again. */
    public int attemptsThisRun() {
        return attempts - attemptsBeforeRun;
    }

    /** May a dispatcher start it now? */
    public boolean isDueAt(Instant now) {
        return state == NodeState.QUEUED && (retryAt == null || !retryAt.isAfter(now));
    }
}
