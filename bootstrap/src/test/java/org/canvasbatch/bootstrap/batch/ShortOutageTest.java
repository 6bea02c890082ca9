package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The journal refuses an outcome and takes events again a moment later, as a disk that hiccups does. However the
 * journal's retries and the refusals interleave, a refused outcome is recorded once the journal takes events, or its
 * node stays "running", nothing more starts, and its batch never ends: the journal's first retry may end the outage
 * before the refused outcome is handed over to be held, and an outcome may be refused while a retry probes the journal.
 */
class ShortOutageTest {

    private final AtomicBoolean refuseNextOutcome = new AtomicBoolean(true);
    private final AtomicBoolean refuseOutcomeOfB = new AtomicBoolean();
    private final CountDownLatch probeArrived = new CountDownLatch(1);
    private final CountDownLatch probeMayAnswer = new CountDownLatch(1);
    private final AtomicBoolean holdNextProbe = new AtomicBoolean();
    private final AtomicBoolean outcomeOfAStored = new AtomicBoolean();
    private final ForwardingEventLog hiccup = new ForwardingEventLog(new InMemoryEventLog()) {
        @Override
        public void append(List<SessionEvent> events) {
            if (events.stream().anyMatch(TaskSucceeded.class::isInstance) && refuseNextOutcome.getAndSet(false)) {
                throw new EventLogException("could not store events: input/output error");
            }
            if (events.stream()
                            .anyMatch(e ->
                                    e instanceof TaskSucceeded s && s.nodeId().equals("b"))
                    && refuseOutcomeOfB.getAndSet(false)) {
                throw new EventLogException("could not store events: input/output error");
            }
            super.append(events);
            if (events.stream()
                    .anyMatch(e -> e instanceof TaskSucceeded s && s.nodeId().equals("a"))) {
                outcomeOfAStored.set(true);
            }
        }

        @Override
        public void probeWritable() {
            if (outcomeOfAStored.get() && holdNextProbe.getAndSet(false)) {
                probeArrived.countDown();
                OneGroupCanvas.awaitRelease(probeMayAnswer);
            }
            super.probeWritable();
        }
    };

    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault vault = new InMemoryVault();
    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    hiccup, agent, vault, executor, Instant::now, () -> new SessionId("s1"), new SplittableRandom(7)),
            CoreSettings.DEFAULT.withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(20)));

    @AfterEach
    void stop() {
        probeMayAnswer.countDown();
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void anOutcomeRefusedByAnOutageThatEndsAtOnceIsStillRecordedAndTheBatchEnds() {
        SessionId id = OneGroupCanvas.analyze(core, vault, "study/topics.canvas", 1, "a");
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        // told on the thread whose append was refused, before that thread goes on: held here until the journal's
        // first retry has found it writable again, which is the moment a quick hiccup may end at
        core.useCases().subscriptions().onStorageProblem(id, problem -> awaitOutageOver());
        core.useCases().start().start(StartSessionCommand.of(id));

        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(agent.callsOf("a"))
                .as("the held outcome is recorded, the model is not asked again")
                .isEqualTo(1);
    }

    @Test
    void anOutcomeRefusedWhileTheJournalIsBeingProbedIsRecordedBeforeTheOutageEnds() throws Exception {
        CountDownLatch bMayAnswer = new CountDownLatch(1);
        agent.then("b", new ScriptedAgent.WaitFor(bMayAnswer));
        holdNextProbe.set(true);
        SessionId id = OneGroupCanvas.analyze(core, vault, "study/topics.canvas", 2, "a", "b");
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        core.useCases().start().start(StartSessionCommand.of(id));
        // a's outcome was refused and held; the retry has stored it and now asks the journal whether it takes events
        assertThat(probeArrived.await(10, TimeUnit.SECONDS)).isTrue();
        events.await(TaskSucceeded.class, e -> e.nodeId().equals("a"));

        refuseOutcomeOfB.set(true);
        bMayAnswer.countDown();
        EventRecorder.awaitCondition(
                () -> core.storageProblem().map(p -> p.heldWrites() == 1).orElse(false),
                "b's refused outcome is held while the probe is under way");
        probeMayAnswer.countDown();

        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(agent.calls()).as("each node asked once").containsExactlyInAnyOrder("a", "b");
    }

    private void awaitOutageOver() {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (core.storageProblem().isPresent() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }
}
