package org.canvasbatch.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.canvasbatch.domain.session.SessionEvent;

/** Collects a session's events as they are appended and lets a test wait for one, without sleeping. */
public final class EventRecorder {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<SessionEvent> events = new ArrayList<>();

    public void accept(SessionEvent event) {
        lock.lock();
        try {
            events.add(event);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until an event matching {@code wanted} was recorded and returns it. */
    public <T extends SessionEvent> T await(Class<T> type, Predicate<T> wanted) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        lock.lock();
        try {
            while (true) {
                for (SessionEvent event : events) {
                    if (type.isInstance(event) && wanted.test(type.cast(event))) {
                        return type.cast(event);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + type.getSimpleName() + " as expected within " + PATIENCE
                            + "; events so far: " + describe(events));
                }
                arrived.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        } finally {
            lock.unlock();
        }
    }

    public <T extends SessionEvent> T await(Class<T> type) {
        return await(type, e -> true);
    }

    public List<SessionEvent> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    /** Event types and node ids, e.g. {@code TaskStarted(a)}: compact enough to assert a whole sequence. */
    public List<String> trace() {
        return describe(events());
    }

    /**
     * The events of a batch that runs one agent call at a time, in the order of a strictly sequential batch: each
     * outcome put back just before the start that followed its own node's start. The slot is the agent call's alone
     * (issue 12), so the next node starts the moment the previous agent answers, often before the previous outcome is
     * journaled; what stays fixed, and what this lets a test compare exactly, is the order of the starts, each
     * outcome after its own start, and every other event where it happened.
     */
    public static List<SessionEvent> oneCallAtATime(List<SessionEvent> events) {
        List<SessionEvent> ordered = new ArrayList<>(events);
        for (int i = 0; i < ordered.size(); i++) {
            String node = outcomeOf(ordered.get(i));
            if (node == null) {
                continue;
            }
            int ownStart = -1;
            for (int j = i - 1; j >= 0 && ownStart < 0; j--) {
                if (ordered.get(j) instanceof SessionEvent.TaskStarted started
                        && started.nodeId().equals(node)) {
                    ownStart = j;
                }
            }
            for (int j = ownStart + 1; ownStart >= 0 && j < i; j++) {
                if (ordered.get(j) instanceof SessionEvent.TaskStarted) {
                    ordered.add(j, ordered.remove(i));
                    break;
                }
            }
        }
        return ordered;
    }

    private static String outcomeOf(SessionEvent event) {
        return switch (event) {
            case SessionEvent.TaskSucceeded e -> e.nodeId();
            case SessionEvent.TaskFailed e -> e.nodeId();
            case SessionEvent.TaskRetryScheduled e -> e.nodeId();
            default -> null;
        };
    }

    public static List<String> describe(List<SessionEvent> events) {
        List<String> lines = new ArrayList<>();
        for (SessionEvent event : events) {
            lines.add(
                    switch (event) {
                        case SessionEvent.TaskStarted e -> "TaskStarted(" + e.nodeId() + "#" + e.attempt() + ")";
                        case SessionEvent.TaskSucceeded e -> "TaskSucceeded(" + e.nodeId() + ")";
                        case SessionEvent.TaskFailed e -> "TaskFailed(" + e.nodeId() + ":" + e.errorType() + ")";
                        case SessionEvent.TaskRetryScheduled e -> "TaskRetryScheduled(" + e.nodeId() + ")";
                        case SessionEvent.TaskRequeued e -> "TaskRequeued(" + e.nodeId() + ")";
                        case SessionEvent.GroupPriorityChanged e ->
                            "GroupPriorityChanged(" + e.groupId() + ":" + e.priority() + ")";
                        case SessionEvent.SessionFinished e -> "SessionFinished(" + e.state() + ")";
                        default -> event.getClass().getSimpleName();
                    });
        }
        return lines;
    }

    public static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
