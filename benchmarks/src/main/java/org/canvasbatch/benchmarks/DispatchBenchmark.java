package org.canvasbatch.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Dispatch overhead: one session of N nodes with an agent that answers at once and a vault that writes nothing, run
 * through the real use cases, dispatcher, virtual-thread executor and in-memory event log. One operation is the whole
 * batch, from start to its SessionFinished event; tasks/s = N / (seconds per operation). Run with -Xmx256m to hold the
 * memory target.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx256m"})
public class DispatchBenchmark {

    @Param({"10000"})
    int nodes;

    private LocalTaskExecutor executor;
    private CanvasBatchCore core;
    private SessionId session;
    private CountDownLatch finished;

    @Setup(Level.Invocation)
    public void analyse() {
        executor = new LocalTaskExecutor(64);
        AtomicInteger ids = new AtomicInteger();
        core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        new InMemoryEventLog(),
                        new InstantAgent(),
                        new NullVault(),
                        executor,
                        Instant::now,
                        () -> new SessionId("bench-" + ids.incrementAndGet()),
                        new SplittableRandom(1)),
                CoreSettings.DEFAULT);
        List<CanvasNode> canvasNodes = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            canvasNodes.add(CanvasNode.text(
                    "n" + i, "What is topic " + (i % 97) + " of chapter " + (i % 13) + "?", "1", 0, i * 80, 300, 60));
        }
        session = core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        "bench/dispatch.canvas",
                        Optional.of(canvasNodes),
                        Set.of(),
                        6,
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.of(12),
                        Optional.of(Duration.ofHours(1))))
                .session()
                .id();
        finished = new CountDownLatch(1);
        core.useCases().subscriptions().subscribe(session, event -> {
            if (event instanceof SessionEvent.SessionFinished) {
                finished.countDown();
            }
        });
    }

    @Benchmark
    public void wholeBatch() throws InterruptedException {
        core.useCases().start().start(StartSessionCommand.of(session));
        if (!finished.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the batch did not finish");
        }
    }

    @TearDown(Level.Invocation)
    public void stop() {
        executor.shutdown(Duration.ofSeconds(5));
    }

    static final class InstantAgent implements AgentRunner {
        @Override
        public AgentAnswer run(org.canvasbatch.application.port.out.AgentRequest request) {
            return new AgentAnswer("# " + request.nodeText(), "instant");
        }

        @Override
        public String model() {
            return "instant";
        }
    }

    /** Every canvas is there and empty (analyze takes only canvases in the vault): nothing is read or written. */
    static final class NullVault implements Vault {
        @Override
        public Canvas readCanvas(String canvasPath) {
            return new Canvas(canvasPath, java.util.List.of(), java.util.List.of());
        }

        @Override
        public boolean canvasExists(String canvasPath) {
            return true;
        }

        @Override
        public String contentOf(String canvasPath, CanvasNode node) {
            return node.displayText();
        }

        @Override
        public WrittenNote writeNote(NoteDraft draft) {
            return new WrittenNote(
                    "bench/" + draft.nodeId() + ".md", draft.markdown().length());
        }
    }
}
