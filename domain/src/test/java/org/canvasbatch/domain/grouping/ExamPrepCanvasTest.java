package org.canvasbatch.domain.grouping;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.canvasbatch.fixtures.FixtureVault;
import org.junit.jupiter.api.Test;

/** Groups the question nodes of the 170-node exam-prep fixture canvas, the size a real revision canvas reaches. */
class ExamPrepCanvasTest {

    private static final Pattern NODE = Pattern.compile("\\{[^{}]*}");
    private static final Pattern TEXT = Pattern.compile("\"text\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern COLOR = Pattern.compile("\"color\"\\s*:\\s*\"([^\"]*)\"");
    /** Red and purple: the question colours the plugin selects. */
    private static final Set<String> QUESTION_COLOURS = Set.of("1", "6");

    @Test
    void groupsEveryQuestionOfTheCanvasIntoTwoToTenGroups() {
        List<String> questions = questionTexts(FixtureVault.read(FixtureVault.EXAM_170));

        GroupingResult result = new TopicGrouping().group(questions, 10);

        assertThat(questions).hasSizeGreaterThan(100);
        assertThat(result.clusters()).hasSizeBetween(2, 10);
        TopicGroupingTest.assertEveryTextInExactlyOneGroup(result, questions.size());
        assertThat(result.clusters()).allSatisfy(cluster -> {
            assertThat(cluster.name()).isNotBlank().isNotEqualTo("Group");
            assertThat(cluster.topTerms()).hasSizeBetween(1, 3);
            assertThat(cluster.cohesion()).isBetween(0.0, 1.0);
        });
        assertThat(result.silhouette()).isBetween(-1.0, 1.0);
    }

    @Test
    void questionsOfOneSubjectMeetAndOtherSubjectsStayApart() {
        List<String> questions = questionTexts(FixtureVault.read(FixtureVault.EXAM_170));

        GroupingResult result = new TopicGrouping().group(questions, 10);

        TopicCluster probability = clusterOf(result, questions, "什么是条件概率");
        assertThat(probability).isSameAs(clusterOf(result, questions, "如何理解贝叶斯公式"));
        assertThat(probability).isNotSameAs(clusterOf(result, questions, "什么是正交矩阵"));
        assertThat(clusterOf(result, questions, "什么是正交矩阵"))
                .isSameAs(clusterOf(result, questions, "如何理解矩阵的秩"))
                .isNotSameAs(clusterOf(result, questions, "What is a hash table?"));
    }

    /**
     * Questions a hostile reading of the canvas found grouped by a shared character rather than their subject
     * (标准 of 标准形 and 标准差 put Jordan's normal form with the variance): textbook terms of their chapters.
     */
    @Test
    void termsOfAChapterTakeTheirQuestionToItsSubject() {
        List<String> questions = questionTexts(FixtureVault.read(FixtureVault.EXAM_170));

        GroupingResult result = new TopicGrouping().group(questions, 10);

        TopicCluster linearAlgebra = clusterOf(result, questions, "什么是正交矩阵");
        assertThat(clusterOf(result, questions, "什么是Jordan标准形")).isSameAs(linearAlgebra);
        assertThat(clusterOf(result, questions, "举个例子说明基变换与坐标变换")).isSameAs(linearAlgebra);
        assertThat(clusterOf(result, questions, "什么是马尔可夫不等式")).isSameAs(clusterOf(result, questions, "什么是条件概率"));
        assertThat(clusterOf(result, questions, "如何理解可数集与不可数集")).isSameAs(clusterOf(result, questions, "什么是等价关系"));
    }

    private static TopicCluster clusterOf(GroupingResult result, List<String> questions, String text) {
        int index = questions.indexOf(text);
        assertThat(index).as("'%s' is a question of the canvas", text).isNotNegative();
        return result.clusters().stream()
                .filter(c -> c.members().contains(index))
                .findFirst()
                .orElseThrow();
    }

    /** A tiny scan of the JSON Canvas nodes; the domain has no JSON library and needs none for this. */
    static List<String> questionTexts(String json) {
        List<String> texts = new ArrayList<>();
        Matcher node = NODE.matcher(json);
        while (node.find()) {
            Matcher text = TEXT.matcher(node.group());
            Matcher color = COLOR.matcher(node.group());
            if (text.find() && color.find() && QUESTION_COLOURS.contains(color.group(1))) {
                texts.add(unescape(text.group(1)));
            }
        }
        return texts;
    }

    private static String unescape(String json) {
        return json.replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
    }
}
