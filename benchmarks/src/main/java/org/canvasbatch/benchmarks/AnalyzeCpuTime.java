package org.canvasbatch.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionId;

/**
 * One analyze of the largest request the contract takes: 117 question nodes whose texts are at the 64 KiB limit (random
 * words, 6.8 MiB of JSON, hostile-14 F9), through the real use case (grouping, routing, the session recorded in an
 * in-memory journal), timed in the CPU time of the calling thread, which does all of it.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:benchmarks/target/lib/*" org.canvasbatch.benchmarks.AnalyzeCpuTime
 * </pre>
 */
public final class AnalyzeCpuTime {

    private static final int NODES = 117;
    private static final int TEXT_CHARS = 65_000;
    private static final int WARMUP = 2;
    private static final int MEASURED = 5;

    private AnalyzeCpuTime() {}

    public static void main(String[] args) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<CanvasNode> nodes = maxSizeNodes();
        LocalTaskExecutor executor = new LocalTaskExecutor(4);
        AtomicInteger ids = new AtomicInteger();
        CanvasBatchCore core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        new InMemoryEventLog(),
                        new DispatchBenchmark.InstantAgent(),
                        new DispatchBenchmark.NullVault(),
                        executor,
                        Instant::now,
                        () -> new SessionId("analyze-" + ids.incrementAndGet()),
                        new SplittableRandom(1)),
                CoreSettings.DEFAULT);
        long[] cpu = new long[MEASURED];
        long[] wall = new long[MEASURED];
        for (int round = -WARMUP; round < MEASURED; round++) {
            long cpuStart = threads.getCurrentThreadCpuTime();
            long wallStart = System.nanoTime();
            core.useCases()
                    .analyze()
                    .analyze(new AnalyzeCanvasCommand(
                            "bench/max-size.canvas",
                            Optional.of(nodes),
                            Set.of(),
                            10,
                            1,
                            AgentChoice.AUTO,
                            false,
                            Optional.empty(),
                            Optional.of(Duration.ofHours(1))));
            if (round >= 0) {
                cpu[round] = threads.getCurrentThreadCpuTime() - cpuStart;
                wall[round] = System.nanoTime() - wallStart;
            }
        }
        executor.shutdown(Duration.ofSeconds(1));
        Arrays.sort(cpu);
        Arrays.sort(wall);
        System.out.printf(
                Locale.ROOT,
                "analyze of %d nodes x %d chars: CPU median %.0f ms (min %.0f), wall median %.0f ms (min %.0f)%n",
                NODES,
                TEXT_CHARS,
                cpu[MEASURED / 2] / 1e6,
                cpu[0] / 1e6,
                wall[MEASURED / 2] / 1e6,
                wall[0] / 1e6);
    }

    /** As the finding built them: "what is " and 9 000 words drawn from 50 000, cut at the limit. */
    static List<CanvasNode> maxSizeNodes() {
        SplittableRandom random = new SplittableRandom(1);
        List<CanvasNode> nodes = new ArrayList<>(NODES);
        for (int i = 0; i < NODES; i++) {
            StringBuilder text = new StringBuilder("what is");
            while (text.length() < TEXT_CHARS) {
                text.append(" w").append(random.nextInt(50_000));
            }
            nodes.add(CanvasNode.text(
                    "n" + i, text.substring(0, TEXT_CHARS), "1", (i % 10) * 300.0, (i / 10) * 120.0, 260, 80));
        }
        return nodes;
    }
}
