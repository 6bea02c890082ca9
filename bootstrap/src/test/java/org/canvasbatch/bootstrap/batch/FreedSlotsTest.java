package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Slots freed while a start waits for the journal's sync (a round's answers come together, and the disk is busy with
 * their notes) are not started one sync after another: they go to the journal together, in the next append.
 */
class FreedSlotsTest {

    private static final String CANVAS = "study/topics.canvas";

    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault vault = new InMemoryVault();
    private final HeldStartJournal slowJournal = new HeldStartJournal("d");

    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    slowJournal,
                    agent,
                    vault,
                    executor,
                    new TestClock(),
                    () -> new SessionId("s1"),
                    new SplittableRandom(7)),
            CoreSettings.DEFAULT.withGlobalConcurrency(3));

    @AfterEach
    void stop() {
        slowJournal.release.countDown();
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void slotsFreedWhileAStartWaitsForTheJournalStartTheirNodesInOneAppend() throws Exception {
        CountDownLatch aAnswers = new CountDownLatch(1);
        CountDownLatch bAndCAnswer = new CountDownLatch(1);
        agent.then("a", new ScriptedAgent.WaitFor(aAnswers));
        agent.then("b", new ScriptedAgent.WaitFor(bAndCAnswer));
        agent.then("c", new ScriptedAgent.WaitFor(bAndCAnswer));
        SessionId id = analyze("a", "b", "c", "d", "e", "f");
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        core.useCases().start().start(StartSessionCommand.of(id));

        aAnswers.countDown();
        assertThat(slowJournal.arrived.await(10, TimeUnit.SECONDS)).isTrue();
        bAndCAnswer.countDown();
        // b's and c's agents have answered and their slots are free: a note is written only after that
        awaitNotes(2);
        slowJournal.release.countDown();

        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(slowJournal.startsByAppend())
                .as("the two slots freed during d's sync start e and f in one append, not one sync each")
                .containsExactly(List.of("a", "b", "c"), List.of("d"), List.of("e", "f"));
    }

    private void awaitNotes(int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (vault.notes().size() < count) {
            assertThat(System.nanoTime()).as("%d notes written", count).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private SessionId analyze(String... ids) {
        return OneGroupCanvas.analyze(core, vault, CANVAS, 3, ids);
    }
}
