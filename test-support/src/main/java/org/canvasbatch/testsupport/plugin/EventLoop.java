package org.canvasbatch.testsupport.plugin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The renderer's single JavaScript thread: every handler of the model (a timer, a socket event, the end of a fetch)
 * runs here, one at a time, in the order it became due, so the model interleaves the way the plugin does. Plugin time
 * is scaled: {@code setTimeout(1000)} waits {@code 1000 × scale} real milliseconds, so a test runs the plugin's 1 s
 * reconnects and 5 s polls in a fraction of that while keeping their order and their ratios.
 */
final class EventLoop implements AutoCloseable {

    private final ScheduledThreadPoolExecutor thread;
    private final double scale;
    private final long startNanos = System.nanoTime();
    private final Set<ScheduledFuture<?>> timers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ioInFlight = new AtomicInteger();
    private final List<Throwable> failures = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ran = lock.newCondition();
    private volatile boolean closed;

    /** @param scale real milliseconds per plugin millisecond, e.g. 0.05: the plugin's 1 s lasts 50 ms */
    EventLoop(double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("the time scale must be positive, not " + scale);
        }
        this.scale = scale;
        this.thread = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "obsidian-renderer");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
    }

    /** A task for the loop, as a resolved promise or a socket event queues one. */
    void post(Runnable task) {
        if (!closed) {
            thread.execute(() -> run(task));
        }
    }

    /** {@code window.setTimeout(task, pluginMillis)}. */
    Timer setTimeout(long pluginMillis, Runnable task) {
        Timer timer = new Timer();
        if (closed) {
            return timer;
        }
        timer.future = thread.schedule(
                () -> {
                    timers.remove(timer.future);
                    run(task);
                },
                real(pluginMillis),
                TimeUnit.NANOSECONDS);
        timers.add(timer.future);
        return timer;
    }

    /** {@code window.setInterval(task, pluginMillis)}. */
    Timer setInterval(long pluginMillis, Runnable task) {
        Timer timer = new Timer();
        if (closed) {
            return timer;
        }
        long period = real(pluginMillis);
        timer.future = thread.scheduleAtFixedRate(() -> run(task), period, period, TimeUnit.NANOSECONDS);
        timers.add(timer.future);
        return timer;
    }

    /** {@code clearTimeout} / {@code clearInterval}; a timer already cleared or fired is ignored. */
    void clear(Timer timer) {
        if (timer != null && timer.future != null) {
            timer.future.cancel(false);
            timers.remove(timer.future);
        }
    }

    /** Plugin milliseconds since the loop started (the plugin's {@code Date.now()} differences). */
    long now() {
        return Math.round((System.nanoTime() - startNanos) / 1_000_000.0 / scale);
    }

    /** A request or a socket is under way: the loop is not idle while it is. */
    void ioStarted() {
        ioInFlight.incrementAndGet();
    }

    void ioEnded() {
        ioInFlight.decrementAndGet();
        signal();
    }

    /** Runs {@code read} on the loop and returns its answer: the only safe way for a test to look at model state. */
    <T> T call(Callable<T> read) {
        Future<T> answer = thread.submit(read);
        try {
            return answer.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the plugin model", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error failure) {
                throw failure;
            }
            throw new IllegalStateException("the plugin model failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the plugin model's thread is stuck", e);
        }
    }

    /**
     * Waits until {@code condition} (evaluated on the loop) holds, re-checking after every task the loop runs; false if
     * it does not hold within {@code patience} (real time).
     */
    boolean await(BooleanSupplier condition, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            if (call(condition::getAsBoolean)) {
                return true;
            }
            lock.lock();
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // a task that ran between the check and here signalled already; the short wait bounds that race
                ran.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the plugin model", e);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Nothing scheduled and nothing under way: no timer, no interval, no request, no socket that is not closed. */
    boolean idle() {
        timers.removeIf(Future::isDone);
        return timers.isEmpty() && ioInFlight.get() == 0;
    }

    /** Exceptions that escaped a handler: the plugin would have logged them to the console. */
    List<Throwable> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            synchronized (failures) {
                failures.add(e);
            }
        } finally {
            signal();
        }
    }

    private void signal() {
        lock.lock();
        try {
            ran.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private long real(long pluginMillis) {
        return Math.max(0, Math.round(pluginMillis * scale * 1_000_000.0));
    }

    /** A handle as {@code setTimeout} returns one. */
    static final class Timer {
        private volatile ScheduledFuture<?> future;
    }
}
