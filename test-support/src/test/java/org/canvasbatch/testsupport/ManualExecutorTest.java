package org.canvasbatch.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.canvasbatch.application.port.out.TaskExecutor.RunningTask;
import org.junit.jupiter.api.Test;

/** The hand-driven executor keeps the promises of the TaskExecutor port, at the test's pace. */
class ManualExecutorTest {

    private final TestClock clock = new TestClock();
    private final ManualExecutor executor = new ManualExecutor(clock);
    private final List<String> log = new ArrayList<>();

    @Test
    void tasksWaitUntilTheTestRunsThemOldestFirst() {
        executor.submit("a", Duration.ofMinutes(1), control -> log.add("a"));
        executor.submit("b", Duration.ofMinutes(1), control -> log.add("b"));

        assertThat(log).isEmpty();
        assertThat(executor.waiting()).containsExactly("a", "b");
        executor.runNext();
        assertThat(log).containsExactly("a");
        assertThat(executor.runAll()).isEqualTo(1);
        assertThat(log).containsExactly("a", "b");
    }

    @Test
    void aTaskCancelledBeforeItRanHasItsWorkCalledOnceInterruptedAndCancelled() {
        RunningTask task = executor.submit(
                "a",
                Duration.ofMinutes(1),
                control -> log.add("cancelled=" + control.cancelled() + " interrupted="
                        + Thread.currentThread().isInterrupted()));

        task.cancel();
        executor.runAll();

        assertThat(log).containsExactly("cancelled=true interrupted=true");
        assertThat(Thread.currentThread().isInterrupted())
                .as("the test's thread is clean again")
                .isFalse();
    }

    @Test
    void aTaskTimesOutOnlyWhenTheClockPassesItsTimeoutWhileItRuns() {
        executor.submit("slow", Duration.ofSeconds(10), control -> {
            executor.advance(Duration.ofSeconds(9));
            log.add("at 9 s interrupted=" + Thread.currentThread().isInterrupted());
            executor.advance(Duration.ofSeconds(2));
            log.add("at 11 s interrupted=" + Thread.interrupted() + " timedOut=" + control.timedOut());
        });
        executor.advance(Duration.ofMinutes(5)); // waiting is not running: no timeout yet

        executor.runAll();

        assertThat(log).containsExactly("at 9 s interrupted=false", "at 11 s interrupted=true timedOut=true");
    }

    @Test
    void timersFireInTimeOrderWhenTheClockGetsThereAndACancelledOneNever() {
        executor.schedule(Duration.ofSeconds(5), () -> log.add("5 s"));
        executor.schedule(Duration.ofSeconds(1), () -> {
            log.add("1 s");
            executor.schedule(Duration.ZERO, () -> log.add("1 s, then at once"));
        });
        executor.schedule(Duration.ofSeconds(2), () -> log.add("never")).cancel();

        executor.advance(Duration.ofSeconds(3));
        assertThat(log).containsExactly("1 s", "1 s, then at once");
        executor.advance(Duration.ofSeconds(3));
        assertThat(log).containsExactly("1 s", "1 s, then at once", "5 s");
        assertThat(executor.pendingTimers()).isZero();
    }

    @Test
    void runAtOnceRunsEachTaskInsideSubmitAndShutdownRefusesNewWork() {
        executor.runAtOnce();
        executor.submit("a", Duration.ofMinutes(1), control -> log.add("a"));
        assertThat(log).containsExactly("a");

        executor.shutdown(Duration.ZERO);

        assertThatThrownBy(() -> executor.submit("b", Duration.ofMinutes(1), control -> {}))
                .isInstanceOf(RejectedExecutionException.class);
    }
}
