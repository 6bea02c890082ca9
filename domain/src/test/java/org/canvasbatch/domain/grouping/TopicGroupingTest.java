package org.canvasbatch.domain.grouping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.canvasbatch.domain.session.Priority;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicGroupingTest {

    static final List<String> LINEAR_ALGEBRA = List.of(
            "What is the rank of a matrix?",
            "How to compute the determinant of a matrix?",
            "Why is a symmetric matrix diagonalizable?",
            "What are the eigenvalues of a matrix?",
            "How to find the inverse matrix?",
            "What does the transpose of a matrix mean?");
    static final List<String> GRAPH_THEORY = List.of(
            "What is a spanning tree of a graph?",
            "How does Dijkstra find shortest paths in a graph?",
            "When does a graph have an Euler circuit?",
            "What is a bipartite graph?",
            "How to detect a cycle in a directed graph?",
            "What is the chromatic number of a graph?");
    static final List<String> ENGLISH_HISTORY = List.of(
            "Why did the Norman conquest of England happen in 1066?",
            "Why did the barons of England force King John to sign the Magna Carta?",
            "How did the Wars of the Roses end in England?",
            "What caused the civil war in England between king and parliament?",
            "Who was Elizabeth I, queen of England?",
            "How did the Glorious Revolution change the king of England?");

    static final List<String> MATRICES_ZH =
            List.of("什么是矩阵的秩", "如何计算矩阵的行列式", "为什么对称矩阵可以对角化", "矩阵的特征值怎么求", "逆矩阵的求法", "矩阵乘法的规则是什么");
    static final List<String> PROBABILITY_ZH =
            List.of("什么是条件概率", "如何理解全概率公式", "独立事件的概率怎么算", "贝叶斯公式中的后验概率", "概率密度函数是什么", "为什么概率不能大于一");
    static final List<String> GRAPHS_ZH =
            List.of("什么是图的生成树", "图是否连通怎么判断", "图的最短路径算法", "二部图的判定方法", "为什么连通无环的图是树", "图的着色问题是什么");
    static final List<String> HASHING_EN = List.of(
            "What is a hash table?",
            "How does a hash table handle collisions?",
            "Why are hash collisions unavoidable?",
            "What makes a good hash function?",
            "How to resize a hash table?",
            "Open addressing vs chaining in a hash table");

    private final TopicGrouping grouping = new TopicGrouping();

    /** Deals the topics out in turn, as questions land on a real canvas, not one topic after another. */
    @SafeVarargs
    static List<String> interleave(List<String>... topics) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < topics[0].size(); i++) {
            for (List<String> topic : topics) {
                texts.add(topic.get(i));
            }
        }
        return texts;
    }

    static Set<Set<String>> partition(GroupingResult result, List<String> texts) {
        return result.clusters().stream()
                .map(c -> c.members().stream().map(texts::get).collect(Collectors.toSet()))
                .collect(Collectors.toSet());
    }

    static void assertEveryTextInExactlyOneGroup(GroupingResult result, int textCount) {
        List<Integer> all = result.clusters().stream()
                .flatMap(c -> c.members().stream())
                .sorted()
                .toList();
        assertThat(all)
                .containsExactlyElementsOf(IntStream.range(0, textCount).boxed().toList());
    }

    @Nested
    class SeparableTopics {

        @Test
        void threeEnglishTopicsNeverShareAGroup() {
            List<String> texts = interleave(LINEAR_ALGEBRA, GRAPH_THEORY, ENGLISH_HISTORY);

            GroupingResult result = grouping.group(texts, 6);

            assertThat(partition(result, texts))
                    .contains(Set.copyOf(LINEAR_ALGEBRA), Set.copyOf(GRAPH_THEORY))
                    .allSatisfy(group -> assertThat(Stream.of(LINEAR_ALGEBRA, GRAPH_THEORY, ENGLISH_HISTORY)
                                    .filter(topic -> topic.containsAll(group)))
                            .hasSize(1));
            assertThat(result.silhouette()).isGreaterThan(0.0);
        }

        @Test
        void topicsWithOneSharedWordEachLandInExactlyOneGroupEach() {
            List<String> texts = interleave(LINEAR_ALGEBRA, GRAPH_THEORY, HASHING_EN);

            GroupingResult result = grouping.group(texts, 6);

            assertThat(partition(result, texts))
                    .containsExactlyInAnyOrder(
                            Set.copyOf(LINEAR_ALGEBRA), Set.copyOf(GRAPH_THEORY), Set.copyOf(HASHING_EN));
            assertThat(result.recommendedK()).isEqualTo(3);
        }

        @Test
        void groupsAreNumberedInCanvasOrderOfTheirFirstQuestion() {
            List<String> texts = interleave(LINEAR_ALGEBRA, GRAPH_THEORY, HASHING_EN);

            List<TopicCluster> clusters = grouping.group(texts, 6).clusters();

            assertThat(clusters).extracting(c -> c.members().get(0)).containsExactly(0, 1, 2);
            assertThat(clusters).allSatisfy(c -> assertThat(c.members()).isSorted());
            assertThat(clusters.get(0).name()).startsWith("matrix");
            assertThat(clusters.get(1).name()).startsWith("graph");
            assertThat(clusters.get(2).name()).startsWith("hash");
        }

        @Test
        void chineseTopicsSeparateWithoutADictionary() {
            List<String> texts = interleave(MATRICES_ZH, PROBABILITY_ZH, GRAPHS_ZH);

            GroupingResult result = grouping.group(texts, 6);

            assertThat(partition(result, texts))
                    .containsExactlyInAnyOrder(
                            Set.copyOf(MATRICES_ZH), Set.copyOf(PROBABILITY_ZH), Set.copyOf(GRAPHS_ZH));
            assertThat(result.clusters())
                    .extracting(TopicCluster::name)
                    .satisfiesExactly(
                            name -> assertThat(name).contains("矩阵"),
                            name -> assertThat(name).contains("概率"),
                            name -> assertThat(name).contains("图"));
        }

        @Test
        void aMixedChineseAndEnglishCanvasSplitsByTopic() {
            List<String> texts = interleave(MATRICES_ZH, HASHING_EN);

            GroupingResult result = grouping.group(texts, 6);

            assertThat(partition(result, texts))
                    .containsExactlyInAnyOrder(Set.copyOf(MATRICES_ZH), Set.copyOf(HASHING_EN));
            assertThat(result.clusters().get(0).name()).contains("矩阵").doesNotContain(", ");
            assertThat(result.clusters().get(1).name()).contains("hash").doesNotContain("、");
        }

        @Test
        void aTopicAskedInTwoLanguagesIsOneGroup() {
            List<String> texts = interleave(MATRICES_ZH, LINEAR_ALGEBRA, ENGLISH_HISTORY);
            Set<String> matrices = new java.util.HashSet<>(MATRICES_ZH);
            matrices.addAll(LINEAR_ALGEBRA);

            GroupingResult result = grouping.group(texts, 6);

            assertThat(partition(result, texts)).containsExactlyInAnyOrder(matrices, Set.copyOf(ENGLISH_HISTORY));
        }

        @Test
        void organellesGroupApartFromOrganicChemistryThoughTheyShareNoCharacter() {
            List<String> cell = List.of("什么是核糖体", "什么是线粒体", "什么是叶绿体", "什么是高尔基体", "什么是溶酶体", "什么是内质网");
            List<String> organic = List.of("什么是烯烃", "什么是官能团", "什么是酯化反应", "什么是同分异构体", "什么是苯环", "什么是羧酸");
            List<String> texts = interleave(cell, organic);

            GroupingResult result = grouping.group(texts, 6);

            assertThat(partition(result, texts)).containsExactlyInAnyOrder(Set.copyOf(cell), Set.copyOf(organic));
        }

        @Test
        void neverMakesMoreGroupsThanAllowed() {
            List<String> texts = interleave(LINEAR_ALGEBRA, GRAPH_THEORY, ENGLISH_HISTORY);

            assertThat(grouping.group(texts, 2).clusters()).hasSize(2);
            assertThat(grouping.group(texts, 1).clusters())
                    .singleElement()
                    .satisfies(c -> assertThat(c.members()).hasSize(texts.size()));
        }
    }

    @Nested
    class Names {

        private static final Set<String> QUESTION_WORDS = Set.of(
                "what",
                "is",
                "the",
                "how",
                "why",
                "difference",
                "between",
                "a",
                "of",
                "does",
                "are",
                "to",
                "vs",
                "什么",
                "是",
                "的",
                "如何",
                "怎么",
                "为什么",
                "和",
                "与",
                "区别",
                "理解",
                "举例",
                "说明",
                "复习");

        @Test
        void haveAtMostThreeTermsAndNoQuestionWords() {
            List<String> texts = new ArrayList<>(interleave(LINEAR_ALGEBRA, GRAPH_THEORY, ENGLISH_HISTORY));
            texts.addAll(interleave(MATRICES_ZH, PROBABILITY_ZH, GRAPHS_ZH));
            texts.addAll(List.of(
                    "逆否命题和否命题的区别是什么",
                    "What is the difference between a stack and a queue?",
                    "如何理解数学归纳法和递归的区别",
                    "Why is the difference between BFS and DFS important?"));

            GroupingResult result = grouping.group(texts, 10);

            assertThat(result.clusters()).allSatisfy(cluster -> {
                assertThat(cluster.topTerms()).isNotEmpty().hasSizeLessThanOrEqualTo(3);
                assertThat(cluster.topTerms()).noneMatch(QUESTION_WORDS::contains);
                assertThat(cluster.topTerms())
                        .noneMatch(
                                term -> Stream.of("什么", "如何", "怎么", "区别", "的").anyMatch(term::contains));
            });
        }

        @Test
        void showTheWholeChineseWordRatherThanAFragment() {
            List<String> texts =
                    List.of("什么是逆否命题", "逆否命题和否命题的区别是什么", "复习：什么是逆否命题", "举例说明泊松分布的应用", "二项分布和泊松分布的比较", "复习：举例说明泊松分布的应用");

            GroupingResult result = grouping.group(texts, 6);

            assertThat(result.clusters()).hasSize(2);
            assertThat(result.clusters().get(0).topTerms()).contains("逆否命题");
            assertThat(result.clusters().get(1).topTerms()).contains("泊松分布");
            assertThat(result.clusters()).flatExtracting(TopicCluster::topTerms).doesNotContain("逆否", "否命", "泊松", "松分");
        }

        @Test
        void aLearnersLabelNamesTheGroupOnOneShortLine() {
            TopicCluster labelled =
                    new TopicCluster(List.of(0), List.of("hash"), 1.0, Priority.MEDIUM, "  Hashing\n  and   maps ");
            TopicCluster overlong =
                    new TopicCluster(List.of(0), List.of("hash"), 1.0, Priority.MEDIUM, "细".repeat(200));

            assertThat(labelled.name()).isEqualTo("Hashing and maps");
            assertThat(overlong.name()).hasSize(TopicCluster.LONGEST_LABEL).endsWith("…");
            assertThat(new TopicCluster(List.of(0), List.of("hash"), 1.0, Priority.MEDIUM, " ").name())
                    .isEqualTo("hash");
        }

        /** (plugin) the preview lists the group names; an English word among Chinese ones reads as a mistake. */
        @Test
        void aGroupOfChineseQuestionsWithoutATopicWordIsNamedInChinese() {
            List<String> texts = Arrays.asList("什么是？", "为什么？", "为什么", "What is it?");

            GroupingResult result = grouping.group(texts, 1);

            assertThat(result.clusters())
                    .singleElement()
                    .satisfies(c -> assertThat(c.name()).isEqualTo("其他问题"));
        }

        @Test
        void joinLatinTermsWithACommaAndFallBackWhenThereAreNone() {
            TopicCluster latin = new TopicCluster(List.of(0), List.of("hash", "table"), 1.0, Priority.MEDIUM);
            TopicCluster mixed = new TopicCluster(List.of(0), List.of("kruskal", "算法"), 1.0, Priority.MEDIUM);
            TopicCluster none = new TopicCluster(List.of(0), List.of(), 0.0, Priority.MEDIUM);

            assertThat(latin.name()).isEqualTo("hash, table");
            assertThat(mixed.name()).isEqualTo("kruskal、算法");
            assertThat(none.name()).isEqualTo("Group");
        }
    }

    @Nested
    class EdgeCases {

        @Test
        void noTextsGiveNoGroups() {
            GroupingResult result = grouping.group(List.of(), 6);

            assertThat(result.clusters()).isEmpty();
            assertThat(result.silhouette()).isZero();
        }

        @Test
        void oneTextIsOneGroup() {
            GroupingResult result = grouping.group(List.of("What is a hash table?"), 6);

            assertThat(result.clusters()).singleElement().satisfies(c -> {
                assertThat(c.members()).containsExactly(0);
                assertThat(c.name()).isEqualTo("hash table");
                assertThat(c.cohesion()).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
                assertThat(c.priority()).isEqualTo(Priority.MEDIUM);
            });
            assertThat(result.silhouette()).isZero();
            assertThat(result.recommendedK()).isEqualTo(1);
        }

        @Test
        void twoOrThreeUnrelatedTextsMakeAtMostTwoGroups() {
            List<String> two = List.of("What is a hash table?", "Why did the Norman conquest of England happen?");
            List<String> three = List.of(
                    "What is a hash table?",
                    "Why did the Norman conquest of England happen?",
                    "How does a hash table resize?");

            assertThat(grouping.group(two, 6).clusters()).hasSize(2);
            assertThat(partition(grouping.group(three, 6), three))
                    .containsExactlyInAnyOrder(Set.of(three.get(0), three.get(2)), Set.of(three.get(1)));
        }

        @Test
        void twoOrThreeTextsOnOneTopicStayTogether() {
            assertThat(grouping.group(List.of("什么是矩阵的秩", "如何理解矩阵的秩"), 6).clusters())
                    .hasSize(1);
            assertThat(grouping.group(List.of("hash table", "hash table resize", "hash table collisions"), 6)
                            .clusters())
                    .hasSize(1);
        }

        @Test
        void identicalTextsAreOnePerfectlyCohesiveGroup() {
            List<String> texts = Collections.nCopies(8, "什么是逆否命题");

            GroupingResult result = grouping.group(texts, 6);

            assertThat(result.clusters()).singleElement().satisfies(c -> {
                assertThat(c.members()).hasSize(8);
                assertThat(c.cohesion()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            });
            assertThat(result.silhouette()).isZero();
        }

        @Test
        void textsWithoutTopicWordsGatherInTheirOwnGroupApartFromRealTopics() {
            List<String> texts = new ArrayList<>(interleave(LINEAR_ALGEBRA, GRAPH_THEORY));
            texts.add(3, "");
            texts.add(7, "What is it?");
            texts.add("为什么？");
            texts.add(null);

            GroupingResult result = grouping.group(texts, 6);

            assertEveryTextInExactlyOneGroup(result, texts.size());
            assertThat(partition(result, texts)).contains(Set.copyOf(LINEAR_ALGEBRA), Set.copyOf(GRAPH_THEORY));
            TopicCluster strays = result.clusters().stream()
                    .filter(c -> c.members().contains(3))
                    .findFirst()
                    .orElseThrow();
            assertThat(strays.members()).containsExactly(3, 7, 14, 15);
            assertThat(strays.name()).isEqualTo("Group");
            assertThat(strays.cohesion()).isZero();
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 6})
        void textsThatAreAllStopWordsOrEmptyAreOneGroup(int maxGroups) {
            List<String> texts = Arrays.asList("What is it?", "什么是", "", "为什么？", "How and why?", null);

            GroupingResult result = grouping.group(texts, maxGroups);

            assertThat(result.clusters()).singleElement().satisfies(c -> {
                assertThat(c.members()).containsExactly(0, 1, 2, 3, 4, 5);
                assertThat(c.name()).isEqualTo("Group");
            });
        }

        @Test
        void maxGroupsOneKeepsEverythingTogether() {
            List<String> texts = interleave(MATRICES_ZH, HASHING_EN);

            GroupingResult result = grouping.group(texts, 1);

            assertThat(result.clusters())
                    .singleElement()
                    .satisfies(c -> assertThat(c.members()).hasSize(12));
            assertThat(result.silhouette()).isZero();
            assertThat(result.recommendedK()).isEqualTo(1);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, -1, 21})
        void rejectsAGroupLimitOutsideOneToTwenty(int maxGroups) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> grouping.group(List.of("a text"), maxGroups))
                    .withMessageContaining("maxGroups");
        }
    }

    @Nested
    class Priorities {

        @Test
        void comeFromTheGroupsWordsWithExampleNotReadAsExam() {
            List<String> matrixExam = List.of(
                    "Exam: rank of a matrix",
                    "Matrix determinant for the exams",
                    "Inverse matrix exam question",
                    "Matrix transpose exam");
            List<String> hashExamples = List.of(
                    "Give an example of a hash table",
                    "Example of hash collisions",
                    "Hash table examples",
                    "An example hash function");
            List<String> graphErrors = List.of(
                    "Common error in graph search",
                    "Graph cycle detection bug",
                    "Graph colouring mistakes",
                    "Graph traversal");
            List<String> texts = interleave(matrixExam, hashExamples, graphErrors);

            GroupingResult result = grouping.group(texts, 6);

            assertThat(partition(result, texts))
                    .containsExactlyInAnyOrder(
                            Set.copyOf(matrixExam), Set.copyOf(hashExamples), Set.copyOf(graphErrors));
            assertThat(result.clusters())
                    .extracting(TopicCluster::priority)
                    .containsExactly(Priority.HIGH, Priority.MEDIUM, Priority.URGENT);
        }
    }

    @Nested
    class Determinism {

        @Test
        void theSameTextsGiveTheSameGroups() {
            List<String> texts = new ArrayList<>(interleave(LINEAR_ALGEBRA, GRAPH_THEORY, ENGLISH_HISTORY));
            texts.addAll(interleave(MATRICES_ZH, PROBABILITY_ZH, GRAPHS_ZH, HASHING_EN));

            GroupingResult first = new TopicGrouping().group(texts, 8);
            GroupingResult second = new TopicGrouping().group(List.copyOf(texts), 8);

            assertThat(second).isEqualTo(first);
            assertThat(new TopicGrouping(7).group(texts, 8)).isEqualTo(new TopicGrouping(7).group(texts, 8));
        }

        @Test
        void largeInputsAreSampledDeterministicallyToo() {
            List<String> texts = SyntheticCanvas.questions(2_500, 11);

            GroupingResult first = new TopicGrouping().group(texts, 10);
            GroupingResult second = new TopicGrouping().group(texts, 10);

            assertThat(second).isEqualTo(first);
            assertEveryTextInExactlyOneGroup(first, texts.size());
            assertThat(first.clusters()).hasSizeBetween(2, 10);
            assertThat(first.silhouette()).isBetween(-1.0, 1.0);
            assertThat(first.clusters())
                    .allSatisfy(c -> assertThat(c.cohesion()).isBetween(0.0, 1.0));
        }
    }
}
