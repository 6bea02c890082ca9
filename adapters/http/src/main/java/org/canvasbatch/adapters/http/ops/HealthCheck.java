package org.canvasbatch.adapters.http.ops;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.port.out.TaskExecutor;

/**
 * One thing the server needs in order to do its work (the journal can be written, the executor runs tasks). A check
 * must answer quickly and must not throw; what it found goes to {@code /health} as it is.
 */
@FunctionalInterface
public interface HealthCheck {

    Result check();

    /**
     * @param name   what was checked, e.g. {@code journal}
     * @param up     whether it can do its work now
     * @param detail a sentence for the operator: what was found, and when down what to look at
     */
    record Result(String name, boolean up, String detail) {
        public Result {
            Objects.requireNonNull(name, "name");
            detail = detail == null ? "" : detail;
        }

        public static Result up(String name, String detail) {
            return new Result(name, true, detail);
        }

        public static Result down(String name, String detail) {
            return new Result(name, false, detail);
        }
    }

    /**
     * The executor runs work: a no-op scheduled on it must run within {@code patience}. An executor that was shut down
     * drops scheduled work, so this is DOWN from the moment shutdown starts.
     */
    static HealthCheck executor(TaskExecutor executor, Duration patience) {
        return () -> {
            CountDownLatch ran = new CountDownLatch(1);
            long started = System.nanoTime();
            try {
                executor.schedule(Duration.ZERO, ran::countDown);
                if (ran.await(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                    long micros = (System.nanoTime() - started) / 1_000;
                    return Result.up("executor", "ran a probe task in " + micros + " µs");
                }
                return Result.down(
                        "executor",
                        "a probe task did not run within " + patience.toMillis()
                                + " ms: the executor is shut down or saturated");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Result.down("executor", "interrupted while waiting for the probe task");
            } catch (RuntimeException e) {
                return Result.down("executor", "the probe task was refused: " + e.getMessage());
            }
        };
    }

    /** This check, with any exception it throws reported as DOWN rather than as a failed request. */
    default HealthCheck guarded(String name) {
        return () -> {
            try {
                Result result = check();
                return result == null ? Result.down(name, "the check gave no answer") : result;
            } catch (RuntimeException e) {
                return Result.down(name, "the check failed: " + e);
            }
        };
    }
}
