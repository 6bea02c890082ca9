package org.canvasbatch.application.port.in;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionId;

/**
 * Runs one node again with the given agent (the plugin's retry button) and answers once its outcome is known. If the
 * node belongs to a session (the given one, else the newest confirmed session of that canvas containing it), the run is that
 * session's: it waits in the session's queue ahead of the batch, goes through the same dispatcher, limits and retry
 * policy as any node, and the session records the outcome. A node no session holds runs on its own, through the same
 * dispatcher and limits. A node already being run is not run twice: the call waits for the run in progress.
 *
 * <p>The call waits for a free slot and for its attempts, never longer than its bound: the time waiting for slots the
 * core allows plus what the attempts of a batch node may take ({@code CoreSettings#singleNodeWait}).
 */
public interface RunSingleNodeUseCase {

    /**
     * @throws NodeRunFailedException      when the agent or the note write failed: the reason is in the message
     * @throws NodeRunNotFinishedException when the outcome was not known within the call's bound
     * @throws org.canvasbatch.domain.session.SessionConflict (node busy) when the node is being run with another agent
     */
    SingleNodeResult run(RunSingleNodeCommand command);

    record RunSingleNodeCommand(
            String canvasPath, String nodeId, Optional<AgentId> agent, Optional<SessionId> sessionId) {
        public RunSingleNodeCommand {
            List<FieldError> errors = new ArrayList<>(CanvasPaths.problems("canvas_path", canvasPath));
            if (nodeId == null || nodeId.isBlank()) {
                errors.add(new FieldError("node_id", "is required"));
            } else {
                BatchLimits.idLength("node_id", nodeId).ifPresent(errors::add);
            }
            if (!errors.isEmpty()) {
                throw new InvalidCommandException(errors);
            }
        }
    }

    /** @param linkProblem empty, or why the note is not linked into its canvas, in words for a person */
    record SingleNodeResult(
            String nodeId,
            AgentId agent,
            String filePath,
            long fileSize,
            long durationMillis,
            Optional<SessionId> recordedIn,
            Optional<String> linkProblem) {}

    /** The node's run ended without a note; the message says why, for a person. */
    final class NodeRunFailedException extends RuntimeException {
        private final String errorType;

        public NodeRunFailedException(String errorType, String message) {
            // an agent's refusal is an answer, not a fault of this code: no stack trace to log
            super(message, null, false, false);
            this.errorType = errorType;
        }

        public String errorType() {
            return errorType;
        }
    }

    /**
     * The outcome is not known within the call's bound: the server is busy (no free slot in time, too many runs
     * waiting) or the model asked to wait longer than the call may. A node of a session stays queued there and its
     * session records the outcome; asking again after {@code retryAfter} joins that run.
     */
    final class NodeRunNotFinishedException extends RuntimeException {
        private final Duration retryAfter;

        public NodeRunNotFinishedException(String message, Duration retryAfter) {
            super(message, null, false, false);
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }
}
