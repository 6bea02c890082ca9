package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.SessionConflict;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
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
 * Batches that share few slots are paused, resumed and reprioritised by their learners while the journal refuses a
 * random share of both the starts and the outcomes of their nodes, as a flaky disk does, and while some calls fail for
 * a moment and are retried: every batch still completes, each node's note is asked of the model once per attempt and
 * no node answers twice, no more calls are in flight than the server and each batch allow, and once all is over every
 * slot is free again.
 */
class SteeredBatchesStressTest {

    private static final int GLOBAL_LIMIT = 3;
    private static final int BATCH_LIMIT = 2;
    private static final int BATCHES = 3;
    private static final int NODES = 10;

    private final SplittableRandom random = new SplittableRandom(20261204);
    private final AtomicInteger refused = new AtomicInteger();
    private final ForwardingEventLog flakyJournal = new ForwardingEventLog(new InMemoryEventLog()) {
        @Override
        public void append(List<SessionEvent> events) {
            boolean nodeWork = events.stream()
                    .anyMatch(e -> e instanceof TaskStarted || e instanceof TaskSucceeded || e instanceof TaskFailed);
            if (nodeWork && refuseNow()) {
                refused.incrementAndGet();
                throw new EventLogException("could not store events: input/output error");
            }
            super.append(events);
        }
    };

    private final ScriptedAgent agent = new ScriptedAgent();
    /** Counts each batch's calls in flight as its model provider would see them (node ids start with the batch). */
    private final Map<Character, AtomicInteger> inFlightByBatch = new ConcurrentHashMap<>();

    private final Map<Character, AtomicInteger> peakByBatch = new ConcurrentHashMap<>();
    private final AgentRunner countingAgent = new AgentRunner() {
        @Override
        public AgentAnswer run(AgentRequest request) throws AgentFailure, InterruptedException {
            char batch = request.nodeId().charAt(0);
            int now = inFlightByBatch
                    .computeIfAbsent(batch, b -> new AtomicInteger())
                    .incrementAndGet();
            peakByBatch.computeIfAbsent(batch, b -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            try {
                return agent.run(request);
            } finally {
                inFlightByBatch.get(batch).decrementAndGet();
            }
        }

        @Override
        public String model() {
            return agent.model();
        }
    };

    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final InMemoryVault vault = new InMemoryVault();
    private final AtomicInteger sessions = new AtomicInteger();
    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    flakyJournal,
                    countingAgent,
                    vault,
                    executor,
                    Instant::now,
                    () -> new SessionId("s" + sessions.incrementAndGet()),
                    new SplittableRandom(7)),
            // the journal and the model are tried again within milliseconds: the test is about outcomes, not waiting
            CoreSettings.DEFAULT
                    .withGlobalConcurrency(GLOBAL_LIMIT)
                    .withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(20)));

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    private synchronized boolean refuseNow() {
        return random.nextInt(4) == 0;
    }

    private synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    @Test
    void steeredBatchesAllCompleteWithinTheirLimitsWhileTheJournalRefusesStartsAndOutcomes() throws Exception {
        List<SessionId> ids = new ArrayList<>();
        List<EventRecorder> recorders = new ArrayList<>();
        for (int batch = 0; batch < BATCHES; batch++) {
            char prefix = (char) ('p' + batch);
            String[] nodeIds = new String[NODES];
            for (int i = 0; i < NODES; i++) {
                nodeIds[i] = prefix + "n" + i;
                if (i % 4 == 1) {
                    // a model that is briefly overloaded: the node's next attempt is the batch's to start again
                    agent.then(nodeIds[i], ScriptedAgent.transientFailure("overloaded", Duration.ZERO));
                }
            }
            SessionId id = OneGroupCanvas.analyze(core, vault, "batch-" + batch + ".canvas", BATCH_LIMIT, nodeIds);
            EventRecorder events = new EventRecorder();
            core.useCases().subscriptions().subscribe(id, events::accept);
            ids.add(id);
            recorders.add(events);
        }
        List<Thread> learners = new ArrayList<>();
        for (SessionId id : ids) {
            learners.add(Thread.ofVirtual().start(() -> {
                core.useCases().start().start(StartSessionCommand.of(id));
                for (int step = 0; step < 6; step++) {
                    steer(id, step);
                }
            }));
        }
        for (Thread learner : learners) {
            learner.join();
        }
        // a learner who paused last leaves the batch paused: every batch goes on to its end
        for (SessionId id : ids) {
            steer(id, 1);
        }

        for (EventRecorder events : recorders) {
            assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
            assertThat(events.events().stream()
                            .filter(TaskSucceeded.class::isInstance)
                            .map(e -> ((TaskSucceeded) e).nodeId()))
                    .as("each node succeeds once")
                    .hasSize(NODES)
                    .doesNotHaveDuplicates();
        }
        assertThat(refused.get()).as("the journal did refuse node work").isPositive();
        assertThat(agent.calls())
                .as("each node asked once, and once more after its brief failure")
                .hasSize(BATCHES * (NODES + (NODES + 2) / 4));
        assertThat(agent.peakInFlight()).isLessThanOrEqualTo(GLOBAL_LIMIT);
        assertThat(peakByBatch.values())
                .allSatisfy(peak -> assertThat(peak.get()).isLessThanOrEqualTo(BATCH_LIMIT));

        CountDownLatch lastAnswers = new CountDownLatch(1);
        String[] last = {"zn0", "zn1", "zn2"};
        for (String nodeId : last) {
            agent.then(nodeId, new ScriptedAgent.WaitFor(lastAnswers));
        }
        SessionId fresh = OneGroupCanvas.analyze(core, vault, "last.canvas", GLOBAL_LIMIT, last);
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(fresh, events::accept);
        core.useCases().start().start(StartSessionCommand.of(fresh));
        EventRecorder.awaitCondition(
                () -> agent.inFlight() == GLOBAL_LIMIT, "every slot of the server is free again for a new batch");
        lastAnswers.countDown();
        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
    }

    /** One move of a learner: pause, resume or a new priority for the batch's group; a batch that ended refuses it. */
    private void steer(SessionId id, int step) {
        try {
            switch (step % 3) {
                case 0 -> core.useCases().pause().pause(id, "a break");
                case 1 -> core.useCases().resume().resume(id, "back");
                default ->
                    core.useCases()
                            .changePriority()
                            .changePriority(
                                    id,
                                    core.useCases()
                                            .status()
                                            .status(id)
                                            .groups()
                                            .getFirst()
                                            .id(),
                                    Priority.values()[nextInt(Priority.values().length)]);
            }
        } catch (SessionConflict ended) {
            // the batch finished (or was already in that state) before this move
        }
    }
}
