package org.canvasbatch.application.port.in;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionId;

/**
 * Runs one node again, synchronously, with the given agent (the plugin's retry button). If the node belongs to a
 * session (the given one, else the newest session of that canvas containing it), the session records the outcome.
 */
public interface RunSingleNodeUseCase {

    /** @throws NodeRunFailedException when the agent or the note write failed: the reason is in the message */
    SingleNodeResult run(RunSingleNodeCommand command);

    record RunSingleNodeCommand(
            String canvasPath, String nodeId, Optional<AgentId> agent, Optional<SessionId> sessionId) {
        public RunSingleNodeCommand {
            List<FieldError> errors = new ArrayList<>(CanvasPaths.problems("canvas_path", canvasPath));
            if (nodeId == null || nodeId.isBlank()) {
                errors.add(new FieldError("node_id", "is required"));
            } else if (nodeId.length() > AnalyzeCanvasUseCase.MAX_ID_LENGTH) {
                errors.add(new FieldError("node_id", "is longer than the limit of 200 characters"));
            }
            if (!errors.isEmpty()) {
                throw new InvalidCommandException(errors);
            }
        }
    }

    record SingleNodeResult(
            String nodeId,
            AgentId agent,
            String filePath,
            long fileSize,
            long durationMillis,
            Optional<SessionId> recordedIn) {}

    final class NodeRunFailedException extends RuntimeException {
        private final String errorType;

        public NodeRunFailedException(String errorType, String message) {
            super(message);
            this.errorType = errorType;
        }

        public String errorType() {
            return errorType;
        }
    }
}
