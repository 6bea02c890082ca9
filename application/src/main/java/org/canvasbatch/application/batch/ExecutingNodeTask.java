package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.canvasbatch.application.batch.NoteProducer.NodeJob;
import org.canvasbatch.application.batch.NoteProducer.ProducedNote;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.EventLogException;
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
import org.canvasbatch.domain.session.SessionId;

/**
 * Runs one started node task and records its outcome. Transient failures go back to the queue with a backoff while
 * attempts remain, for a batch's node and a person's rerun alike; a cancelled task's late result is dropped, because
 * the session no longer expects it. The {@link NodeDispatcher} that started the task owns it: it hands the task here
 * and is told when a backoff ends, so that it wakes up then.
 */
final class ExecutingNodeTask {

    private static final System.Logger LOG = System.getLogger(ExecutingNodeTask.class.getName());

    private final SessionBook book;
    private final NoteProducer notes;
    private final NotesBeingWritten writing;
    private final RetryPolicy retryPolicy;
    private final Clock clock;

    /** One started attempt of a session's node: the {@code TaskStarted} the dispatcher recorded. */
    record Assignment(SessionId sessionId, String nodeId, int attempt) {}

    /**
     * The attempt's hold on a dispatcher slot. The slot is for the agent call alone: it is given back the moment the
     * agent answers, and the note, its link into the canvas and the outcome's journal append go on without it.
     */
    interface CallSlot {
        /** The agent answered or gave up: the next call may take the slot while this attempt finishes. */
        void agentDone();

        /** The attempt's request is ready and about to go to the agent. */
        default void callReady() {}

        /**
         * Called under the session's lock as the outcome is recorded: from then on the node no longer counts as
         * running in its session, so it must stop counting as one that answered. Harmless when called again.
         */
        void outcomeRecorded();
    }

    ExecutingNodeTask(
            SessionBook book, NoteProducer notes, NotesBeingWritten writing, RetryPolicy retryPolicy, Clock clock) {
        this.book = book;
        this.writing = writing;
        this.notes = notes;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
    }

    /**
     * Runs the attempt and records its outcome.
     *
     * @param job    what the dispatcher read about the node as it started it ({@link #jobOf}), so that the agent call
     *               waits for no lock of the session: another node's outcome may be being journaled under it
     * @param wakeAt told when the dispatcher should look again: when a node sent back to wait out a backoff may start,
     *               and, for an outcome held during a storage outage, once it is recorded
     * @param slot   given back the moment the agent answers, before the note is written
     */
    void execute(Assignment assignment, NodeJob job, TaskControl control, Consumer<Instant> wakeAt, CallSlot slot) {
        var written = new NoteBeingWritten(assignment.sessionId(), control);
        try {
            execute(assignment, job, control, wakeAt, slot, written);
        } finally {
            written.recorded();
        }
    }

    /**
     * The answer's note as one of those being written for its session ({@link NotesBeingWritten}): admitted once the
     * agent has answered, if the task is still wanted, until its outcome is recorded.
     */
    private final class NoteBeingWritten implements java.util.function.BooleanSupplier {
        private final SessionId sessionId;
        private final TaskControl control;
        private Runnable leave = () -> {};

        NoteBeingWritten(SessionId sessionId, TaskControl control) {
            this.sessionId = sessionId;
            this.control = control;
        }

        /** Whether the answer is still wanted; if so, its note counts as being written from now on. */
        @Override
        public boolean getAsBoolean() {
            if (control.cancelled() || control.timedOut()) {
                return false;
            }
            try {
                leave = writing.enter(sessionId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            // the session may have been ended while this waited: then the end has interrupted this task
            return !control.cancelled()
                    && !control.timedOut()
                    && !Thread.currentThread().isInterrupted();
        }

        /** The attempt is over: its note no longer counts as being written, unless its outcome waits to be recorded. */
        void recorded() {
            if (!outcomeHeld) {
                leave.run();
            }
        }

        /**
         * The journal refused the outcome of the note written: it still counts as being written until the held outcome
         * is recorded (or dropped), so that an end stored meanwhile does not list its question as never processed.
         *
         * @return what to run once the held outcome is recorded or dropped
         */
        Runnable outcomeHeld() {
            outcomeHeld = true;
            return leave;
        }

        private boolean outcomeHeld;
    }

    private void execute(
            Assignment assignment,
            NodeJob job,
            TaskControl control,
            Consumer<Instant> wakeAt,
            CallSlot slot,
            NoteBeingWritten stillWanted) {
        long startNanos = System.nanoTime();
        try {
            ProducedNote produced = notes.produce(job, stillWanted, slot::callReady, slot::agentDone);
            long millis = elapsedMillis(startNanos);
            record(
                    assignment,
                    wakeAt,
                    slot,
                    stillWanted,
                    s -> s.recordSuccess(
                            assignment.nodeId(),
                            assignment.attempt(),
                            produced.note().path(),
                            produced.note().sizeBytes(),
                            millis,
                            produced.answer().markdown(),
                            produced.answer().model(),
                            produced.note().linkProblem(),
                            clock.now()));
        } catch (AgentFailure failure) {
            failed(
                    assignment,
                    wakeAt,
                    slot,
                    failure.getMessage(),
                    failure.errorType(),
                    failure.isTransient(),
                    failure.retryAfter(),
                    elapsedMillis(startNanos));
        } catch (InterruptedException interrupted) {
            interrupted(assignment, control, wakeAt, slot, startNanos);
        } catch (UnwrittenNote unwritten) {
            holdUntilThereIsRoom(assignment, wakeAt, slot, unwritten, elapsedMillis(startNanos));
        } catch (VaultException e) {
            if (Thread.currentThread().isInterrupted()) {
                // the note's write was cut off by the interrupt (a channel closed by it), not by the vault: a timeout
                // or a stop, as if it had come during the call; never a lasting failure of the node
                interrupted(assignment, control, wakeAt, slot, startNanos);
                return;
            }
            failed(
                    assignment,
                    wakeAt,
                    slot,
                    e.getMessage(),
                    e.errorType(),
                    false,
                    Optional.empty(),
                    elapsedMillis(startNanos));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "node " + assignment.nodeId() + " failed unexpectedly", e);
            failed(
                    assignment,
                    wakeAt,
                    slot,
                    "Internal error: " + e,
                    "internal",
                    false,
                    Optional.empty(),
                    elapsedMillis(startNanos));
        }
    }

    /**
     * The attempt's thread was interrupted: by the node's timeout, a retryable failure; otherwise by a cancel or a stop,
     * whose node is not this attempt's to record (a stopped batch's next run sends it again).
     */
    private void interrupted(
            Assignment assignment, TaskControl control, Consumer<Instant> wakeAt, CallSlot slot, long startNanos) {
        if (control.timedOut()) {
            Duration limit = book.read(assignment.sessionId(), s -> s.settings().nodeTimeout());
            failed(
                    assignment,
                    wakeAt,
                    slot,
                    "The agent did not answer within " + limit.toSeconds() + " s",
                    "timeout",
                    true,
                    Optional.empty(),
                    elapsedMillis(startNanos));
        } else {
            LOG.log(System.Logger.Level.DEBUG, "node " + assignment.nodeId() + " interrupted: result discarded");
        }
    }

    /**
     * The vault's disk is full: nothing new starts (no model call for a note that could not be written), and this
     * note, as the model wrote it, is written once there is room, then recorded as the node's success; the batch goes
     * on by itself. Another vault error on the next try fails the node as any would.
     */
    private void holdUntilThereIsRoom(
            Assignment assignment, Consumer<Instant> wakeAt, CallSlot slot, UnwrittenNote unwritten, long millis) {
        book.storage().hold(assignment.sessionId(), "the note of node " + assignment.nodeId(), () -> {
            // counted as being written, as the first try was: a cancel or a batch timeout either waits for this note
            // to be recorded, or comes first and this note is not written at all
            Runnable leave;
            try {
                leave = writing.enter(assignment.sessionId());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                return writeHeld(assignment, wakeAt, slot, unwritten, millis);
            } finally {
                leave.run();
            }
        });
        // held first: the outage's first check must find it, or it would end the outage with nothing held
        String message = unwritten.refusal().getMessage();
        book.storage()
                .vaultFull(
                        assignment.sessionId(),
                        message.endsWith(".") ? message.substring(0, message.length() - 1) : message);
    }

    /** One more try of a note the full vault refused: true once it is written and recorded, or no longer wanted. */
    private boolean writeHeld(
            Assignment assignment, Consumer<Instant> wakeAt, CallSlot slot, UnwrittenNote unwritten, long millis) {
        boolean stillRunning = book.readIfPresent(assignment.sessionId(), s -> {
                    if (jobOf(s, assignment).isPresent()) {
                        return true;
                    }
                    // under the session's lock, as a late outcome's drop would be
                    slot.outcomeRecorded();
                    return false;
                })
                .orElse(false);
        if (!stillRunning) {
            // the batch ended (a cancel, its timeout) while the note waited for room: its question is listed as not
            // processed, so its note must not appear in the vault and the canvas after all
            LOG.log(
                    System.Logger.Level.INFO,
                    "the held note of node " + assignment.nodeId() + " is dropped: its batch ended meanwhile");
            wakeAt.accept(clock.now());
            return true;
        }
        ProducedNote written;
        try {
            written = notes.writeAgain(unwritten);
        } catch (VaultException again) {
            if (again.reason() == VaultException.Reason.FULL) {
                return false;
            }
            failed(assignment, wakeAt, slot, again.getMessage(), again.errorType(), false, Optional.empty(), millis);
            wakeAt.accept(clock.now());
            return true;
        }
        record(
                assignment,
                wakeAt,
                slot,
                s -> s.recordSuccess(
                        assignment.nodeId(),
                        assignment.attempt(),
                        written.note().path(),
                        written.note().sizeBytes(),
                        millis,
                        written.answer().markdown(),
                        written.answer().model(),
                        written.note().linkProblem(),
                        clock.now()));
        // the node held its session's slot until now: another may start at once
        wakeAt.accept(clock.now());
        return true;
    }

    /** What the attempt needs to know about its node; empty if the node no longer runs this attempt. */
    static Optional<NodeJob> jobOf(Session session, Assignment assignment) {
        NodeTask task = session.task(assignment.nodeId());
        if (task.state() != NodeState.RUNNING || task.attempts() != assignment.attempt()) {
            return Optional.empty();
        }
        return Optional.of(jobOf(session, task));
    }

    /**
     * The jobs of the nodes the session starts next, as their starts will read them: as many as it runs at once.
     */
    static List<NodeJob> nextJobsOf(Session session, Instant now) {
        return session.dispatchable(session.settings().maxConcurrent(), now).stream()
                .map(nodeId -> jobOf(session, session.task(nodeId)))
                .toList();
    }

    /**
     * Has what the agent will be asked for these nodes gathered before they start, unless the run of their canvas that
     * was {@code generation} ended; see {@link NoteProducer#gatherAhead(List, long)}.
     */
    void gatherAhead(List<NodeJob> jobs, long generation) {
        notes.gatherAhead(jobs, generation);
    }

    /** The run of the canvas now, taken as a gathering ahead begins; see {@link NoteProducer#generation}. */
    long generation(String canvasPath) {
        return notes.generation(canvasPath);
    }

    /** See {@link NoteProducer#dropGatheredAhead}. */
    void dropGatheredAhead(String canvasPath) {
        notes.dropGatheredAhead(canvasPath);
    }

    /**
     * As {@link #gatherAhead}, for the first round of a run that just started: its canvas is read for it now, unless
     * the run ended before this gathering got to it (the next run reads the canvas as it is then).
     */
    void gatherAheadOfRun(List<NodeJob> jobs, long generation) {
        if (jobs.isEmpty()) {
            return;
        }
        try {
            if (!notes.canvasOfRun(jobs.getFirst().canvasPath(), generation)) {
                return;
            }
        } catch (RuntimeException e) {
            return;
        }
        notes.gatherAhead(jobs, generation);
    }

    private static NodeJob jobOf(Session session, NodeTask task) {
        Group group = session.group(task.groupId());
        List<NoteProducer.GroupQuestion> questions = session.groupTasks(group.id(), 64).stream()
                .map(t -> new NoteProducer.GroupQuestion(t.nodeId(), t.text(), t.agent()))
                .toList();
        return new NodeJob(session.canvasPath(), task.nodeId(), task.text(), task.agent(), group, questions);
    }

    private void failed(
            Assignment assignment,
            Consumer<Instant> wakeAt,
            CallSlot slot,
            String message,
            String errorType,
            boolean transientFailure,
            Optional<Duration> retryAfter,
            long millis) {
        Instant now = clock.now();
        var delay = new java.util.concurrent.atomic.AtomicReference<Duration>();
        record(assignment, wakeAt, slot, s -> {
            boolean again = transientFailure;
            String said = message;
            delay.set(null);
            if (transientFailure) {
                // the backoff grows with the attempts of this run: a person's rerun starts again from the first step
                NodeTask task = s.task(assignment.nodeId());
                int attemptOfRun = task.attemptsThisRun();
                Duration wait = retryPolicy.delayAfter(attemptOfRun, retryAfter);
                // a person's rerun keeps its retry (its caller is told how long to wait); a batch's node is not
                Optional<Instant> deadline = task.rerun() || s.finishedAt().isPresent()
                        ? Optional.empty()
                        : s.startedAt().map(started -> started.plus(s.settings().batchTimeout()));
                if (deadline.isPresent() && now.plus(wait).isAfter(deadline.get())) {
                    // a retry the batch's time limit will not wait for: the learner is told the server's words now,
                    // not "the batch exceeded its timeout" later
                    again = false;
                    said = message + " (" + waitAsked(retryAfter, wait) + ", past the batch's time limit)";
                } else {
                    delay.set(wait);
                }
            }
            return s.recordFailure(
                    assignment.nodeId(),
                    assignment.attempt(),
                    said,
                    errorType,
                    again,
                    millis,
                    Optional.ofNullable(delay.get()).map(now::plus),
                    now);
        });
    }

    /** Records an outcome; a node sent back to wait out a backoff is announced to {@code wakeAt}. */
    private void record(
            Assignment assignment,
            Consumer<Instant> wakeAt,
            CallSlot slot,
            java.util.function.Function<Session, List<SessionEvent>> recordOutcome) {
        record(assignment, wakeAt, slot, null, recordOutcome);
    }

    /**
     * @param written the note whose outcome this is, counted as being written until the outcome is recorded; null for
     *                an outcome without a note written now
     */
    private void record(
            Assignment assignment,
            Consumer<Instant> wakeAt,
            CallSlot slot,
            NoteBeingWritten written,
            java.util.function.Function<Session, List<SessionEvent>> recordOutcome) {
        java.util.function.Function<Session, List<SessionEvent>> outcome = s -> {
            slot.outcomeRecorded();
            return recordOutcome.apply(s);
        };
        try {
            announceRetries(recorded(assignment, book.changeTogether(assignment.sessionId(), outcome)), wakeAt);
        } catch (SessionConflict | SessionNotFoundException e) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "late result for node " + assignment.nodeId() + " dropped: " + e.getMessage());
        } catch (org.canvasbatch.application.port.out.EventLogConflict e) {
            // another server's events took the session's next seqs race after race, or its history there is damaged:
            // the store works, so holding the outcome for an outage's end would only block that end when one comes
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the outcome of node " + assignment.nodeId() + " of session " + assignment.sessionId()
                            + " is not recorded: " + e.getMessage());
        } catch (EventLogException e) {
            // the note is written but the journal refused its outcome: the outcome is held and recorded once the
            // journal takes events again, so the model is not asked twice (if the process stops first, the node is
            // still running in the journal and a restart runs it again)
            Runnable noLongerWritten = written == null ? () -> {} : written.outcomeHeld();
            book.storage().hold(assignment.sessionId(), "the outcome of node " + assignment.nodeId(), () -> {
                try {
                    announceRetries(recorded(assignment, book.change(assignment.sessionId(), outcome)), wakeAt);
                    noLongerWritten.run();
                    // the node held its session's slot until now: another may start at once
                    wakeAt.accept(clock.now());
                    return true;
                } catch (SessionConflict
                        | SessionNotFoundException
                        | org.canvasbatch.application.port.out.EventLogConflict stale) {
                    noLongerWritten.run();
                    return true;
                } catch (EventLogException refusedAgain) {
                    return false;
                }
            });
        }
    }

    private static void announceRetries(List<SessionEvent> events, Consumer<Instant> wakeAt) {
        for (SessionEvent event : events) {
            if (event instanceof TaskRetryScheduled retry) {
                wakeAt.accept(retry.retryAt());
            }
        }
    }

    private List<SessionEvent> recorded(Assignment assignment, List<SessionEvent> events) {
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

    /**
     * What the server asked for, in the words a learner reads: its own wait when it named one (one of an hour is the
     * most an adapter keeps of a longer one), else the backoff's.
     */
    private static String waitAsked(Optional<Duration> retryAfter, Duration wait) {
        if (retryAfter.isEmpty()) {
            return "the next try would wait " + wait.toSeconds() + " s";
        }
        if (retryAfter.get().compareTo(Duration.ofHours(1)) >= 0) {
            return "it asked to wait an hour or more";
        }
        return "it asked to wait " + retryAfter.get().toSeconds() + " s";
    }
}
