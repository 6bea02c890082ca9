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

    /**
     * For {@code run}'s resume: a batch stopped before its first note keeps no word of what it was started with, so it
     * went on offline without one when the model options were left out (a tester). Said as what is known: no model is
     * configured now, and the offline agent writes its notes; not for a server, which would warn of every such batch
     * started offline at every start.
     */
    static Optional<String> unknownWriter(SessionSnapshot batch, AgentConfig now) {
        boolean started =
                !batch.state().isTerminal() && batch.state() != org.canvasbatch.domain.session.SessionState.PENDING;
        boolean noNote = batch.tasks().stream().noneMatch(task -> task.state() == NodeState.SUCCEEDED);
        if (!started || !noNote || now.provider() != AgentConfig.Provider.OFFLINE) {
            return Optional.empty();
        }
        return Optional.of("no note of this batch is written yet, so what it was started with is not known: the offline"
                + " agent will write its notes, as no language model is configured now (if it was started with one,"
                + " stop and give the same --model-provider and --model)");
    }
}
