package org.canvasbatch.application.port.in;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/** Confirms a session: it starts running in the background and the call returns at once. */
public interface StartSessionUseCase {

    Started start(StartSessionCommand command);

    /** The older confirm form: plan the groups given by the caller and start them as a new session. */
    Started startPlanned(StartPlannedBatchCommand command);

    /**
     * A session that has just started.
     *
     * @param estimatedCompletion when the batch should be done, if every agent call takes as long as one is assumed to
     */
    record Started(SessionSnapshot session, Instant estimatedCompletion) {}

    record StartSessionCommand(SessionId sessionId, Optional<Integer> maxConcurrent, Optional<Duration> timeout) {
        public StartSessionCommand {
            List<FieldError> errors = new ArrayList<>(BatchLimits.sessionLimits(maxConcurrent, timeout));
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
            errors.addAll(BatchLimits.sessionLimits(maxConcurrent, timeout));
            if (groups.isEmpty()) {
                errors.add(new FieldError("groups", "must name at least one group"));
            }
            for (int i = 0; i < groups.size(); i++) {
                if (groups.get(i).nodeIds().isEmpty()) {
                    errors.add(new FieldError("groups[" + i + "].node_ids", "must name at least one node"));
                }
            }
            if (groups.stream().mapToInt(g -> g.nodeIds().size()).sum() > BatchLimits.MAX_NODES) {
                errors.add(new FieldError("groups", "name more than " + BatchLimits.MAX_NODES + " nodes"));
            }
            if (!errors.isEmpty()) {
                throw new InvalidCommandException(errors);
            }
        }
    }
}
