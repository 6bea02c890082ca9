package org.canvasbatch.domain.grouping;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasEdge;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.fixtures.FixtureVault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A quality gate on canvases with a recorded true topic per question (see docs/benchmarks.md, "Grouping quality"):
 * the adjusted Rand index of the offline grouping against the truth, with the plugin's default of six groups at most.
 */
class GroupingQualityTest {

    private static final int PLUGIN_MAX_GROUPS = 6;
    private final TopicGrouping grouping = new TopicGrouping();

    @ParameterizedTest
    @ValueSource(
            strings = {
                FixtureVault.GROUPING_SCIENCES_GRID,
                FixtureVault.GROUPING_LABELLED_GROUPS,
                FixtureVault.GROUPING_LINKED_NOTES,
                FixtureVault.GROUPING_HELD_OUT
            })
    void mixedTopicCanvasesGroupByTopicOffline(String path) {
        GroupingInput input = LabelledCanvases.fromVault(path);

        GroupingResult result = grouping.group(input, PLUGIN_MAX_GROUPS);

        assertThat(LabelledCanvases.adjustedRandIndex(path, input, result)).isGreaterThanOrEqualTo(0.8);
        assertThat(result.recommendedK()).isLessThan(PLUGIN_MAX_GROUPS);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                FixtureVault.GROUPING_SCIENCES_GRID,
                FixtureVault.GROUPING_LABELLED_GROUPS,
                FixtureVault.GROUPING_LINKED_NOTES,
                FixtureVault.GROUPING_HELD_OUT
            })
    void theQuestionsAloneAsThePluginSendsThemGroupByTopicToo(String path) {
        GroupingInput input = LabelledCanvases.fromPluginOnly(path);

        GroupingResult result = grouping.group(input, PLUGIN_MAX_GROUPS);

        assertThat(LabelledCanvases.adjustedRandIndex(path, input, result)).isGreaterThanOrEqualTo(0.8);
    }

    /**
     * Written after the method was finished and measured once (0.68: music theory, whose words the lexicon mostly
     * lacks, came out in three groups); this guards that figure, it did not shape the method. Main reached 0.33.
     */
    @Test
    void aCanvasWrittenAfterTheMethodWasFinishedStaysWellAboveTheOldGrouping() {
        GroupingInput input = LabelledCanvases.fromVault(FixtureVault.GROUPING_HELD_OUT_STUDENT);

        GroupingResult result = grouping.group(input, PLUGIN_MAX_GROUPS);

        assertThat(LabelledCanvases.adjustedRandIndex(FixtureVault.GROUPING_HELD_OUT_STUDENT, input, result))
                .isGreaterThanOrEqualTo(0.6);
    }

    @Test
    void aCanvasOfOneTopicIsNotCutIntoTheMaximumNumberOfGroups() {
        GroupingInput input = LabelledCanvases.fromVault(FixtureVault.GROUPING_ONE_TOPIC);

        GroupingResult result = grouping.group(input, PLUGIN_MAX_GROUPS);

        assertThat(result.clusters()).hasSize(1);
        assertThat(result.recommendedK()).isEqualTo(1);
    }

    @Test
    void labelledCanvasGroupsComeBackAsGivenAndNamedAfterTheirLabels() {
        Canvas canvas = LabelledCanvases.canvas(FixtureVault.GROUPING_LABELLED_GROUPS);
        GroupingInput input = LabelledCanvases.fromVault(FixtureVault.GROUPING_LABELLED_GROUPS);
        Map<String, String> labelOfGroupNode = canvas.nodes().stream()
                .filter(CanvasNode::isGroup)
                .collect(Collectors.toMap(CanvasNode::id, CanvasNode::label));

        GroupingResult result = grouping.group(input, PLUGIN_MAX_GROUPS);

        assertThat(result.clusters())
                .extracting(TopicCluster::name)
                .containsExactlyInAnyOrderElementsOf(labelOfGroupNode.values());
        for (TopicCluster cluster : result.clusters()) {
            Set<String> groupNodesHolding = cluster.members().stream()
                    .map(i -> input.questions().get(i))
                    .map(q -> groupNodeHolding(canvas, q))
                    .flatMap(Optional::stream)
                    .collect(Collectors.toSet());
            assertThat(groupNodesHolding).as(cluster.name()).hasSize(1);
            assertThat(labelOfGroupNode.get(groupNodesHolding.iterator().next()))
                    .isEqualTo(cluster.name());
        }
    }

    @Test
    void moreLabelledGroupsThanAllowedAreMergedByLikeness() {
        GroupingInput input = LabelledCanvases.fromVault(FixtureVault.GROUPING_LABELLED_GROUPS);

        GroupingResult result = grouping.group(input, 3);

        assertThat(result.clusters()).hasSize(3);
        assertThat(result.clusters())
                .extracting(TopicCluster::name)
                .anyMatch(name -> name.contains("、") || name.contains(", "));
    }

    @Test
    void edgesDrawnByTheLearnerGroupQuestionsThatShareNoWord() {
        List<CanvasNode> questions = List.of(
                question("a1", "alpha", 0),
                question("b1", "beta", 1),
                question("a2", "gamma", 2),
                question("b2", "delta", 3),
                question("a3", "epsilon", 4),
                question("b3", "zeta", 5),
                question("a4", "eta", 6),
                question("b4", "theta", 7));
        List<CanvasEdge> edges = List.of(
                new CanvasEdge("e1", "a1", "a2", null),
                new CanvasEdge("e2", "a2", "a3", null),
                new CanvasEdge("e3", "a3", "a4", null),
                new CanvasEdge("e4", "b1", "note", null),
                new CanvasEdge("e5", "b2", "note", null),
                new CanvasEdge("e6", "b3", "note", null),
                new CanvasEdge("e7", "b4", "note", null));
        List<CanvasNode> all = new java.util.ArrayList<>(questions);
        all.add(CanvasNode.text("note", "my own summary", Canvas.UNDERSTANDING_COLOR, 0, 900, 200, 60));
        GroupingInput input = GroupingInput.ofNodes(questions, Optional.of(new Canvas("c.canvas", all, edges)));

        GroupingResult result = grouping.group(input, PLUGIN_MAX_GROUPS);

        assertThat(result.clusters())
                .extracting(c -> c.members().stream()
                        .map(i -> questions.get(i).id().substring(0, 1))
                        .collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(Set.of("a"), Set.of("b"));
    }

    @Test
    void questionsSetApartInRegionsOfTheCanvasGroupByRegion() {
        List<CanvasNode> questions = new java.util.ArrayList<>();
        String[] words = {
            "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "omicron"
        };
        for (int i = 0; i < 6; i++) {
            questions.add(CanvasNode.text("left" + i, words[i], "1", (i % 2) * 300, (i / 2) * 120, 260, 80));
            questions.add(
                    CanvasNode.text("right" + i, words[6 + i], "1", 3000 + (i % 2) * 300, (i / 2) * 120, 260, 80));
        }

        GroupingResult result = grouping.group(GroupingInput.ofNodes(questions, Optional.empty()), PLUGIN_MAX_GROUPS);

        assertThat(result.clusters())
                .extracting(c -> c.members().stream()
                        .map(i -> questions.get(i).id().replaceAll("\\d", ""))
                        .collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(Set.of("left"), Set.of("right"));
    }

    private static CanvasNode question(String id, String text, int slot) {
        return CanvasNode.text(id, text, "1", (slot % 4) * 300, (slot / 4) * 120, 260, 80);
    }

    private static Optional<String> groupNodeHolding(Canvas canvas, CanvasNode question) {
        double cx = question.x() + question.width() / 2;
        double cy = question.y() + question.height() / 2;
        return canvas.nodes().stream()
                .filter(CanvasNode::isGroup)
                .filter(g -> cx >= g.x() && cx <= g.x() + g.width() && cy >= g.y() && cy <= g.y() + g.height())
                .map(CanvasNode::id)
                .findFirst();
    }
}
