package org.canvasbatch.adapters.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.port.out.TaskExecutor.RunningTask;
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
}
