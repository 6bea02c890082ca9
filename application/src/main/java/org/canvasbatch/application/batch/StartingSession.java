package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.StartSessionUseCase;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.TaskExecutor;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionConflict;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/** Starts a pending session: dispatch begins at once and the batch timeout is armed. */
final class StartingSession implements StartSessionUseCase {

    private static final System.Logger LOG = System.getLogger(StartingSession.class.getName());

    private final SessionBook book;
    private final NodeDispatcher dispatcher;
    private final TaskExecutor executor;
    private final Clock clock;
    private final PlanningGivenGroups planner;
    private final NoteProducer notes;
    private final CompletionEstimate estimate;
    private final NotesBeingWritten writing;
    /** Batches recovered paused: no timeout is armed for them until someone resumes them. */
    private final java.util.Set<SessionId> armedOnResume = java.util.concurrent.ConcurrentHashMap.newKeySet();

    StartingSession(
            SessionBook book,
            NodeDispatcher dispatcher,
            TaskExecutor executor,
            Clock clock,
            PlanningGivenGroups planner,
            NoteProducer notes,
            NotesBeingWritten writing,
            CompletionEstimate estimate) {
        this.book = book;
        this.writing = writing;
        this.estimate = estimate;
        this.dispatcher = dispatcher;
        this.executor = executor;
        this.clock = clock;
        this.planner = planner;
        this.notes = notes;
    }

    @Override
    public Started start(StartSessionCommand command) {
        SessionId id = command.sessionId();
        // the notes folder may have become a link since the analysis: found at the first note, every question of the
        // batch would be paid for and then refused
        book.readIfPresent(id, Session::canvasPath).ifPresent(notes::refuseUnwritableNotes);
        book.change(
                id,
                session -> session.start(
                        session.settings().withOverrides(command.maxConcurrent(), command.timeout()), clock.now()));
        // in a cluster the server that starts a batch runs it
        book.claim(id, clock.now());
        armTimeout(id);
        dispatcher.gatherFirstRound(id);
        dispatcher.pump();
        LOG.log(System.Logger.Level.INFO, "session " + id + " started");
        SessionSnapshot started = book.read(id, Session::snapshot);
        return new Started(started, estimate.completion(started));
    }

    @Override
    public Started startPlanned(StartPlannedBatchCommand command) {
        SessionId id = planner.plan(command);
        return start(new StartSessionCommand(id, command.maxConcurrent(), command.timeout()));
    }

    /** Arms (or, after a restart, re-arms) the whole-batch timeout of a running session. */
    void armTimeout(SessionId id) {
        arm(
                id,
                book.readIfPresent(
                        id,
                        s -> s.startedAt()
                                .map(started -> started.plus(s.settings().batchTimeout()))
                                .orElse(null)));
    }

    /**
     * Re-arms the whole-batch timeout of a session this process resumes from the journal (a restart, a stopped
     * {@code run} run again): the batch has what is left of its time after the {@code alreadyRan} it ran before, not its
     * start plus its timeout, so that the time it stood stopped does not count as run time.
     */
    void armTimeoutAfterRestart(SessionId id, Duration alreadyRan) {
        arm(
                id,
                book.readIfPresent(
                        id,
                        s -> s.startedAt()
                                .map(started -> clock.now()
                                        .plus(s.settings().batchTimeout())
                                        .minus(alreadyRan))
                                .orElse(null)));
    }

    /**
     * A batch this process recovered paused: nothing runs it here before someone resumes it (a {@code run} stopped
     * with Ctrl-C, which the same command finishes), so its time limit is armed at that resume, with what is left.
     */
    void armOnResume(SessionId id) {
        armedOnResume.add(id);
    }

    /** Arms the timeout of a batch recovered paused, now that it is resumed; nothing for any other batch. */
    void armIfRecoveredPaused(SessionId id) {
        if (armedOnResume.remove(id)) {
            armTimeoutAfterRestart(id, book.read(id, Session::ranUntilLastEvent));
        }
    }

    private void arm(SessionId id, Optional<Instant> deadline) {
        if (deadline.isEmpty()) {
            return;
        }
        Duration wait = Duration.between(clock.now(), deadline.get());
        executor.schedule(wait.isNegative() ? Duration.ZERO : wait, () -> timeOut(id));
    }

    /**
     * The timer of a batch that already ended (finished, cancelled, forgotten) is not cancelled but finds nothing to
     * do: it changes nothing, interrupts nothing (a person may be rerunning a node of it) and says nothing.
     */
    private void timeOut(SessionId id) {
        if (!tryTimeOut(id)) {
            // the batch is over its time but the journal refuses to say so: held, and ended once it takes events
            book.storage().hold(id, "the batch timeout", () -> tryTimeOut(id));
        }
    }

    /** Ends the batch as timed out (if it still runs); false when the journal refused to record it. */
    private boolean tryTimeOut(SessionId id) {
        boolean active = book.readIfPresent(id, s -> s.state().isActive()).orElse(false);
        // the notes being written as the time runs out count as written: recorded before the batch ends; the answers
        // that come meanwhile wait, and go once the end has interrupted their tasks
        if (active) {
            book.storage().tryHeldWritesNow();
        }
        Runnable open = active ? writing.closeAndAwait(id) : () -> {};
        try {
            List<SessionEvent> events;
            try {
                events = book.change(
                        id, session -> session.state().isActive() ? session.timeOut(clock.now()) : List.of());
            } catch (SessionConflict | SessionNotFoundException e) {
                return true;
            } catch (org.canvasbatch.application.port.out.EventLogException e) {
                return false;
            }
            if (events.isEmpty()) {
                return true;
            }
            dispatcher.interruptAll(id);
        } finally {
            open.run();
        }
        book.readIfPresent(id, Session::canvasPath).ifPresent(notes::forgetCanvas);
        LOG.log(System.Logger.Level.WARNING, "session " + id + " exceeded its batch timeout");
        return true;
    }
}
