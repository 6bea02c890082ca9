package org.canvasbatch.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.canvasbatch.application.port.out.TaskExecutor;

/**
 * An executor with no threads of its own, for tests of the core that must not depend on timing: a submitted task waits
 * until the test runs it ({@link #runNext}, {@link #runAll}), on the test's own thread, and a timer fires only when the
 * test moves the {@link TestClock} ({@link #advance}). A task's timeout is a timer too, started when the task starts:
 * it fires when the clock passes it while the task runs (an agent double that "takes" a minute moves the clock), and
 * then interrupts the task as a real executor would. A cancelled task that has not started still has its work called
 * once, interrupted, when it is run, as the port promises.
 *
 * <p>For a use case whose call waits for the task it queued (the plugin's single-node retry), {@link #runAtOnce}
 * makes every task run inside {@code submit}, on the caller's thread, before the call starts waiting.
 */
public final class ManualExecutor implements TaskExecutor {

    private final TestClock clock;
    private final Deque<Task> waiting = new ArrayDeque<>();
    private final List<Timer> timers = new ArrayList<>();
    private final List<String> started = new ArrayList<>();
    private long order;
    private boolean runAtOnce;
    private boolean shutDown;

    public ManualExecutor(TestClock clock) {
        this.clock = clock;
    }

    /** From now on every submitted task runs inside {@code submit}, on the submitting thread. */
    public ManualExecutor runAtOnce() {
        runAtOnce = true;
        runAll();
        return this;
    }

    /** One submitted task. */
    private final class Task implements RunningTask, TaskControl {
        private final String name;
        private final Duration timeout;
        private final TaskWork work;
        private boolean cancelled;
        private boolean timedOut;
        private boolean running;
        private boolean ended;

        Task(String name, Duration timeout, TaskWork work) {
            this.name = name;
            this.timeout = timeout;
            this.work = work;
        }

        @Override
        public boolean timedOut() {
            return timedOut;
        }

        @Override
        public boolean cancelled() {
            return cancelled;
        }

        @Override
        public void cancel() {
            if (ended) {
                return;
            }
            cancelled = true;
            if (running) {
                // the task runs on this very thread: what cancels it (a command it triggered) interrupts it here
                Thread.currentThread().interrupt();
            }
        }

        void expire() {
            if (running && !ended && !cancelled) {
                timedOut = true;
                Thread.currentThread().interrupt();
            }
        }

        void run() {
            // a task run inside another (runAtOnce) starts with a clean interrupt status, and leaves the outer one's
            boolean outerInterrupted = Thread.interrupted();
            Timer timeoutTimer = null;
            running = true;
            started.add(name);
            try {
                if (cancelled) {
                    Thread.currentThread().interrupt();
                } else {
                    timeoutTimer = addTimer(timeout, this::expire);
                }
                work.run(this);
            } catch (InterruptedException e) {
                // as a real executor: the task was stopped, and what it does about that is its own business
            } finally {
                ended = true;
                running = false;
                if (timeoutTimer != null) {
                    timeoutTimer.cancel();
                }
                Thread.interrupted(); // a late interrupt must not reach the test's next step
                if (outerInterrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static final class Timer implements Scheduled {
        private final Instant due;
        private final Runnable action;
        private final long order;
        private boolean cancelled;

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

    @Override
    public RunningTask submit(String name, Duration timeout, TaskWork work) {
        if (shutDown) {
            throw new RejectedExecutionException("the executor is shut down");
        }
        Task task = new Task(name, timeout, work);
        if (runAtOnce) {
            task.run();
        } else {
            waiting.addLast(task);
        }
        return task;
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable action) {
        if (shutDown) {
            return () -> {};
        }
        return addTimer(delay, action);
    }

    private Timer addTimer(Duration delay, Runnable action) {
        Timer timer = new Timer(clock.now().plus(delay.isNegative() ? Duration.ZERO : delay), action, order++);
        timers.add(timer);
        return timer;
    }

    /** Runs the oldest waiting task to its end; false if none waits. */
    public boolean runNext() {
        Task next = waiting.pollFirst();
        if (next == null) {
            return false;
        }
        next.run();
        return true;
    }

    /** Runs waiting tasks, those they submit included, until none waits; returns how many ran. */
    public int runAll() {
        int ran = 0;
        while (runNext()) {
            ran++;
        }
        return ran;
    }

    /** The names of the tasks submitted and not yet run, oldest first. */
    public List<String> waiting() {
        return waiting.stream().map(task -> task.name).toList();
    }

    /** The names of the tasks that have started, in the order they did. */
    public List<String> started() {
        return List.copyOf(started);
    }

    /**
     * Moves the clock and runs, on this thread and in time order, every timer due by then, including the timers their
     * actions set within the step (a timer set for "now" by a timer runs in the same step).
     */
    public void advance(Duration step) {
        clock.advance(step);
        Optional<Timer> next;
        while ((next = takeDue()).isPresent()) {
            next.get().action.run();
        }
    }

    /** Runs the timers that are due now without moving the clock (work a timer hands on "at once"). */
    public void fireDueTimers() {
        advance(Duration.ZERO);
    }

    /** Timers that have not fired and are not cancelled. */
    public int pendingTimers() {
        return (int) timers.stream().filter(t -> !t.cancelled).count();
    }

    private Optional<Timer> takeDue() {
        timers.removeIf(t -> t.cancelled);
        Optional<Timer> due = timers.stream()
                .filter(t -> !t.due.isAfter(clock.now()))
                .min(Comparator.comparing((Timer t) -> t.due).thenComparingLong(t -> t.order));
        due.ifPresent(timers::remove);
        return due;
    }

    /** Refuses new work; the tasks still waiting are run cancelled, so that their work is called once. */
    @Override
    public boolean shutdown(Duration grace) {
        shutDown = true;
        for (Task task : List.copyOf(waiting)) {
            task.cancel();
        }
        runAll();
        timers.clear();
        return true;
    }
}
