package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.EventLogConflict;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher starts the nodes of several batches in one pass, each batch's starts in one journal append, and hands
 * them to the executor once all are stored. A batch cancelled in between must not have its started nodes asked of
 * the model (nor their notes written into the vault) after the learner's cancel; and a start that lost a race to
 * another server and was made again must not hand its node to the executor twice.
 */
class StartsBesideACancelTest {

    private final AtomicInteger sessions = new AtomicInteger();
    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault vault = new InMemoryVault();

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    private CanvasBatchCore core(ForwardingEventLog journal, int globalLimit) {
        return new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        journal,
                        agent,
                        vault,
                        executor,
                        Instant::now,
                        () -> new SessionId("s" + sessions.incrementAndGet()),
                        new SplittableRandom(7)),
                CoreSettings.DEFAULT.withGlobalConcurrency(globalLimit));
    }

    @Test
    void aBatchCancelledWhileAnotherBatchsStartsAreStoredHasNoNodeAskedAfterTheCancel() throws Exception {
        CountDownLatch zStartArrived = new CountDownLatch(1);
        CountDownLatch zStartStored = new CountDownLatch(1);
        CountDownLatch secondStartArrived = new CountDownLatch(1);
        CountDownLatch secondStartStored = new CountDownLatch(1);
        AtomicReference<SessionId> firstStored = new AtomicReference<>();
        AtomicInteger pairStarts = new AtomicInteger();
        ForwardingEventLog journal = new ForwardingEventLog(new InMemoryEventLog()) {
            @Override
            public void append(List<SessionEvent> events) {
                List<String> started = events.stream()
                        .filter(TaskStarted.class::isInstance)
                        .map(e -> ((TaskStarted) e).nodeId())
                        .toList();
                if (started.contains("z")) {
                    zStartArrived.countDown();
                    OneGroupCanvas.awaitRelease(zStartStored);
                } else if (!started.isEmpty() && pairStarts.incrementAndGet() == 2) {
                    secondStartArrived.countDown();
                    OneGroupCanvas.awaitRelease(secondStartStored);
                } else if (!started.isEmpty()) {
                    firstStored.set(events.getFirst().sessionId());
                }
                super.append(events);
            }
        };
        CanvasBatchCore core = core(journal, 3);
        SessionId first = OneGroupCanvas.analyze(core, vault, "first.canvas", 1, "z");
        SessionId left = OneGroupCanvas.analyze(core, vault, "left.canvas", 1, "l");
        SessionId right = OneGroupCanvas.analyze(core, vault, "right.canvas", 1, "r");
        Map<SessionId, EventRecorder> recorders = new ConcurrentHashMap<>();
        for (SessionId id : List.of(left, right)) {
            EventRecorder events = new EventRecorder();
            core.useCases().subscriptions().subscribe(id, events::accept);
            recorders.put(id, events);
        }
        // z's start holds the dispatcher: the two batches confirmed meanwhile are started in its next pass, together
        Thread confirmFirst =
                Thread.ofVirtual().start(() -> core.useCases().start().start(StartSessionCommand.of(first)));
        assertThat(zStartArrived.await(10, TimeUnit.SECONDS)).isTrue();
        core.useCases().start().start(StartSessionCommand.of(left));
        core.useCases().start().start(StartSessionCommand.of(right));
        zStartStored.countDown();
        assertThat(secondStartArrived.await(10, TimeUnit.SECONDS)).isTrue();

        SessionId cancelled = firstStored.get();
        SessionId other = cancelled.equals(left) ? right : left;
        core.useCases().cancel().cancel(cancelled, "the learner stopped it");
        secondStartStored.countDown();
        confirmFirst.join();

        assertThat(recorders.get(other).await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(executor.awaitIdle(Duration.ofSeconds(10))).isTrue();
        String cancelledNode = cancelled.equals(left) ? "l" : "r";
        assertThat(agent.callsOf(cancelledNode))
                .as("the cancelled batch's node is not asked of the model after the cancel")
                .isZero();
        assertThat(vault.notes().keySet())
                .as("no note of the cancelled batch appears in the vault after the cancel")
                .noneMatch(path -> path.startsWith(cancelled.equals(left) ? "left" : "right"));
    }

    @Test
    void aStartMadeAgainAfterALostRaceAsksTheModelOnce() throws Exception {
        AtomicBoolean loseFirstStart = new AtomicBoolean(true);
        ForwardingEventLog sharedJournal = new ForwardingEventLog(new InMemoryEventLog()) {
            @Override
            public void append(List<SessionEvent> events) {
                if (events.stream().anyMatch(TaskStarted.class::isInstance) && loseFirstStart.getAndSet(false)) {
                    throw new EventLogConflict("another server stored this seq first");
                }
                super.append(events);
            }

            @Override
            public boolean shared() {
                return true;
            }
        };
        CanvasBatchCore core = core(sharedJournal, 3);
        SessionId id = OneGroupCanvas.analyze(core, vault, "study/topics.canvas", 2, "a", "b");
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        core.useCases().start().start(StartSessionCommand.of(id));

        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(executor.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(agent.calls()).as("each node asked once").containsExactlyInAnyOrder("a", "b");
    }
}
