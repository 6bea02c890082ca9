package org.canvasbatch.bootstrap.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.RunSingleNodeCommand;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.SingleNodeResult;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.HandDrivenTimers;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.TestClock;

/**
 * A real core (in-memory event log, virtual-thread executor) with a scripted agent, an in-memory vault and a clock
 * whose timers fire only when the test moves it: for scenarios whose point is a timer or a race, not a whole batch.
 */
final class CoreHarness implements AutoCloseable {

    static final String CANVAS = "study/topics.canvas";

    final InMemoryEventLog log = new InMemoryEventLog();
    final ScriptedAgent agent = new ScriptedAgent();
    final InMemoryVault vault = new InMemoryVault();
    final TestClock clock = new TestClock();
    final HandDrivenTimers timers;
    final CanvasBatchCore core;
    private final LocalTaskExecutor executor;
    private final AtomicInteger sessionCounter = new AtomicInteger();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final java.util.concurrent.ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();

    /** @param executorPermits the executor's own guard: tasks it runs at once, whatever the core hands it */
    CoreHarness(CoreSettings settings, int executorPermits) {
        executor = new LocalTaskExecutor(executorPermits);
        timers = new HandDrivenTimers(executor, clock);
        var counting = new ForwardingEventLog(log) {
            @Override
            public Subscription subscribe(SessionId sessionId, java.util.function.Consumer<SessionEvent> listener) {
                subscriptions.incrementAndGet();
                return super.subscribe(sessionId, listener);
            }
        };
        core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        counting,
                        agent,
                        vault,
                        timers,
                        clock,
                        () -> new SessionId("s" + sessionCounter.incrementAndGet()),
                        new SplittableRandom(7)),
                settings);
    }

    CoreHarness(CoreSettings settings) {
        this(settings, 64);
    }

    /** Default settings with a retry backoff of 1–5 ms, so that one step of {@link #RETRY_STEP} makes any retry due. */
    CoreHarness() {
        this(DEFAULT_SETTINGS);
    }

    static final CoreSettings DEFAULT_SETTINGS =
            CoreSettings.DEFAULT.withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(5));

    /** Moves the clock past any backoff of {@link #DEFAULT_SETTINGS}: the retries due by then start. */
    static final Duration RETRY_STEP = Duration.ofMillis(5);

    /** The plugin's retry button, called on a thread of its own as the HTTP server would: the call blocks. */
    CompletableFuture<SingleNodeResult> runSingleNode(String nodeId, AgentId agent) {
        var command = new RunSingleNodeCommand(CANVAS, nodeId, Optional.ofNullable(agent), Optional.empty());
        return CompletableFuture.supplyAsync(
                () -> core.useCases().runSingleNode().run(command), callers);
    }

    /** A second core over the same event log, agent, vault and timers: the process after a restart. */
    CanvasBatchCore restartedCore() {
        return new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        log,
                        agent,
                        vault,
                        timers,
                        clock,
                        () -> new SessionId("r" + sessionCounter.incrementAndGet()),
                        new SplittableRandom(11)),
                DEFAULT_SETTINGS);
    }

    static List<CanvasNode> nodes(String... ids) {
        List<CanvasNode> nodes = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            nodes.add(CanvasNode.text(ids[i], "What is topic " + ids[i] + "?", "1", 0, i * 100, 250, 60));
        }
        return nodes;
    }

    /**
     * Adds {@code nodes} to the learner's canvas in the vault (made if missing), keeping the nodes it has: analyze
     * takes only canvases that are in the vault.
     */
    void holdInCanvas(List<CanvasNode> nodes) {
        List<CanvasNode> held = new ArrayList<>(
                vault.canvasExists(CANVAS) ? vault.readCanvas(CANVAS).nodes() : List.of());
        for (CanvasNode node : nodes) {
            if (held.stream().noneMatch(n -> n.id().equals(node.id()))) {
                held.add(node);
            }
        }
        vault.withCanvas(new Canvas(CANVAS, held, List.of()));
    }

    /** Analyses the nodes as one pending session of one group with the given per-session limit. */
    SessionId analyzeOneGroup(int maxConcurrent, String... ids) {
        holdInCanvas(nodes(ids));
        return core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        CANVAS,
                        Optional.of(nodes(ids)),
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

    EventRecorder record(SessionId id) {
        EventRecorder recorder = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, recorder::accept);
        return recorder;
    }

    void start(SessionId id) {
        core.useCases().start().start(StartSessionCommand.of(id));
    }

    /** Listeners ever registered with the event log: a single-node call waiting for an outcome registers one. */
    int subscriptions() {
        return subscriptions.get();
    }

    List<String> trace(SessionId id) {
        return EventRecorder.describe(log.readAfter(id, 0, 10_000));
    }

    @Override
    public void close() {
        executor.shutdown(Duration.ofSeconds(1));
        callers.shutdownNow();
    }
}
