package org.canvasbatch.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.out.TaskExecutor;

/**
 * An executor whose tasks run on a real executor but whose timers (batch timeouts, retry wake-ups, single-node
 * deadlines) fire only when the test moves the {@link TestClock} with {@link #advance}: a ten-minute timeout is
 * tested without waiting ten minutes, and a timer never fires behind the test's back.
 */
public final class HandDrivenTimers implements TaskExecutor {

    private final TaskExecutor tasks;
    private final TestClock clock;
    private final List<Timer> timers = new ArrayList<>();

    /** One timer that has not fired yet. */
    private static final class Timer implements Scheduled {
        private final Instant due;
        private final Runnable action;
        private final long order;
        private volatile boolean cancelled;

        Timer(Instant due, Runnable action, long order) {
            this.due = due;
            this.action = action;
            this.order = order;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private long scheduled;

    public HandDrivenTimers(TaskExecutor tasks, TestClock clock) {
        this.tasks = tasks;
        this.clock = clock;
    }

    @Override
    public RunningTask submit(String name, Duration timeout, TaskWork work) {
        return tasks.submit(name, timeout, work);
    }

    @Override
    public synchronized Scheduled schedule(Duration delay, Runnable action) {
        Timer timer = new Timer(clock.now().plus(delay), action, scheduled++);
        timers.add(timer);
        return timer;
    }

    /**
     * Moves the clock and runs, on the calling thread and in time order, every timer that is due by then, including
     * timers those actions schedule within the step.
     */
    public void advance(Duration step) {
        clock.advance(step);
        Optional<Timer> next;
        while ((next = takeDue()).isPresent()) {
            next.get().action.run();
        }
    }

    /** Timers still waiting to fire (cancelled ones excluded). */
    public synchronized int pending() {
        return (int) timers.stream().filter(t -> !t.cancelled).count();
    }

    private synchronized Optional<Timer> takeDue() {
        timers.removeIf(t -> t.cancelled);
        Optional<Timer> due = timers.stream()
                .filter(t -> !t.due.isAfter(clock.now()))
                .min(Comparator.comparing((Timer t) -> t.due).thenComparingLong(t -> t.order));
        due.ifPresent(timers::remove);
        return due;
    }

    @Override
    public boolean shutdown(Duration grace) {
        return tasks.shutdown(grace);
    }
}
