package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.ManualExecutor;
import org.junit.jupiter.api.Test;

/**
 * A batch stopped (Ctrl-C pauses it, the process ends) and run again has what is left of its timeout after the time it
 * ran (architecture, restart recovery): the time it stood stopped is no run time — after the second stop as after the
 * first.
 */
class StoppedBatchTimeoutTest {

    private final CoreOnAManualExecutor first = new CoreOnAManualExecutor();

    /** The same journal, vault and clock in a new process: nothing of the old one's executor survives. */
    private CanvasBatchCore restarted(ManualExecutor executor) {
        return new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        first.journal,
                        first.agent,
                        first.vault,
                        executor,
                        first.clock,
                        () -> new SessionId("never"),
                        new SplittableRandom(3)),
                CoreSettings.DEFAULT);
    }

    @Test
    void aBatchStoppedTwiceIsNotTimedOutForTheTimeItStoodStoppedTheFirstTime() {
        SessionId id = first.analyze(1, "a", "b");
        first.start(id);
        Duration timeout = first.useCases.status().status(id).settings().batchTimeout();
        // it runs a little, and the learner presses Ctrl-C: the batch is paused, the process ends with "a" running
        first.clock.advance(timeout.dividedBy(10));
        first.useCases.pause().pause(id, "stopped in the terminal (Ctrl-C)");

        // back after lunch: the same command resumes it, it runs a little more, and is stopped again
        first.clock.advance(timeout.multipliedBy(6));
        ManualExecutor secondExecutor = new ManualExecutor(first.clock);
        CanvasBatchCore second = restarted(secondExecutor);
        second.recover();
        second.useCases().resume().resume(id, "run again in the terminal");
        secondExecutor.advance(timeout.dividedBy(10));
        assertThat(second.useCases().status().status(id).state()).isEqualTo(SessionState.RUNNING);
        second.useCases().pause().pause(id, "stopped in the terminal (Ctrl-C)");

        // the next day: it has run a fifth of its time limit
        first.clock.advance(timeout.multipliedBy(100));
        ManualExecutor thirdExecutor = new ManualExecutor(first.clock);
        CanvasBatchCore third = restarted(thirdExecutor);
        third.recover();
        third.useCases().resume().resume(id, "run again in the terminal");
        thirdExecutor.fireDueTimers();

        assertThat(third.useCases().status().status(id).state())
                .as(
                        "it ran %s of its %s; the rest of the nodes must not fail with 'timeout' at once",
                        timeout.dividedBy(5), timeout)
                .isEqualTo(SessionState.RUNNING);
    }

    /**
     * README: a batch stopped with Ctrl-C is paused in the data folder, and a {@code serve} started on it "lists it as
     * paused and does not run it by itself"; the same {@code run} command finishes it later. The server the learner
     * keeps open for the plugin must not end it with 'timeout' while it stands paused there.
     */
    @Test
    void aServerOnTheDataFolderDoesNotTimeOutAStoppedBatchWhileItStandsPaused() {
        SessionId id = first.analyze(1, "a", "b");
        first.start(id);
        Duration timeout = first.useCases.status().status(id).settings().batchTimeout();
        first.clock.advance(timeout.dividedBy(10));
        first.useCases.pause().pause(id, "stopped in the terminal (Ctrl-C)");

        // the plugin's server, started on the same data folder, stays up all afternoon
        ManualExecutor serveExecutor = new ManualExecutor(first.clock);
        CanvasBatchCore serve = restarted(serveExecutor);
        serve.recover();
        serveExecutor.advance(timeout.multipliedBy(3));

        assertThat(serve.useCases().status().status(id).state())
                .as("nobody resumed it; the same run command is to finish it")
                .isEqualTo(SessionState.PAUSED);
        assertThat(serve.useCases().status().status(id).failed()).isZero();

        // resumed on the dashboard, it has what is left of its time, and then times out as any batch
        serve.useCases().resume().resume(id, "resumed on the dashboard");
        serveExecutor.advance(timeout.dividedBy(2));
        assertThat(serve.useCases().status().status(id).state()).isEqualTo(SessionState.RUNNING);
        serveExecutor.advance(timeout.dividedBy(2));
        assertThat(serve.useCases().status().status(id).state()).isEqualTo(SessionState.FAILED);
    }

    /**
     * A CLI tester's case: `run` killed in one vault, then `serve` started on the same (default) data folder for
     * another vault. The server continued the batch and wrote its nine remaining notes into the wrong vault, and the
     * first vault's batch could no longer be resumed. Such a batch is paused, untouched, for its own run command.
     */
    @Test
    void aServerDoesNotContinueABatchWhoseCanvasIsNotInItsVault() {
        SessionId id = first.analyze(1, "a", "b");
        first.start(id);
        int callsBefore = first.calls.size();

        ManualExecutor serveExecutor = new ManualExecutor(first.clock);
        CanvasBatchCore serve = restarted(serveExecutor);
        serve.recover(session -> true, session -> false);
        serveExecutor.runAll();

        assertThat(serve.useCases().status().status(id).state()).isEqualTo(SessionState.PAUSED);
        assertThat(first.calls.size()).as("no agent called for it").isEqualTo(callsBefore);
        assertThat(first.vault.notes()).isEmpty();

        // in its own vault it goes on when resumed
        serve.useCases().resume().resume(id, "run again in the terminal");
        serveExecutor.runAll();
        assertThat(serve.useCases().status().status(id).state()).isEqualTo(SessionState.COMPLETED);
    }
}
