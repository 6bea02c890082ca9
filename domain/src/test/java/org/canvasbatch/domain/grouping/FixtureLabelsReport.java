package org.canvasbatch.domain.grouping;

import java.util.List;
import java.util.Optional;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.fixtures.FixtureVault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints, for every fixture canvas, each group's name and its questions: the names a learner reads in the analysis
 * preview. A tool, not a check; run it with {@code -Dlabels.print=true -Dtest=FixtureLabelsReport}.
 */
@EnabledIfSystemProperty(named = "labels.print", matches = "true")
class FixtureLabelsReport {

    static final List<String> CANVASES = List.of(
            FixtureVault.EXAM_170,
            FixtureVault.DISCRETE_MATH,
            FixtureVault.LINEAR_ALGEBRA,
            FixtureVault.MIXED,
            FixtureVault.DATA_STRUCTURES,
            FixtureVault.GROUPING_SCIENCES_GRID,
            FixtureVault.GROUPING_LABELLED_GROUPS,
            FixtureVault.GROUPING_LINKED_NOTES,
            FixtureVault.GROUPING_HELD_OUT,
            FixtureVault.GROUPING_HELD_OUT_STUDENT,
            FixtureVault.GROUPING_ONE_TOPIC);

    /** Every max_groups from 2 to 10, both inputs: identical names, shared terms, terms not in the group's questions. */
    @Test
    void auditsEveryGrouping() {
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (String path : CANVASES) {
            for (int maxGroups = 2; maxGroups <= 10; maxGroups++) {
                for (boolean plugin : new boolean[] {false, true}) {
                    Canvas canvas = LabelledCanvases.canvas(path);
                    GroupingInput input = GroupingInput.ofNodes(
                            canvas.nodesColored(LabelledCanvases.QUESTION_COLOURS),
                            plugin ? Optional.empty() : Optional.of(canvas));
                    GroupingResult result = new TopicGrouping().group(input, maxGroups);
                    List<TopicCluster> clusters = result.clusters();
                    for (int a = 0; a < clusters.size(); a++) {
                        TopicCluster ca = clusters.get(a);
                        if (ca.label() != null) {
                            continue;
                        }
                        seen.add(path + " | all labels | " + ca.name());
                        for (String term : ca.topTerms()) {
                            String t = term.toLowerCase(java.util.Locale.ROOT);
                            boolean own = ca.members().stream()
                                    .anyMatch(m -> input.texts()
                                            .get(m)
                                            .toLowerCase(java.util.Locale.ROOT)
                                            .contains(t));
                            if (!own) {
                                seen.add(path + " | term not in own questions | " + term + " in " + ca.name());
                            }
                            long groupsWith = clusters.stream()
                                    .filter(c -> c.members().stream()
                                            .anyMatch(m -> input.texts()
                                                    .get(m)
                                                    .toLowerCase(java.util.Locale.ROOT)
                                                    .contains(t)))
                                    .count();
                            if (clusters.size() >= 3 && groupsWith * 2 > clusters.size()) {
                                seen.add(path + " | term in most groups | " + term + " (" + groupsWith + "/"
                                        + clusters.size() + ") in " + ca.name());
                            }
                        }
                        for (int b = a + 1; b < clusters.size(); b++) {
                            TopicCluster cb = clusters.get(b);
                            if (cb.label() != null) {
                                continue;
                            }
                            if (ca.name().equals(cb.name())) {
                                seen.add(path + " | identical | " + ca.name());
                            }
                            for (String term : ca.topTerms()) {
                                if (cb.topTerms().contains(term)) {
                                    seen.add(path + " | shared term | " + term + ": " + ca.name() + " / " + cb.name());
                                }
                            }
                        }
                    }
                }
            }
        }
        seen.forEach(System.out::println);
    }

    /** CPU time of the 170-node canvas's analysis, and of naming its groups alone: median of 40 after 30 warm-ups. */
    @Test
    void timesTheExamPrepCanvas() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Canvas canvas = LabelledCanvases.canvas(FixtureVault.EXAM_170);
        GroupingInput input =
                GroupingInput.ofNodes(canvas.nodesColored(LabelledCanvases.QUESTION_COLOURS), Optional.of(canvas));
        GroupingResult result = new TopicGrouping().group(input, 6);
        List<List<Integer>> groups =
                result.clusters().stream().map(TopicCluster::members).toList();
        TfIdfCorpus corpus = TfIdfCorpus.of(input.texts());
        long[] analysis = new long[40];
        long[] naming = new long[40];
        for (int round = -30; round < 40; round++) {
            long start = threads.getCurrentThreadCpuTime();
            new TopicGrouping().group(input, 6);
            long middle = threads.getCurrentThreadCpuTime();
            for (int repeat = 0; repeat < 100; repeat++) {
                name(corpus, groups);
            }
            long end = threads.getCurrentThreadCpuTime();
            if (round >= 0) {
                analysis[round] = middle - start;
                naming[round] = (end - middle) / 100;
            }
        }
        java.util.Arrays.sort(analysis);
        java.util.Arrays.sort(naming);
        System.out.printf(
                "170-node canvas: analysis %.1f ms CPU (median of 40, min %.1f); naming its %d groups %.1f µs (min %.1f)%n",
                analysis[20] / 1e6, analysis[0] / 1e6, groups.size(), naming[20] / 1e3, naming[0] / 1e3);
    }

    private static Object name(TfIdfCorpus corpus, List<List<Integer>> groups) {
        return ClusterNaming.names(corpus, groups);
    }

    @Test
    void printsEveryGroupOfEveryFixtureCanvas() {
        int maxGroups = Integer.getInteger("labels.maxGroups", 6);
        boolean members = Boolean.getBoolean("labels.members");
        for (String path : CANVASES) {
            for (boolean plugin : new boolean[] {false, true}) {
                Canvas canvas = LabelledCanvases.canvas(path);
                GroupingInput input = GroupingInput.ofNodes(
                        canvas.nodesColored(LabelledCanvases.QUESTION_COLOURS),
                        plugin ? Optional.empty() : Optional.of(canvas));
                long start = System.nanoTime();
                GroupingResult result = new TopicGrouping().group(input, maxGroups);
                long micros = (System.nanoTime() - start) / 1000;
                System.out.printf(
                        "=== %s (%s, %d questions, %d groups, %d µs)%n",
                        path,
                        plugin ? "plugin nodes" : "from vault",
                        input.texts().size(),
                        result.clusters().size(),
                        micros);
                for (TopicCluster cluster : result.clusters()) {
                    System.out.printf(
                            "  [%s]%s (%d)%n",
                            cluster.name(),
                            cluster.label() != null ? " (learner)" : "",
                            cluster.members().size());
                    if (members) {
                        for (int m : cluster.members()) {
                            System.out.printf(
                                    "      - %s%n", input.texts().get(m).replace('\n', ' '));
                        }
                    }
                }
            }
        }
    }
}
