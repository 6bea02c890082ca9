package org.canvasbatch.domain.grouping;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.fixtures.FixtureVault;
import org.junit.jupiter.api.Test;

/**
 * The names a learner reads for the groups of the fixture canvases (the analysis preview, {@code canvas-batch run},
 * the group node written into the canvas), for every canvas, read from the vault and as the plugin's nodes alone, at
 * three {@code max_groups}: what a learner reading them would hold against the tool.
 */
class GroupNamesTest {

    private static final List<String> CANVASES = List.of(
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

    /** The groups of one canvas as analyze returns them, with the questions they index. */
    private record Grouped(String what, List<String> texts, List<TopicCluster> clusters) {

        /** The groups named by their words: a learner's own label is the learner's business. */
        List<TopicCluster> named() {
            return clusters.stream().filter(c -> c.label() == null).toList();
        }

        boolean mentions(TopicCluster cluster, String term) {
            String lower = term.toLowerCase(Locale.ROOT);
            return cluster.members().stream()
                    .anyMatch(m -> texts.get(m).toLowerCase(Locale.ROOT).contains(lower));
        }
    }

    private static List<Grouped> everyGrouping;

    private static synchronized List<Grouped> everyGrouping() {
        if (everyGrouping == null) {
            List<Grouped> all = new ArrayList<>();
            for (String path : CANVASES) {
                Canvas canvas = LabelledCanvases.canvas(path);
                List<CanvasNode> questions = canvas.nodesColored(LabelledCanvases.QUESTION_COLOURS);
                for (boolean fromVault : new boolean[] {true, false}) {
                    GroupingInput input =
                            GroupingInput.ofNodes(questions, fromVault ? Optional.of(canvas) : Optional.empty());
                    for (int maxGroups : new int[] {3, 6, 10}) {
                        GroupingResult result = new TopicGrouping().group(input, maxGroups);
                        String what = path + (fromVault ? ", from the vault" : ", plugin's nodes") + ", max_groups "
                                + maxGroups;
                        all.add(new Grouped(what, input.texts(), result.clusters()));
                    }
                }
            }
            everyGrouping = List.copyOf(all);
        }
        return everyGrouping;
    }

    /**
     * 在生 is no word: it is the end of 存在/在 and the start of 生日 in 鸽巢原理在生日问题, and named the pigeonhole group of
     * the mixed-node-types canvas. Every term of a name is written in the group's own questions, and a fragment's
     * whole word (传递闭包, 儒家思想) is shown rather than its first two characters.
     */
    @Test
    void noNameHoldsAFragmentStraddlingTwoWords() {
        Set<String> straddling = Set.of("在生", "理在");
        for (Grouped grouped : everyGrouping()) {
            for (TopicCluster cluster : grouped.named()) {
                assertThat(cluster.topTerms())
                        .as("%s: %s", grouped.what(), cluster.name())
                        .doesNotContainAnyElementsOf(straddling)
                        .allSatisfy(term -> assertThat(grouped.mentions(cluster, term))
                                .as(
                                        "%s: '%s' of %s is written in the group's questions",
                                        grouped.what(), term, cluster.name())
                                .isTrue());
            }
        }
        assertThat(namesOf(FixtureVault.MIXED)).contains("鸽巢原理").doesNotContain("生日");
        assertThat(namesOf(FixtureVault.DISCRETE_MATH)).contains("传递闭包").doesNotContain("传递");
    }

    /**
     * How a question is asked is not what it is about: "revolution, war, begin" (Why did the Cold War begin …),
     * "rate, unemployment, measured", "形成、气候、荒漠化" (台风是怎样形成的), "期望、概率、计算" and "time, count, signature"
     * named groups of the fixture canvases.
     */
    @Test
    void noNameTermIsAQuestionWordOrAVerbOfHowItIsAsked() {
        Set<String> generic = Set.of(
                "begin",
                "measured",
                "measure",
                "count",
                "form",
                "explain",
                "difference",
                "describe",
                "define",
                "compare",
                "what",
                "why",
                "how",
                "什么",
                "为什么",
                "如何",
                "区别",
                "理解",
                "比较",
                "说明",
                "形成",
                "计算");
        for (Grouped grouped : everyGrouping()) {
            for (TopicCluster cluster : grouped.named()) {
                assertThat(cluster.topTerms())
                        .as("%s: %s", grouped.what(), cluster.name())
                        .noneMatch(term -> generic.contains(term.toLowerCase(Locale.ROOT)));
            }
        }
    }

    /**
     * A name is there to tell a group from the others: two groups never share one, and from three groups on no name
     * holds a word that the questions of most groups have (矩阵 named a group of the linear-algebra canvas whose four
     * groups all ask about matrices).
     */
    @Test
    void namesTellTheGroupsApart() {
        for (Grouped grouped : everyGrouping()) {
            List<TopicCluster> named = grouped.named();
            assertThat(named).as(grouped.what()).extracting(TopicCluster::name).doesNotHaveDuplicates();
            if (grouped.clusters().size() < 3) {
                continue;
            }
            for (TopicCluster cluster : named) {
                for (String term : cluster.topTerms()) {
                    long groupsWithIt = grouped.clusters().stream()
                            .filter(c -> grouped.mentions(c, term))
                            .count();
                    assertThat(groupsWithIt * 2)
                            .as(
                                    "%s: '%s' of %s is in the questions of %d of %d groups",
                                    grouped.what(),
                                    term,
                                    cluster.name(),
                                    groupsWithIt,
                                    grouped.clusters().size())
                            .isLessThanOrEqualTo(grouped.clusters().size());
                }
            }
        }
    }

    /**
     * The exam-prep canvas asks its computer-science questions twice, once as written and once as "Review: …". A
     * learner who puts each set in an unlabelled canvas group of its own gets two groups of the same words; they are
     * still two groups to tell apart in the preview.
     */
    @Test
    void twoUnlabelledCanvasGroupsOfTheSameQuestionsAreNamedApart() {
        List<String> texts = ExamPrepCanvasTest.questionTexts(FixtureVault.read(FixtureVault.EXAM_170));
        List<String> firsts = texts.stream()
                .filter(t -> !t.startsWith("Review: ") && texts.contains("Review: " + t))
                .filter(t -> !TermExtractor.containsCjk(t))
                .toList();
        List<CanvasNode> nodes = new ArrayList<>();
        nodes.add(new CanvasNode("first", "group", null, null, null, null, null, 0, 0, 400, 100 * firsts.size()));
        nodes.add(new CanvasNode("again", "group", null, null, null, null, null, 1000, 0, 400, 100 * firsts.size()));
        for (int i = 0; i < firsts.size(); i++) {
            nodes.add(CanvasNode.text("f" + i, firsts.get(i), "1", 20, 100 * i + 10, 300, 80));
            nodes.add(CanvasNode.text("r" + i, "Review: " + firsts.get(i), "1", 1020, 100 * i + 10, 300, 80));
        }
        Canvas canvas = new Canvas("Exam Prep/twice.canvas", nodes, List.of());

        GroupingResult result = new TopicGrouping()
                .group(GroupingInput.ofNodes(canvas.nodesColored(Set.of("1")), Optional.of(canvas)), 6);

        assertThat(firsts).hasSizeGreaterThan(10);
        assertThat(result.clusters()).hasSize(2);
        assertThat(result.clusters().get(0).name())
                .isNotEqualTo(result.clusters().get(1).name());
    }

    private static List<String> namesOf(String path) {
        return everyGrouping().stream()
                .filter(g -> g.what().startsWith(path + ","))
                .flatMap(g -> g.named().stream())
                .flatMap(c -> c.topTerms().stream())
                .toList();
    }
}
