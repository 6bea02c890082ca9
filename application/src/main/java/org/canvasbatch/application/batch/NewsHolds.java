package org.canvasbatch.application.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * Holds back what a session's watchers hear while someone must be told first: events are stored as always, but a
 * watcher's listener receives them only once every hold on the session is released, then all of them, in order. A
 * cancel over HTTP holds its session until its answer is written, so no socket carries the session's end before the
 * canceller has its answer.
 */
final class NewsHolds {

    /** One session's holds and the news they keep back, in the order it came. */
    private static final class Gate {
        int holds;
        final List<Runnable> waiting = new ArrayList<>();
    }

    private final Map<SessionId, Gate> gates = new ConcurrentHashMap<>();

    /** {@code listener} as a watcher of {@code sessionId}: it hears nothing while the session is held. */
    Consumer<SessionEvent> watcher(SessionId sessionId, Consumer<SessionEvent> listener) {
        return event -> {
            Gate gate = gates.get(sessionId);
            if (gate != null) {
                synchronized (gate) {
                    if (gate.holds > 0 && gates.get(sessionId) == gate) {
                        gate.waiting.add(() -> listener.accept(event));
                        return;
                    }
                }
            }
            listener.accept(event);
        };
    }

    /** Holds the session's news until the returned release runs (once; running it again does nothing). */
    Runnable hold(SessionId sessionId) {
        Gate gate;
        while (true) {
            gate = gates.computeIfAbsent(sessionId, id -> new Gate());
            synchronized (gate) {
                // a gate released meanwhile has left the map: take a new one
                if (gates.get(sessionId) == gate) {
                    gate.holds++;
                    break;
                }
            }
        }
        Gate held = gate;
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                release(sessionId, held);
            }
        };
    }

    private void release(SessionId sessionId, Gate gate) {
        synchronized (gate) {
            gate.holds--;
            if (gate.holds > 0) {
                return;
            }
            // delivered under the gate's lock: news that comes meanwhile waits for it, so the order stays the order
            gate.waiting.forEach(Runnable::run);
            gate.waiting.clear();
            gates.remove(sessionId, gate);
            gate.notifyAll();
        }
    }

    /** Whether someone holds the session's news right now. */
    boolean held(SessionId sessionId) {
        Gate gate = gates.get(sessionId);
        if (gate == null) {
            return false;
        }
        synchronized (gate) {
            return gate.holds > 0 && gates.get(sessionId) == gate;
        }
    }

    /**
     * Waits (at most {@code patience}) until no one holds the session's news. A reader of the stored history would
     * otherwise read what the watchers are held back from, e.g. a cancellation before its canceller has the answer.
     */
    void awaitUnheld(SessionId sessionId, java.time.Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        Gate gate = gates.get(sessionId);
        if (gate == null) {
            return;
        }
        synchronized (gate) {
            long left;
            while (gate.holds > 0 && gates.get(sessionId) == gate && (left = deadline - System.nanoTime()) > 0) {
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(gate, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
