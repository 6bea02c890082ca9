package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
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
 * Several batches share few slots while the journal refuses a random third of their starts, as a flaky disk does:
 * every node still runs once, no more calls are in flight than the server allows, and no batch waits forever with a
 * slot free.
 */
class StartRefusalStressTest {

    private static final int GLOBAL_LIMIT = 3;

    private final SplittableRandom random = new SplittableRandom(20261204);
    private final AtomicInteger refused = new AtomicInteger();
    private final ForwardingEventLog flakyJournal = new ForwardingEventLog(new InMemoryEventLog()) {
        @Override
        public void append(List<SessionEvent> events) {
            if (events.stream().anyMatch(TaskStarted.class::isInstance) && refuseNow()) {
                refused.incrementAndGet();
                throw new EventLogException("could not store events: input/output error");
            }
            super.append(events);
        }
    };

    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault vault = new InMemoryVault();
    private final AtomicInteger sessions = new AtomicInteger();
    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    flakyJournal,
                    agent,
                    vault,
                    executor,
                    Instant::now,
                    () -> new SessionId("s" + sessions.incrementAndGet()),
                    new SplittableRandom(7)),
            // the journal is tried again within milliseconds: the test is about what happens, not about waiting
            CoreSettings.DEFAULT
                    .withGlobalConcurrency(GLOBAL_LIMIT)
                    .withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(20)));

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    private synchronized boolean refuseNow() {
        return random.nextInt(3) == 0;
    }

    @Test
    void batchesSharingFewSlotsAllFinishWhileTheJournalRefusesRandomStarts() throws Exception {
        List<SessionId> ids = new ArrayList<>();
        List<EventRecorder> recorders = new ArrayList<>();
        for (int batch = 0; batch < 4; batch++) {
            SessionId id = analyze("topics-" + batch + ".canvas", 12);
            EventRecorder events = new EventRecorder();
            core.useCases().subscriptions().subscribe(id, events::accept);
            ids.add(id);
            recorders.add(events);
        }
        List<Thread> confirms = new ArrayList<>();
        for (SessionId id : ids) {
            confirms.add(Thread.ofVirtual().start(() -> core.useCases().start().start(StartSessionCommand.of(id))));
        }
        for (Thread confirm : confirms) {
            confirm.join();
        }

        for (EventRecorder events : recorders) {
            assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        }
        assertThat(refused.get()).as("the journal did refuse starts").isPositive();
        assertThat(agent.calls()).as("each node called once").hasSize(4 * 12).doesNotHaveDuplicates();
        assertThat(agent.peakInFlight()).isLessThanOrEqualTo(GLOBAL_LIMIT);
    }

    private SessionId analyze(String canvasPath, int count) {
        List<CanvasNode> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = canvasPath.charAt(7) + "n" + i;
            nodes.add(CanvasNode.text(id, "What is topic " + id + "?", "1", 0, i * 100, 250, 60));
        }
        vault.withCanvas(new Canvas(canvasPath, nodes, List.of()));
        return core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        canvasPath,
                        Optional.of(nodes),
                        Set.of(),
                        1,
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.of(2),
                        Optional.empty()))
                .session()
                .id();
    }
}
