package org.canvasbatch.application.batch;

import org.canvasbatch.application.port.in.CancelSessionUseCase;
import org.canvasbatch.application.port.in.ChangeGroupPriorityUseCase;
import org.canvasbatch.application.port.in.PauseSessionUseCase;
import org.canvasbatch.application.port.in.ResumeSessionUseCase;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionState;

/** A person steering a running batch: cancel, pause, resume, reprioritise. */
final class SteeringSession
        implements CancelSessionUseCase, PauseSessionUseCase, ResumeSessionUseCase, ChangeGroupPriorityUseCase {

    private static final System.Logger LOG = System.getLogger(SteeringSession.class.getName());

    /**
     * How long a cancel asked of the cluster's server running the batch waits for the end: that server first waits up
     * to {@link NotesBeingWritten#PATIENCE} for its notes being written, then stores the end, which reaches here by the
     * log.
     */
    static final java.time.Duration HOLDER_PATIENCE = NotesBeingWritten.PATIENCE.plusSeconds(3);

    private static final java.time.Duration HOLDER_POLL = java.time.Duration.ofMillis(25);

    private final SessionBook book;
    private final NodeDispatcher dispatcher;
    private final NoteProducer notes;
    private final NotesBeingWritten writing;
    private final Clock clock;
    private final NewsHolds holds;
    private final StartingSession starting;

    SteeringSession(
            SessionBook book,
            NodeDispatcher dispatcher,
            NoteProducer notes,
            NotesBeingWritten writing,
            Clock clock,
            NewsHolds holds,
            StartingSession starting) {
        this.book = book;
        this.writing = writing;
        this.starting = starting;
        this.dispatcher = dispatcher;
        this.notes = notes;
        this.clock = clock;
        this.holds = holds;
    }

    @Override
    public Cancellation cancelAnsweringFirst(SessionId sessionId, String reason) {
        Runnable release = holds.hold(sessionId);
        SessionSnapshot cancelled;
        try {
            cancelled = cancel(sessionId, reason);
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
        return new Cancellation() {
            @Override
            public SessionSnapshot snapshot() {
                return cancelled;
            }

            @Override
            public void close() {
                release.run();
            }
        };
    }

    @Override
    public SessionSnapshot cancel(SessionId sessionId, String reason) {
        boolean active = book.read(sessionId, s -> s.state().isActive());
        // in a cluster the server running the batch cancels it: only it knows which of its notes are being written.
        // A batch that ended otherwise meanwhile (finished, timed out) goes on below, answered as any ended batch is
        if (active
                && cancelledByItsServer(sessionId, reason)
                && book.read(sessionId, Session::state) == SessionState.CANCELLED) {
            notes.forgetCanvas(book.read(sessionId, Session::canvasPath));
            LOG.log(
                    System.Logger.Level.INFO,
                    "session " + sessionId + " cancelled by the server running it (" + reason + ", asked here)");
            return book.read(sessionId, Session::snapshot);
        }
        // a note being written as the learner cancels is in the vault: recorded as done before the batch ends, so no
        // summary lists it as never processed; the answers that come meanwhile wait, and go once the cancel has
        // interrupted their tasks
        if (active) {
            // an outcome the journal refused once, whose note is in the vault, is recorded first if it can be now
            book.storage().tryHeldWritesNow();
        }
        Runnable open = active ? writing.closeAndAwait(sessionId) : () -> {};
        try {
            book.change(sessionId, s -> s.cancel(reason, clock.now()));
            dispatcher.interruptAll(sessionId);
        } finally {
            open.run();
        }
        notes.forgetCanvas(book.read(sessionId, Session::canvasPath));
        LOG.log(System.Logger.Level.INFO, "session " + sessionId + " cancelled (" + reason + ")");
        return book.read(sessionId, Session::snapshot);
    }

    /**
     * Asks the other server of a cluster that runs the session to cancel it, and waits until the log shows the end; false
     * (the cancel is then stored here) when no other server runs it, or the one asked has not ended it in time: it died
     * meanwhile, or cannot reach the database.
     */
    private boolean cancelledByItsServer(SessionId sessionId, String reason) {
        if (!book.askHolderToCancel(sessionId, reason)) {
            return false;
        }
        long deadline = System.nanoTime() + HOLDER_PATIENCE.toNanos();
        while (book.read(sessionId, s -> s.state().isActive())) {
            if (System.nanoTime() - deadline > 0) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "the server running session " + sessionId + " did not end it within "
                                + HOLDER_PATIENCE.toSeconds() + " s of being asked: cancelled here");
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(HOLDER_POLL.toNanos());
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public SessionSnapshot pause(SessionId sessionId, String reason) {
        book.change(sessionId, s -> s.pause(reason, clock.now()));
        // the learner may edit the vault while paused: what was gathered for the next nodes is gathered again
        notes.dropGatheredAhead(book.read(sessionId, Session::canvasPath));
        LOG.log(System.Logger.Level.INFO, "session " + sessionId + " paused");
        return book.read(sessionId, Session::snapshot);
    }

    @Override
    public SessionSnapshot resume(SessionId sessionId, String reason) {
        // the notes folder may have become a link while the batch was paused: it stays paused rather than have its
        // questions paid for and refused at their notes
        book.readIfPresent(sessionId, Session::canvasPath).ifPresent(notes::refuseUnwritableNotes);
        book.change(sessionId, s -> s.resume(reason, clock.now()));
        // in a cluster: runs here if no server holds it; else the server that does hears of the resume and goes on
        book.claim(sessionId, clock.now());
        // a batch recovered paused has had no timeout armed: it runs again from now
        starting.armIfRecoveredPaused(sessionId);
        dispatcher.pump();
        LOG.log(System.Logger.Level.INFO, "session " + sessionId + " resumed");
        return book.read(sessionId, Session::snapshot);
    }

    @Override
    public SessionSnapshot changePriority(SessionId sessionId, int groupId, Priority priority) {
        book.change(sessionId, s -> s.changePriority(groupId, priority, clock.now()));
        return book.read(sessionId, Session::snapshot);
    }
}
