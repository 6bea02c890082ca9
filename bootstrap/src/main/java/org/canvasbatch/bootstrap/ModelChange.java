package org.canvasbatch.bootstrap;

import java.util.List;
import java.util.Optional;
import org.canvasbatch.adapters.agents.AgentConfig;
import org.canvasbatch.adapters.agents.OfflineAgent;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * A stopped batch goes on with whatever writes notes now: started with a language model and resumed without one (or
 * the other way round), its notes would be of two kinds without a word, so the resume says it.
 */
final class ModelChange {

    private ModelChange() {}

    /** The sentence to show when the notes already written and the ones to come are of two kinds; empty otherwise. */
    static Optional<String> of(SessionSnapshot batch, AgentConfig now) {
        if (batch.state().isTerminal()) {
            return Optional.empty();
        }
        List<String> models = batch.tasks().stream()
                .filter(task -> task.state() == NodeState.SUCCEEDED && task.model() != null)
                .map(NodeTask::model)
                .distinct()
                .toList();
        long written = batch.tasks().stream()
                .filter(task -> task.state() == NodeState.SUCCEEDED)
                .count();
        boolean nowOffline = now.provider() == AgentConfig.Provider.OFFLINE;
        List<String> byModel = models.stream()
                .filter(model -> !model.equals(OfflineAgent.MODEL))
                .toList();
        if (nowOffline && written == 0 && batch.state() != org.canvasbatch.domain.session.SessionState.PENDING) {
            // nothing tells what it was started with (a tester's batch, stopped before its first note, went on
            // offline without a word): the learner who gave a model then must learn it now, before the notes come
            return Optional.of("no note of this batch is written yet, and no language model is configured now: its"
                    + " notes will be written by the offline agent (give the --model-provider and --model it was"
                    + " started with to have them written by that model)");
        }
        if (nowOffline && !byModel.isEmpty()) {
            return Optional.of(written + " note(s) of this batch were written by " + String.join(", ", byModel)
                    + "; the rest will be written by the offline agent, as no language model is configured now"
                    + " (give the same --model-provider and --model to keep them alike)");
        }
        if (!nowOffline && byModel.isEmpty() && models.contains(OfflineAgent.MODEL)) {
            return Optional.of(written + " note(s) of this batch were written by the offline agent; the rest will be"
                    + " written by " + now.provider().wireName() + " " + now.model());
        }
        return Optional.empty();
    }
}
