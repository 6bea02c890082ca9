package org.canvasbatch.application.port.in;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/** Confirms a session: it starts running in the background and the call returns at once. */
public interface StartSessionUseCase {

    SessionSnapshot start(StartSessionCommand command);

    /** The older confirm form: plan the groups given by the caller and start them as a new session. */
    SessionSnapshot startPlanned(StartPlannedBatchCommand command);

    record StartSessionCommand(SessionId sessionId, Optional<Integer> maxConcurrent, Optional<Duration> timeout) {
        public StartSessionCommand {
            List<FieldError> errors = new ArrayList<>(limitProblems(maxConcurrent, timeout));
            if (sessionId == null) {
                errors.add(new FieldError("session_id", "is required"));
            }
            if (!errors.isEmpty()) {
                throw new InvalidCommandException(errors);
            }
        }

        public static StartSessionCommand of(SessionId id) {
            return new StartSessionCommand(id, Optional.empty(), Optional.empty());
        }
    }

    /** @param label the caller's group id, kept only for messages; groups are numbered 1..K in the order given */
    record PlannedGroup(String label, AgentChoice agent, List<String> nodeIds) {
        public PlannedGroup {
            nodeIds = List.copyOf(nodeIds);
        }
    }

    record StartPlannedBatchCommand(
            String canvasPath, List<PlannedGroup> groups, Optional<Integer> maxConcurrent, Optional<Duration> timeout) {
        public StartPlannedBatchCommand {
            groups = List.copyOf(groups);
            List<FieldError> errors = new ArrayList<>(CanvasPaths.problems("canvas_path", canvasPath));
            errors.addAll(limitProblems(maxConcurrent, timeout));
            if (groups.isEmpty()) {
                errors.add(new FieldError("groups", "must name at least one group"));
            }
            for (int i = 0; i < groups.size(); i++) {
                if (groups.get(i).nodeIds().isEmpty()) {
                    errors.add(new FieldError("groups[" + i + "].node_ids", "must name at least one node"));
                }
            }
            if (groups.stream().mapToInt(g -> g.nodeIds().size()).sum() > AnalyzeCanvasUseCase.MAX_NODES) {
                errors.add(new FieldError("groups", "name more than " + AnalyzeCanvasUseCase.MAX_NODES + " nodes"));
            }
            if (!errors.isEmpty()) {
                throw new InvalidCommandException(errors);
            }
        }
    }

    static List<FieldError> limitProblems(Optional<Integer> maxConcurrent, Optional<Duration> timeout) {
        List<FieldError> errors = new ArrayList<>();
        maxConcurrent.ifPresent(m -> {
            if (m < 1 || m > 50) {
                errors.add(new FieldError("max_concurrent", "must be between 1 and 50, not " + m));
            }
        });
        timeout.ifPresent(t -> {
            if (t.toSeconds() < 60 || t.toSeconds() > 3600) {
                errors.add(new FieldError("timeout", "must be between 60 and 3600 seconds, not " + t.toSeconds()));
            }
        });
        return errors;
    }
}
