package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.testsupport.EventRecorder.awaitCondition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.CapturedLogs;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.ScriptedAgent.WaitForPermit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The journal refuses appends mid-batch, as a full disk does. The batch used to hang "running" forever: outcomes were
 * dropped, nothing resumed until a restart. Now finished work is held, watchers are told once, the status says why,
 * nothing new starts, and when the journal takes events again the batch goes on by itself, asking the model nothing
 * twice.
 */
class StorageOutageTest {

    private static final String FOLDER = "/home/learner/.canvas-batch/data/sessions";

    private final InMemoryEventLog memory = new InMemoryEventLog();
    private final AtomicInteger refused = new AtomicInteger();
    /** What the journal refuses now; nothing by default. */
    private volatile Predicate<List<SessionEvent>> refuses = events -> false;

    private final ForwardingEventLog journal = new ForwardingEventLog(memory) {
        @Override
        public void append(List<SessionEvent> events) {
            if (refuses.test(events)) {
                refused.incrementAndGet();
                throw full();
            }
            super.append(events);
        }

        @Override
        public void probeWritable() {
            if (refuses.test(List.of())) {
                throw full();
            }
        }
    };

    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault vault = new InMemoryVault();
    private final AtomicInteger sessions = new AtomicInteger();
    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    journal,
                    agent,
                    vault,
                    executor,
                    Instant::now,
                    () -> new SessionId("s" + sessions.incrementAndGet()),
                    new SplittableRandom(7)),
            CoreSettings.DEFAULT.withRetryBackoff(Duration.ofMillis(2), Duration.ofMillis(20)));

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    private static EventLogException full() {
        return new EventLogException(
                "could not store events of the session in " + FOLDER + ": no space left on device",
                "no space left on device",
                FOLDER,
                null);
    }

    private SessionId analyze(int maxConcurrent, String... ids) {
        List<CanvasNode> nodes = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            nodes.add(CanvasNode.text(ids[i], "What is topic " + ids[i] + "?", "1", 0, i * 100, 250, 60));
        }
        vault.withCanvas(new Canvas("study/topics.canvas", nodes, List.of()));
        return core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        "study/topics.canvas",
                        Optional.of(nodes),
                        Set.of(),
                        1,
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.of(maxConcurrent),
                        Optional.empty()))
                .session()
                .id();
    }

    private static long count(EventRecorder recorder, Class<? extends SessionEvent> type) {
        return recorder.events().stream().filter(type::isInstance).count();
    }

    @Test
    void whenTheJournalFillsUpMidBatchOutcomesAreHeldWatchersAreToldAndTheBatchGoesOnByItselfWhenSpaceReturns() {
        String[] nodes = {"a", "b", "c", "d", "e", "f"};
        Semaphore permits = new Semaphore(0);
        for (String node : nodes) {
            agent.always(node, new WaitForPermit(permits));
        }
        SessionId id = analyze(2, nodes);
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        List<StorageProblem> notices = new CopyOnWriteArrayList<>();
        core.useCases().subscriptions().onStorageProblem(id, notices::add);
        core.useCases().start().start(StartSessionCommand.of(id));
        permits.release(2);
        events.await(TaskSucceeded.class, e -> count(events, TaskSucceeded.class) == 2);
        awaitCondition(() -> agent.calls().size() == 4, "c and d called");

        try (CapturedLogs lines = CapturedLogs.of("org.canvasbatch.application.batch.StorageWatch")) {
            refuses = any -> true;
            permits.release(2);
            awaitCondition(
                    () -> core.useCases()
                            .status()
                            .storageProblem(id)
                            .map(p -> p.heldWrites() == 2)
                            .orElse(false),
                    "the outcomes of c and d held");

            StorageProblem problem = core.useCases().status().storageProblem(id).orElseThrow();
            assertThat(problem.message()).isEqualTo("Cannot save progress: no space left on device in " + FOLDER);
            assertThat(notices)
                    .singleElement()
                    .satisfies(n -> assertThat(n.message()).isEqualTo(problem.message()));
            assertThat(core.storageProblem()).isPresent();
            Instant firstCheck = problem.nextCheckAt();
            awaitCondition(
                    () -> core.useCases()
                            .status()
                            .storageProblem(id)
                            .orElseThrow()
                            .nextCheckAt()
                            .isAfter(firstCheck),
                    "the journal tried again and refused again");
            assertThat(agent.calls())
                    .as("nothing new started while nothing can be saved")
                    .hasSize(4);
            assertThat(core.useCases().status().status(id).state()).isEqualTo(SessionState.RUNNING);

            refuses = any -> false;
            permits.release(100);
            SessionFinished finished = events.await(SessionFinished.class);

            assertThat(finished.state()).isEqualTo(SessionState.COMPLETED);
            assertThat(lines.visibleRecordsContaining("refuses events")).hasSize(1);
            awaitCondition(
                    () -> lines.visibleRecordsContaining("takes events again").size() == 1, "the end logged");
        }
        for (String node : nodes) {
            assertThat(agent.callsOf(node)).as("node %s was asked once", node).isEqualTo(1);
        }
        assertThat(core.useCases().status().status(id).succeeded()).isEqualTo(6);
        assertThat(core.useCases().status().storageProblem(id)).isEmpty();
        assertThat(core.storageProblem()).isEmpty();
        assertThat(notices).as("told once per outage").hasSize(1);
        assertThat(memory.readAfter(id, 0, 100))
                .extracting(SessionEvent::seq)
                .as("the journal holds every event, in order, with no gap")
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(
                                1, core.useCases().status().status(id).lastSeq())
                        .boxed()
                        .toList());
    }

    @Test
    void aStartTheJournalRefusesCostsTheNodeNoAttemptAndHappensOnceItTakesEventsAgain() {
        SessionId id = analyze(1, "a");
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        refuses = batch -> batch.stream().anyMatch(TaskStarted.class::isInstance) || batch.isEmpty();

        core.useCases().start().start(StartSessionCommand.of(id));
        awaitCondition(() -> refused.get() >= 1, "the start of a refused");
        assertThat(core.useCases().status().status(id).task("a").orElseThrow().attempts())
                .isZero();
        assertThat(agent.calls()).isEmpty();
        refuses = batch -> false;

        events.await(SessionFinished.class);
        assertThat(events.events().stream()
                        .filter(TaskStarted.class::isInstance)
                        .map(e -> ((TaskStarted) e).attempt())
                        .toList())
                .containsExactly(1);
        assertThat(agent.callsOf("a")).isEqualTo(1);
    }
}
