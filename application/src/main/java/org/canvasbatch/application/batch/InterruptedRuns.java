package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.Vault.FoundNote;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionEvent;

/**
 * What becomes of the nodes a stopped process left running, when a restart or another server of a cluster takes their
 * session on. A node whose interrupted run had already written its note (its outcome held while the journal's disk was
 * full, or the process died between the note and the append) has in truth succeeded: it is recorded so from the note
 * in the vault, not run again — and never failed as "interrupted during its last attempt" while its note is there.
 * Every other such node goes back to the queue, or fails on its last attempt, as the session decides.
 */
final class InterruptedRuns {

    private static final System.Logger LOG = System.getLogger(InterruptedRuns.class.getName());

    private final Vault vault;

    InterruptedRuns(Vault vault) {
        this.vault = vault;
    }

    List<SessionEvent> settle(Session session, Instant now) {
        List<SessionEvent> events = new ArrayList<>();
        for (NodeTask task : session.tasks()) {
            if (task.state() != NodeState.RUNNING || task.startedAt() == null) {
                continue;
            }
            Optional<FoundNote> note = noteOf(session, task);
            if (note.isEmpty()) {
                continue;
            }
            FoundNote found = note.get();
            long millis = Math.max(
                    0, Duration.between(task.startedAt(), found.generatedAt()).toMillis());
            events.addAll(session.recordSuccess(
                    task.nodeId(),
                    task.attempts(),
                    found.path(),
                    found.sizeBytes(),
                    millis,
                    found.markdown(),
                    found.model(),
                    found.linkProblem(),
                    now));
            LOG.log(
                    System.Logger.Level.INFO,
                    "node " + task.nodeId() + " of session " + session.id() + " had written its note '" + found.path()
                            + "' before the stop: recorded as done, not run again");
        }
        events.addAll(session.requeueInterrupted(now));
        return events;
    }

    private Optional<FoundNote> noteOf(Session session, NodeTask task) {
        try {
            return vault.noteWrittenSince(session.canvasPath(), task.nodeId(), task.agent(), task.startedAt());
        } catch (RuntimeException e) {
            // a vault that cannot be read now: the node runs again, as it would have without this look
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "could not look for the note of node " + task.nodeId() + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
