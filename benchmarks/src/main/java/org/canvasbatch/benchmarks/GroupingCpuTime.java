package org.canvasbatch.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.grouping.GroupingInput;
import org.canvasbatch.domain.grouping.TopicGrouping;

/**
 * Analyze's grouping of a large canvas, timed in the CPU time of the one thread that does it as well as in wall time.
 * Grouping runs on a single thread, so its CPU time is what the wall time would be on an idle core: on a machine whose
 * two cores are shared with other builds (load average far above 2) the JMH wall-clock figures of
 * {@link GroupingBenchmark} mostly measure the waiting, and this is the figure to compare with the target.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:benchmarks/target/lib/*" org.canvasbatch.benchmarks.GroupingCpuTime 1000 10000
 * </pre>
 */
public final class GroupingCpuTime {

    private static final int WARMUP = 15;
    private static final int MEASURED = 25;

    private GroupingCpuTime() {}

    public static void main(String[] args) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        TopicGrouping grouping = new TopicGrouping();
        for (String arg : args.length == 0 ? new String[] {"1000"} : args) {
            int nodes = Integer.parseInt(arg);
            List<String> questions = GroupingBenchmark.SyntheticQuestions.generate(nodes, 42L);
            List<CanvasNode> placed = new ArrayList<>(nodes);
            for (int i = 0; i < nodes; i++) {
                placed.add(
                        CanvasNode.text("n" + i, questions.get(i), "1", (i % 20) * 300.0, (i / 20) * 120.0, 260, 80));
            }
            GroupingInput texts = GroupingInput.ofTexts(questions);
            GroupingInput canvas = GroupingInput.ofNodes(placed, Optional.empty());
            int rounds = nodes >= 5_000 ? 5 : MEASURED;
            int warmup = nodes >= 5_000 ? 3 : WARMUP;
            for (GroupingInput input : List.of(texts, canvas)) {
                long[] cpu = new long[rounds];
                long[] wall = new long[rounds];
                for (int round = -warmup; round < rounds; round++) {
                    long cpuStart = threads.getCurrentThreadCpuTime();
                    long wallStart = System.nanoTime();
                    grouping.group(input, 10);
                    if (round >= 0) {
                        cpu[round] = threads.getCurrentThreadCpuTime() - cpuStart;
                        wall[round] = System.nanoTime() - wallStart;
                    }
                }
                Arrays.sort(cpu);
                Arrays.sort(wall);
                System.out.printf(
                        Locale.ROOT,
                        "%6d nodes, %-22s CPU median %6.1f ms (min %6.1f)   wall median %6.1f ms (min %6.1f)%n",
                        nodes,
                        input == texts ? "texts only" : "placed on the canvas",
                        cpu[rounds / 2] / 1e6,
                        cpu[0] / 1e6,
                        wall[rounds / 2] / 1e6,
                        wall[0] / 1e6);
            }
        }
    }
}
