package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.TextEmbedder;
import org.canvasbatch.application.port.out.VaultPassages;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A batch's first round looks in the vault for what its agents will be asked while the round's starts go to the
 * journal, not after; and still no node's agent is called before its start is stored.
 */
class FirstRoundTest {

    private static final String CANVAS = "study/topics.canvas";

    private final CountDownLatch startsStored = new CountDownLatch(1);
    private final CountDownLatch startsArrived = new CountDownLatch(1);
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault vault = new InMemoryVault();

    /** A journal whose append of the first round's starts waits until the test lets it go, as a slow fsync would. */
    private final ForwardingEventLog slowJournal = new ForwardingEventLog(new InMemoryEventLog()) {
        @Override
        public void append(List<SessionEvent> events) {
            if (events.stream().anyMatch(TaskStarted.class::isInstance) && startsArrived.getCount() > 0) {
                startsArrived.countDown();
                OneGroupCanvas.awaitRelease(startsStored);
            }
            super.append(events);
        }
    };

    private final VaultPassages passages = query -> {
        asked.add(query.nodeId());
        return List.of();
    };

    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    slowJournal,
                    agent,
                    vault,
                    executor,
                    new TestClock(),
                    () -> new SessionId("s1"),
                    new SplittableRandom(7),
                    TextEmbedder.none(),
                    passages),
            CoreSettings.DEFAULT.withGlobalConcurrency(2));

    @AfterEach
    void stop() {
        startsStored.countDown();
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void theFirstRoundsPassagesAreLookedUpWhileItsStartsAreBeingStored() throws Exception {
        SessionId id = analyze("a", "b", "c");
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);

        Thread confirm = Thread.ofVirtual().start(() -> core.useCases().start().start(StartSessionCommand.of(id)));
        assertThat(startsArrived.await(10, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (asked.size() < 2 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }

        assertThat(asked)
                .as("a's and b's passages, while their starts wait for the journal")
                .containsExactlyInAnyOrder("a", "b");
        assertThat(agent.calls())
                .as("no agent is called before its node's start is stored")
                .isEmpty();

        startsStored.countDown();
        confirm.join();
        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(asked).as("each node's passages looked up once").containsExactlyInAnyOrder("a", "b", "c");
    }

    private SessionId analyze(String... ids) {
        return OneGroupCanvas.analyze(core, vault, CANVAS, 2, ids);
    }
}
