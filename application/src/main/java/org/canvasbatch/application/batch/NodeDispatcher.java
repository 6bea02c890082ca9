package org.canvasbatch.application.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.canvasbatch.application.port.in.ExecuteNodeTaskUseCase;
import org.canvasbatch.application.port.in.ExecuteNodeTaskUseCase.TaskAssignment;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.application.port.out.TaskExecutor;
import org.canvasbatch.application.port.out.TaskExecutor.RunningTask;
import org.canvasbatch.domain.session.DispatchPlanner;
import org.canvasbatch.domain.session.DispatchPlanner.Dispatch;
import org.canvasbatch.domain.session.DispatchPlanner.Offer;
import org.canvasbatch.domain.session.SessionConflict;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionId;

/**
 * Hands queued node tasks to the executor whenever capacity frees up, never more than the global limit in flight and
 * never more than each session's own limit; which tasks go is the domain's {@link DispatchPlanner} decision.
 */
final class NodeDispatcher {

    private static final System.Logger LOG = System.getLogger(NodeDispatcher.class.getName());

    private final SessionBook book;
    private final TaskExecutor executor;
    private final Clock clock;
    private final int globalLimit;
    private final Object pumpLock = new Object();
    private final Map<TaskKey, TaskSlot> inFlight = new ConcurrentHashMap<>();
    private ExecuteNodeTaskUseCase executeNode;
    private int busySlots;
    private volatile boolean stopped;

    record TaskKey(SessionId sessionId, String nodeId, int attempt) {}

    /** Holds a running task's handle; a cancel that arrives before the handle is known is applied when it is. */
    private static final class TaskSlot {
        private RunningTask handle;
        private boolean cancelRequested;

        synchronized void attach(RunningTask running) {
            handle = running;
            if (cancelRequested) {
                running.cancel();
            }
        }

        synchronized void cancel() {
            cancelRequested = true;
            if (handle != null) {
                handle.cancel();
            }
        }
    }

    NodeDispatcher(SessionBook book, TaskExecutor executor, Clock clock, int globalLimit) {
        this.book = book;
        this.executor = executor;
        this.clock = clock;
        this.globalLimit = globalLimit;
    }

    void executeWith(ExecuteNodeTaskUseCase useCase) {
        this.executeNode = useCase;
    }

    /** Starts as many queued tasks as the limits allow. Cheap to call whenever something may have freed capacity. */
    void pump() {
        // while the journal refuses events nothing starts: its TaskStarted could not be recorded (the storage watch
        // wakes the dispatcher once the journal takes events again)
        if (stopped || book.storage().troubled()) {
            return;
        }
        synchronized (pumpLock) {
            int free = globalLimit - busySlots;
            if (free <= 0) {
                return;
            }
            Instant now = clock.now();
            List<Offer> offers = new ArrayList<>();
            for (SessionId id : book.runningIds()) {
                book.readIfPresent(id, s -> Offer.of(s, free, now)).ifPresent(offers::add);
            }
            for (Dispatch dispatch : DispatchPlanner.planOffers(offers, free)) {
                start(dispatch, now);
            }
        }
    }

    private void start(Dispatch dispatch, Instant now) {
        if (book.storage().troubled()) {
            return;
        }
        List<SessionEvent> events;
        try {
            events = book.change(dispatch.sessionId(), s -> s.startTask(dispatch.nodeId(), now));
        } catch (SessionConflict | SessionNotFoundException e) {
            return; // the session changed since the offer (cancelled, paused): nothing to start
        } catch (EventLogException e) {
            // nothing starts that the journal cannot record; the node stays queued, its attempts unchanged, and the
            // storage watch (which logged the outage once) wakes the dispatcher when the journal takes events again
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "not starting node " + dispatch.nodeId() + " of session " + dispatch.sessionId()
                            + ": the event journal refused the event: " + e.getMessage());
            return;
        }
        TaskStarted started = (TaskStarted) events.getFirst();
        var timeout = book.read(dispatch.sessionId(), s -> s.settings().nodeTimeout());
        TaskKey key = new TaskKey(started.sessionId(), started.nodeId(), started.attempt());
        TaskSlot slot = new TaskSlot();
        inFlight.put(key, slot);
        busySlots++;
        var assignment = new TaskAssignment(key.sessionId(), key.nodeId(), key.attempt());
        try {
            slot.attach(executor.submit(key.sessionId() + "/" + key.nodeId(), timeout, control -> {
                try {
                    executeNode.execute(assignment, control);
                } finally {
                    finished(key);
                }
            }));
        } catch (RuntimeException e) {
            // the executor refused (shutting down): the task stays running in the log and is requeued on restart
            LOG.log(System.Logger.Level.WARNING, "could not start node " + key.nodeId() + ": " + e.getMessage());
            inFlight.remove(key);
            busySlots--;
        }
    }

    private void finished(TaskKey key) {
        inFlight.remove(key);
        synchronized (pumpLock) {
            busySlots--;
        }
        pump();
    }

    /** Interrupts every running task of a session (cancel, batch timeout). */
    void interruptAll(SessionId sessionId) {
        inFlight.forEach((key, slot) -> {
            if (key.sessionId().equals(sessionId)) {
                slot.cancel();
            }
        });
    }

    int inFlightCount() {
        return inFlight.size();
    }

    void stop() {
        stopped = true;
    }
}
