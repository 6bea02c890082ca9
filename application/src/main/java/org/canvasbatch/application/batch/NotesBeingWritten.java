package org.canvasbatch.application.batch;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.canvasbatch.domain.session.SessionId;

/**
 * The notes of each session being written after their agents answered. A cancel or a batch timeout that ends the
 * session while one is being written would drop its outcome as late although the note is in the vault and linked into
 * the canvas, and the plugin's summary would list that question as never processed. So ending a session first closes
 * it here: the notes already being written are recorded, an answer that arrives meanwhile waits, and only then is the
 * end stored (and the answers that waited find their task cancelled).
 */
final class NotesBeingWritten {

    private static final System.Logger LOG = System.getLogger(NotesBeingWritten.class.getName());

    /** How long an end waits for notes being written: a note's write takes milliseconds, a stuck disk for ever. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    /** One session's writers and those ending it. */
    private static final class Gate {
        int writing;
        int closing;
    }

    private final Map<SessionId, Gate> gates = new ConcurrentHashMap<>();

    /**
     * Admits the writing of one of the session's notes, waiting while the session is being ended.
     *
     * @return what to run once the note's outcome is recorded (or given up); exactly once
     * @throws InterruptedException when interrupted while waiting: the end stopped this task
     */
    Runnable enter(SessionId sessionId) throws InterruptedException {
        while (true) {
            Gate gate = gates.computeIfAbsent(sessionId, id -> new Gate());
            synchronized (gate) {
                while (gate.closing > 0 && gates.get(sessionId) == gate) {
                    gate.wait();
                }
                // an interrupt and the opening may come together, and the wait then returns without a word
                if (Thread.interrupted()) {
                    throw new InterruptedException("the session's end stopped this task");
                }
                // a gate let go meanwhile has left the map: take the one there now
                if (gates.get(sessionId) == gate) {
                    gate.writing++;
                    return once(() -> leave(sessionId, gate));
                }
            }
        }
    }

    /** {@link #closeAndAwait(SessionId, Duration)} with {@link #PATIENCE}. */
    Runnable closeAndAwait(SessionId sessionId) {
        return closeAndAwait(sessionId, PATIENCE);
    }

    /**
     * Closes the session to new notes and waits, at most {@code patience}, until the notes being written are recorded.
     *
     * @return what opens it again once the end is stored (or refused); exactly once
     */
    Runnable closeAndAwait(SessionId sessionId, Duration patience) {
        Gate gate;
        while (true) {
            gate = gates.computeIfAbsent(sessionId, id -> new Gate());
            synchronized (gate) {
                if (gates.get(sessionId) == gate) {
                    gate.closing++;
                    break;
                }
            }
        }
        Gate closed = gate;
        long deadline = System.nanoTime() + patience.toNanos();
        synchronized (closed) {
            try {
                for (long left = patience.toNanos();
                        closed.writing > 0 && left > 0;
                        left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(closed, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closed.writing > 0) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "session " + sessionId + " ends with " + closed.writing + " note(s) still being written after "
                                + patience.toSeconds() + " s; their outcome will not be recorded");
            }
        }
        return once(() -> open(sessionId, closed));
    }

    private void leave(SessionId sessionId, Gate gate) {
        synchronized (gate) {
            gate.writing--;
            gate.notifyAll();
            forgetIfIdle(sessionId, gate);
        }
    }

    private void open(SessionId sessionId, Gate gate) {
        synchronized (gate) {
            gate.closing--;
            gate.notifyAll();
            forgetIfIdle(sessionId, gate);
        }
    }

    private void forgetIfIdle(SessionId sessionId, Gate gate) {
        if (gate.writing == 0 && gate.closing == 0) {
            gates.remove(sessionId, gate);
        }
    }

    private static Runnable once(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }
}
