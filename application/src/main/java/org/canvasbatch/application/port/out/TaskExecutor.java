package org.canvasbatch.application.port.out;

import java.time.Duration;

/**
 * Runs node tasks off the caller's thread. The core decides what runs and how many at once; an executor only runs
 * what it is handed, enforces each task's timeout by interrupting it, and can cancel it the same way.
 */
public interface TaskExecutor {

    /**
     * Starts {@code work} at once on its own thread; after {@code timeout} it is interrupted as timed out. Once submit
     * returns, {@code work} is called exactly once, even if the task is cancelled before it began: it then starts
     * interrupted with {@link TaskControl#cancelled()} true, so whatever the caller releases in it is released.
     *
     * @throws java.util.concurrent.RejectedExecutionException when the executor no longer takes work (shutdown)
     */
    RunningTask submit(String name, Duration timeout, TaskWork work);

    /** Runs {@code action} once after {@code delay} (retry backoff wake-ups, batch timeouts, retention sweeps). */
    Scheduled schedule(Duration delay, Runnable action);

    /**
     * Stops taking work, lets running tasks finish within {@code grace}, then interrupts them as cancelled.
     * Returns true if every task ended within the grace period.
     */
    boolean shutdown(Duration grace);

    /** The work of one task. It must return promptly once interrupted. */
    @FunctionalInterface
    interface TaskWork {
        void run(TaskControl control) throws InterruptedException;
    }

    /** Why a task was interrupted, as far as the executor knows. */
    interface TaskControl {
        boolean timedOut();

        boolean cancelled();
    }

    interface RunningTask {
        /** Interrupts the task as cancelled; a no-op once it ended. */
        void cancel();
    }

    interface Scheduled {
        void cancel();
    }
}
