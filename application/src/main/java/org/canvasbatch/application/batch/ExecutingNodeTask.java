package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.batch.NoteProducer.NodeJob;
import org.canvasbatch.application.batch.NoteProducer.ProducedNote;
import org.canvasbatch.application.port.in.ExecuteNodeTaskUseCase;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest.RelatedQuestion;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.application.port.out.TaskExecutor;
import org.canvasbatch.application.port.out.TaskExecutor.TaskControl;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionConflict;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;

/**
 * Runs one started node task and records its outcome. Transient failures go back to the queue with a backoff while
 * attempts remain, for a batch's node and a person's rerun alike; a cancelled task's late result is dropped, because
 * the session no longer expects it.
 */
final class ExecutingNodeTask implements ExecuteNodeTaskUseCase {

    private static final System.Logger LOG = System.getLogger(ExecutingNodeTask.class.getName());

    private final SessionBook book;
    private final NoteProducer notes;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private final TaskExecutor executor;
    private final NodeDispatcher dispatcher;

    ExecutingNodeTask(
            SessionBook book,
            NoteProducer notes,
            RetryPolicy retryPolicy,
            Clock clock,
            TaskExecutor executor,
            NodeDispatcher dispatcher) {
        this.book = book;
        this.notes = notes;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
        this.executor = executor;
        this.dispatcher = dispatcher;
    }

    @Override
    public void execute(TaskAssignment assignment, TaskControl control) {
        Optional<NodeJob> job = jobFor(assignment);
        if (job.isEmpty()) {
            return;
        }
        long startNanos = System.nanoTime();
        try {
            ProducedNote produced = notes.produce(job.get(), () -> !control.cancelled() && !control.timedOut());
            long millis = elapsedMillis(startNanos);
            record(
                    assignment,
                    s -> s.recordSuccess(
                            assignment.nodeId(),
                            assignment.attempt(),
                            produced.note().path(),
                            produced.note().sizeBytes(),
                            millis,
                            produced.answer().markdown(),
                            produced.answer().model(),
                            clock.now()));
        } catch (AgentFailure failure) {
            failed(
                    assignment,
                    failure.getMessage(),
                    failure.errorType(),
                    failure.isTransient(),
                    failure.retryAfter(),
                    elapsedMillis(startNanos));
        } catch (InterruptedException interrupted) {
            if (control.timedOut()) {
                Duration limit =
                        book.read(assignment.sessionId(), s -> s.settings().nodeTimeout());
                failed(
                        assignment,
                        "The agent did not answer within " + limit.toSeconds() + " s",
                        "timeout",
                        true,
                        Optional.empty(),
                        elapsedMillis(startNanos));
            } else {
                LOG.log(System.Logger.Level.DEBUG, "node " + assignment.nodeId() + " interrupted: result discarded");
            }
        } catch (VaultException e) {
            failed(assignment, e.getMessage(), e.errorType(), false, Optional.empty(), elapsedMillis(startNanos));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "node " + assignment.nodeId() + " failed unexpectedly", e);
            failed(assignment, "Internal error: " + e, "internal", false, Optional.empty(), elapsedMillis(startNanos));
        }
    }

    private Optional<NodeJob> jobFor(TaskAssignment assignment) {
        try {
            return book.read(assignment.sessionId(), session -> {
                NodeTask task = session.task(assignment.nodeId());
                if (task.state() != NodeState.RUNNING || task.attempts() != assignment.attempt()) {
                    return Optional.empty();
                }
                Group group = session.group(task.groupId());
                List<RelatedQuestion> questions = session.groupTasks(group.id(), 64).stream()
                        .map(t -> new RelatedQuestion(t.text(), t.agent()))
                        .toList();
                return Optional.of(
                        new NodeJob(session.canvasPath(), task.nodeId(), task.text(), task.agent(), group, questions));
            });
        } catch (SessionNotFoundException e) {
            return Optional.empty();
        }
    }

    private void failed(
            TaskAssignment assignment,
            String message,
            String errorType,
            boolean transientFailure,
            Optional<Duration> retryAfter,
            long millis) {
        Instant now = clock.now();
        var delay = new java.util.concurrent.atomic.AtomicReference<Duration>();
        List<SessionEvent> events = record(assignment, s -> {
            if (transientFailure) {
                // the backoff grows with the attempts of this run: a person's rerun starts again from the first step
                int attemptOfRun = s.task(assignment.nodeId()).attemptsThisRun();
                delay.set(retryPolicy.delayAfter(attemptOfRun, retryAfter));
            }
            return s.recordFailure(
                    assignment.nodeId(),
                    assignment.attempt(),
                    message,
                    errorType,
                    transientFailure,
                    millis,
                    Optional.ofNullable(delay.get()).map(now::plus),
                    now);
        });
        wakeAtRetry(events);
    }

    /** A node sent back to wait out a backoff is dispatched when its time comes. */
    private void wakeAtRetry(List<SessionEvent> events) {
        for (SessionEvent event : events) {
            if (event instanceof TaskRetryScheduled retry) {
                Duration wait = Duration.between(clock.now(), retry.retryAt());
                executor.schedule(wait.isNegative() ? Duration.ZERO : wait, dispatcher::pump);
            }
        }
    }

    private List<SessionEvent> record(
            TaskAssignment assignment, java.util.function.Function<Session, List<SessionEvent>> outcome) {
        try {
            return recorded(assignment, book.change(assignment.sessionId(), outcome));
        } catch (SessionConflict | SessionNotFoundException e) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "late result for node " + assignment.nodeId() + " dropped: " + e.getMessage());
            return List.of();
        } catch (EventLogException e) {
            // the note is written but the journal refused its outcome: the outcome is held and recorded once the
            // journal takes events again, so the model is not asked twice (if the process stops first, the node is
            // still running in the journal and a restart runs it again)
            book.storage().hold(assignment.sessionId(), "the outcome of node " + assignment.nodeId(), () -> {
                try {
                    wakeAtRetry(recorded(assignment, book.change(assignment.sessionId(), outcome)));
                    return true;
                } catch (SessionConflict | SessionNotFoundException stale) {
                    return true;
                } catch (EventLogException refusedAgain) {
                    return false;
                }
            });
            return List.of();
        }
    }

    private List<SessionEvent> recorded(TaskAssignment assignment, List<SessionEvent> events) {
        // the end of a run, or a person's rerun after it: the next run reads the canvas as it is then
        if (events.stream().anyMatch(SessionFinished.class::isInstance)
                || !book.read(assignment.sessionId(), s -> s.state().isActive())) {
            notes.forgetCanvas(book.read(assignment.sessionId(), Session::canvasPath));
        }
        return events;
    }

    private static long elapsedMillis(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }
}
