package org.canvasbatch.adapters.executor;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.port.out.TaskExecutor;

/**
 * Runs each task on its own virtual thread: agent calls block on the network, and a virtual thread costs almost
 * nothing while it waits. Timeouts and cancels interrupt the thread; the task reads {@link TaskControl} to tell which.
 * A permit pool caps how many tasks run at once, a guard behind the core's own dispatch limits.
 */
public final class LocalTaskExecutor implements TaskExecutor {

    private static final System.Logger LOG = System.getLogger(LocalTaskExecutor.class.getName());

    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("node-task-", 0).factory());
    private final ScheduledExecutorService timers;
    private final Semaphore permits;
    private final Set<Task> running = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    /** @param maxRunning hard cap of tasks running at once; extra submissions wait for a permit */
    public LocalTaskExecutor(int maxRunning) {
        this.permits = new Semaphore(maxRunning, true);
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("task-timers").factory());
        pool.setRemoveOnCancelPolicy(true);
        this.timers = pool;
    }

    private final class Task implements TaskControl, RunningTask {
        private final String name;
        private volatile Thread thread;
        private volatile boolean timedOut;
        private volatile boolean cancelled;
        private volatile boolean ended;
        private ScheduledFuture<?> timeout;

        Task(String name) {
            this.name = name;
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
            cancelled = true;
            interrupt();
        }

        void expire() {
            if (!ended && !cancelled) {
                timedOut = true;
                LOG.log(System.Logger.Level.DEBUG, "task " + name + " timed out");
                interrupt();
            }
        }

        private synchronized void interrupt() {
            Thread t = thread;
            if (t != null && !ended) {
                t.interrupt();
            }
        }

        synchronized void bind(Thread t) {
            thread = t;
        }

        synchronized void unbind() {
            ended = true;
            thread = null;
        }
    }

    @Override
    public RunningTask submit(String name, Duration timeout, TaskWork work) {
        if (shuttingDown) {
            throw new RejectedExecutionException("the executor is shutting down");
        }
        Task task = new Task(name);
        running.add(task);
        try {
            threads.execute(() -> runTask(task, timeout, work));
        } catch (RejectedExecutionException e) {
            running.remove(task);
            throw e;
        }
        return task;
    }

    /**
     * Calls the work exactly once, even for a task cancelled before it began or while it waited for a permit: it then
     * starts interrupted and sees {@code cancelled()}, returns at once, and still releases what its caller holds for it
     * (the dispatcher's slot). A task whose work is never called would hold that slot for ever.
     */
    private void runTask(Task task, Duration timeout, TaskWork work) {
        boolean acquired = false;
        task.bind(Thread.currentThread());
        try {
            if (!task.cancelled) {
                try {
                    permits.acquire();
                    acquired = true;
                    task.timeout = timers.schedule(task::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException | RejectedExecutionException e) {
                    // cancelled while waiting for a permit, or the timers stopped (shutdown): the work runs stopped
                    task.cancelled = true;
                }
            }
            if (task.cancelled) {
                Thread.currentThread().interrupt();
            }
            work.run(task);
        } catch (InterruptedException e) {
            LOG.log(System.Logger.Level.DEBUG, "task " + task.name + " interrupted");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "task " + task.name + " failed", e);
        } finally {
            if (task.timeout != null) {
                task.timeout.cancel(false);
            }
            task.unbind();
            Thread.interrupted(); // a late interrupt must not leak into the next use of this thread
            if (acquired) {
                permits.release();
            }
            running.remove(task);
            synchronized (running) {
                running.notifyAll();
            }
        }
    }

    /** Waits until no submitted task is still running, at most {@code limit}; true if that happened. */
    public boolean awaitIdle(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (running) {
            while (!running.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                running.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable action) {
        if (shuttingDown) {
            return () -> {};
        }
        try {
            ScheduledFuture<?> future = timers.schedule(
                    () -> {
                        try {
                            threads.execute(action);
                        } catch (RejectedExecutionException ignored) {
                            // shutting down: scheduled work is dropped, the journal keeps what it needs
                        }
                    },
                    // at most Long.MAX_VALUE ns (292 years): a longer delay must not overflow
                    delay.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0
                            ? Long.MAX_VALUE
                            : Math.max(0, delay.toNanos()),
                    TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        } catch (RejectedExecutionException e) {
            return () -> {};
        }
    }

    @Override
    public boolean shutdown(Duration grace) {
        shuttingDown = true;
        timers.shutdownNow();
        threads.shutdown();
        boolean clean;
        try {
            clean = threads.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clean = false;
        }
        if (!clean) {
            running.forEach(Task::cancel);
            threads.shutdownNow();
        }
        return clean;
    }

    /** Tasks submitted and not yet ended. */
    public int runningCount() {
        return running.size();
    }
}
