package org.canvasbatch.adapters.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.port.out.TaskExecutor.RunningTask;
import org.canvasbatch.application.port.out.TaskExecutor.TaskControl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The executor's promises to the dispatcher, which counts the slots of the tasks it hands over. */
class LocalTaskExecutorTest {

    private final LocalTaskExecutor executor = new LocalTaskExecutor(1);

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void aTaskCancelledWhileWaitingForItsPermitStillHasItsWorkCalledOnceAndSeesTheCancel() throws Exception {
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        executor.submit("first", Duration.ofMinutes(1), control -> {
            firstRunning.countDown();
            releaseFirst.await();
        });
        assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> secondSawCancel = new CompletableFuture<>();
        RunningTask second = executor.submit("second", Duration.ofMinutes(1), control -> {
            secondSawCancel.complete(
                    control.cancelled() && Thread.currentThread().isInterrupted());
        });

        second.cancel();

        assertThat(secondSawCancel.get(10, TimeUnit.SECONDS))
                .as("the work ran, so whatever it always releases was released, and it knew it was cancelled")
                .isTrue();
        releaseFirst.countDown();
        assertThat(executor.awaitIdle(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void aTaskCancelledBeforeItsThreadBeganStillHasItsWorkCalled() throws Exception {
        CountDownLatch holdPermit = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        executor.submit("holder", Duration.ofMinutes(1), control -> {
            holding.countDown();
            holdPermit.await();
        });
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        int cancelledBeforeStart = 50;
        CountDownLatch called = new CountDownLatch(cancelledBeforeStart);
        for (int i = 0; i < cancelledBeforeStart; i++) {
            executor.submit("cancelled " + i, Duration.ofMinutes(1), control -> called.countDown())
                    .cancel();
        }

        assertThat(called.await(10, TimeUnit.SECONDS)).isTrue();
        holdPermit.countDown();
        assertThat(executor.awaitIdle(Duration.ofSeconds(10))).isTrue();
    }

    /** What a task's work saw when it ended: why it was stopped, and whether its thread was interrupted. */
    private record Seen(boolean timedOut, boolean cancelled, boolean interrupted) {}

    @Test
    void aTaskPastItsTimeoutIsInterruptedAndToldItTimedOut() throws Exception {
        LocalTaskExecutor roomy = new LocalTaskExecutor(2);
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        try {
            roomy.submit("slow", Duration.ofMillis(50), control -> {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    seen.complete(new Seen(control.timedOut(), control.cancelled(), true));
                }
            });

            assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(new Seen(true, false, true));
        } finally {
            roomy.shutdown(Duration.ofSeconds(1));
        }
    }

    @Test
    void aRunningTaskThatIsCancelledIsInterruptedAndToldItWasCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        RunningTask task = executor.submit("busy", Duration.ofMinutes(1), control -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                seen.complete(new Seen(control.timedOut(), control.cancelled(), true));
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        task.cancel();

        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(new Seen(false, true, true));
    }

    /**
     * An agent that ignores the interrupt answers after its timeout anyway: the task still says it timed out, so its
     * caller drops the late answer, and the permit it held goes to the next task once it returns.
     */
    @Test
    void aTaskThatIgnoresItsTimeoutAndAnswersLateStillSaysItTimedOutAndThenGivesItsPermitBack() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        CompletableFuture<Boolean> lateAnswerTimedOut = new CompletableFuture<>();
        var stubborn = new java.util.concurrent.atomic.AtomicReference<TaskControl>();
        executor.submit("stubborn", Duration.ofMillis(50), control -> {
            stubborn.set(control);
            while (true) {
                try {
                    answer.await();
                    break;
                } catch (InterruptedException ignored) {
                    // an agent that cannot be stopped
                }
            }
            lateAnswerTimedOut.complete(control.timedOut());
        });
        CompletableFuture<Void> next = new CompletableFuture<>();
        executor.submit("next", Duration.ofMinutes(1), control -> next.complete(null));
        awaitCondition(() -> stubborn.get() != null && stubborn.get().timedOut(), "the timeout fired");
        assertThat(next).as("the stubborn task still holds the only permit").isNotDone();

        answer.countDown();

        assertThat(lateAnswerTimedOut.get(10, TimeUnit.SECONDS)).isTrue();
        next.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTaskThatThrowsLeavesTheExecutorWorking() throws Exception {
        executor.submit("broken", Duration.ofMinutes(1), control -> {
            throw new IllegalStateException("a bug in a task");
        });
        CompletableFuture<Void> next = new CompletableFuture<>();

        executor.submit("next", Duration.ofMinutes(1), control -> next.complete(null));

        next.get(10, TimeUnit.SECONDS);
        assertThat(executor.awaitIdle(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void shutdownGivesRunningTasksTheirGraceThenCancelsThemAndRefusesNewWork() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        executor.submit("long", Duration.ofMinutes(1), control -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                seen.complete(new Seen(control.timedOut(), control.cancelled(), true));
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        boolean clean = executor.shutdown(Duration.ofMillis(100));

        assertThat(clean).as("the task did not end within the grace").isFalse();
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(new Seen(false, true, true));
        assertThatThrownBy(() -> executor.submit("late", Duration.ofMinutes(1), control -> {}))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    }

    @Test
    void aScheduledActionRunsAfterItsDelayOnce() throws Exception {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);

        executor.schedule(Duration.ofMillis(20), () -> {
            runs.incrementAndGet();
            ran.countDown();
        });

        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(runs.get()).isEqualTo(1);
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Test
    void anActionScheduledCenturiesAheadIsScheduledNotAnOverflow() {
        // a model server's Retry-After of 99999999999 s became such a delay: Duration.toNanos threw "long overflow"
        // out of the node's outcome (SEVERE, stack trace) and the node waited for the batch timeout
        org.canvasbatch.application.port.out.TaskExecutor.Scheduled scheduled =
                executor.schedule(Duration.ofSeconds(99_999_999_999L), () -> {});

        scheduled.cancel();
    }
}
