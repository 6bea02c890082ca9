package org.canvasbatch.domain.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class AgentRouterTest {

    private final AgentRouter router = new AgentRouter();

    static Stream<Arguments> questionsOfEveryKind() {
        return Stream.of(
                // comparison, Chinese and English
                Arguments.of("逆否命题和否命题的区别是什么", Category.COMPARISON),
                Arguments.of("列空间和零空间的对比", Category.COMPARISON),
                Arguments.of("线性代数与解析几何的异同", Category.COMPARISON),
                Arguments.of("Kruskal算法和Prim算法的比较", Category.COMPARISON),
                Arguments.of("这两个定理的区别", Category.COMPARISON),
                Arguments.of("Difference between a stack and a queue", Category.COMPARISON),
                Arguments.of("BFS vs DFS: when to use which?", Category.COMPARISON),
                Arguments.of("Merge sort vs. quicksort", Category.COMPARISON),
                Arguments.of("TCP versus UDP for games", Category.COMPARISON),
                Arguments.of("Compare arrays and linked lists for insertion", Category.COMPARISON),
                Arguments.of("Compare a heap with a sorted array", Category.COMPARISON),
                // deep analysis
                Arguments.of("深度剖析图的欧拉回路存在条件", Category.DEEP_ANALYSIS),
                Arguments.of("深入分析强连通分量的求法", Category.DEEP_ANALYSIS),
                Arguments.of("详细分析快速排序的平均复杂度", Category.DEEP_ANALYSIS),
                Arguments.of("In-depth analysis of red-black tree rotations", Category.DEEP_ANALYSIS),
                Arguments.of("A deep analysis of the CAP theorem", Category.DEEP_ANALYSIS),
                Arguments.of("深度解析TCP的三次握手", Category.DEEP_ANALYSIS),
                Arguments.of("深入解析哈希表的扩容", Category.DEEP_ANALYSIS),
                // memory
                Arguments.of("记忆德摩根定律的两个形式", Category.MEMORY),
                Arguments.of("怎么记住二阶矩阵求逆公式", Category.MEMORY),
                Arguments.of("背诵三角函数诱导公式", Category.MEMORY),
                Arguments.of("How to remember the heap operations and their costs?", Category.MEMORY),
                Arguments.of("A mnemonic for the OSI layers", Category.MEMORY),
                Arguments.of("How can I memorize the unit circle?", Category.MEMORY),
                Arguments.of("Best way to memorise the trig identities", Category.MEMORY),
                // examples
                Arguments.of("举例说明鸽巢原理的应用", Category.EXAMPLE),
                Arguments.of("举个例子说明容斥原理", Category.EXAMPLE),
                Arguments.of("给出一个单调有界数列的实例", Category.EXAMPLE),
                Arguments.of("Give an example of dynamic programming on sequences", Category.EXAMPLE),
                Arguments.of("Examples of greedy algorithms that fail", Category.EXAMPLE),
                Arguments.of("Recursion, for example in tree traversal", Category.EXAMPLE),
                // understanding
                Arguments.of("如何理解矩阵的秩", Category.UNDERSTANDING),
                Arguments.of("怎么理解极限的ε-δ定义", Category.UNDERSTANDING),
                Arguments.of("为什么对称矩阵一定可以正交对角化", Category.UNDERSTANDING),
                // colloquial: 为啥 (why), 咋 (how)
                Arguments.of("为啥快速排序不稳定", Category.UNDERSTANDING),
                Arguments.of("为啥是O(n log n)", Category.UNDERSTANDING),
                Arguments.of("咋理解矩阵的秩", Category.UNDERSTANDING),
                Arguments.of("How to understand amortized analysis?", Category.UNDERSTANDING),
                Arguments.of("Why does quicksort degrade to quadratic time?", Category.UNDERSTANDING),
                Arguments.of("Why is the empty set a subset of every set?", Category.UNDERSTANDING),
                Arguments.of("Why do we need virtual memory?", Category.UNDERSTANDING),
                // definition
                Arguments.of("什么是逆否命题", Category.DEFINITION),
                Arguments.of("正交矩阵是什么", Category.DEFINITION),
                Arguments.of("群的定义", Category.DEFINITION),
                Arguments.of("啥是逆否命题", Category.DEFINITION),
                Arguments.of("特征值是啥", Category.DEFINITION),
                Arguments.of("What is a hash table?", Category.DEFINITION),
                Arguments.of("What are monads?", Category.DEFINITION),
                Arguments.of("Define a graph adjacency list", Category.DEFINITION));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("questionsOfEveryKind")
    void sendsEachKindOfQuestionToItsAgent(String question, Category expected) {
        Routing routing = router.route(question);

        assertThat(routing.category()).isEqualTo(expected);
        assertThat(routing.agent()).isEqualTo(agentFor(expected));
        assertThat(routing.confidence()).isBetween(AgentRouter.CONFIDENCE_THRESHOLD, 1.0);
    }

    private static AgentId agentFor(Category category) {
        return switch (category) {
            case COMPARISON -> AgentId.COMPARISON_TABLE;
            case DEEP_ANALYSIS -> AgentId.DEEP_DECOMPOSITION;
            case MEMORY -> AgentId.MEMORY_ANCHOR;
            case EXAMPLE -> AgentId.EXAMPLE_TEACHING;
            case UNDERSTANDING -> AgentId.CLARIFICATION_PATH;
            case DEFINITION, GENERAL -> AgentId.ORAL_EXPLANATION;
        };
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "逆否命题和否命题的区别",
                "Difference between a stack and a queue",
                "What is the difference between a B-tree and a binary tree?",
                "深度剖析中心极限定理",
                "In-depth analysis of hashing",
                "怎么记住常见分布的期望",
                "举例说明线性变换",
                "如何理解大数定律"
            })
    void isSureOfStrongUnambiguousPhrasings(String question) {
        assertThat(router.route(question).confidence()).isGreaterThanOrEqualTo(0.85);
    }

    @Test
    void readsCuesInAnyCaseAndInFullWidthLetters() {
        assertThat(router.route("WHAT IS A HASH TABLE").category()).isEqualTo(Category.DEFINITION);
        assertThat(router.route("IN-DEPTH look at B-trees").category()).isEqualTo(Category.DEEP_ANALYSIS);
        assertThat(router.route("ＢＦＳ ＶＳ ＤＦＳ").category()).isEqualTo(Category.COMPARISON);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Canvas layouts for whiteboards",
                "Whatever happened to Pluto",
                "Redefined scope rules",
                "Exemplary proofs in number theory",
                "Whyte's theorem",
                "Comparator objects in Java"
            })
    void matchesEnglishCuesOnlyAsWholeWords(String question) {
        Routing routing = router.route(question);

        assertThat(routing.category()).isEqualTo(Category.GENERAL);
        assertThat(routing.agent()).isEqualTo(AgentId.ORAL_EXPLANATION);
    }

    /**
     * "difference" and "different" are as often part of the subject as a request to compare: the finite differences
     * of numerical analysis are a term to define, and "in different cell types" asks how, not how two things differ.
     */
    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "What are finite differences?|DEFINITION",
                "What is a finite difference method?|DEFINITION",
                "What are divided differences in Newton interpolation?|DEFINITION",
                "How is ATP produced in different cell types?|GENERAL",
                "How are proteins transported to different parts of the cell?|GENERAL"
            })
    void aDifferenceThatIsPartOfTheSubjectIsNotAComparison(String question, Category expected) {
        assertThat(router.route(question).category()).isEqualTo(expected);
    }

    @Nested
    class Precedence {

        @Test
        void comparisonBeatsDefinition() {
            assertThat(router.route("什么是逆否命题和否命题的区别").category()).isEqualTo(Category.COMPARISON);
            assertThat(router.route("What is the difference between a process and a thread?")
                            .category())
                    .isEqualTo(Category.COMPARISON);
        }

        @Test
        void earlierCategoriesBeatLaterOnes() {
            assertThat(router.route("深度剖析为什么快速排序不稳定").category()).isEqualTo(Category.DEEP_ANALYSIS);
            assertThat(router.route("举例说明为什么贪心算法会失败").category()).isEqualTo(Category.EXAMPLE);
            assertThat(router.route("Why is this an example of a mnemonic?").category())
                    .isEqualTo(Category.MEMORY);
            assertThat(router.route("为什么说什么是群很重要").category()).isEqualTo(Category.UNDERSTANDING);
        }

        @Test
        void aWeakCueDoesNotBlockASureOneFurtherDown() {
            Routing routing = router.route("这一章比较难，为什么特征值的几何重数不超过代数重数");

            assertThat(routing.category()).isEqualTo(Category.UNDERSTANDING);
            assertThat(routing.agent()).isEqualTo(AgentId.CLARIFICATION_PATH);
        }
    }

    /**
     * How learners also ask: "栈跟队列比" (stack set against queue), "与数组相比" and "what distinguishes X from Y" ask
     * for a comparison; "what does X mean" asks for a definition. Unrouted, such a question takes its group's agent,
     * which in a comparison-heavy group is a table whose columns are other questions' words.
     */
    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "栈跟队列比有什么优势|COMPARISON",
                "链表和数组比，哪个插入更快|COMPARISON",
                "与数组相比，链表有什么优势|COMPARISON",
                "What distinguishes a mutex from a semaphore?|COMPARISON",
                "How do you distinguish between TCP and UDP?|COMPARISON",
                "What does $\\frac{a}{b}$ mean when b = 0?|DEFINITION",
                "What does idempotent mean?|DEFINITION"
            })
    void everydayComparisonAndDefinitionPhrasingsReachTheirAgent(String question, Category expected) {
        assertThat(router.route(question).category()).isEqualTo(expected);
    }

    @Nested
    class BelowTheThreshold {

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "这道题比较难",
                    "矩阵乘法比较常见的错误",
                    "I was reading about the Lakers vs Celtics final last night and kept thinking about expected value",
                    "举个栗子：几何分布的无记忆性",
                    "几何分布的无记忆性",
                    "函数的定义域",
                    "类的实例化过程"
                })
        void aWeakOrMisleadingCueFallsBackToTheExplanationButKeepsItsConfidence(String question) {
            Routing routing = router.route(question);

            assertThat(routing.agent()).isEqualTo(AgentId.ORAL_EXPLANATION);
            assertThat(routing.category()).isEqualTo(Category.GENERAL);
            assertThat(routing.confidence()).isGreaterThan(0.0).isLessThan(AgentRouter.CONFIDENCE_THRESHOLD);
        }

        @Test
        void vsInAShortQuestionIsAComparisonButInALongTextItIsNot() {
            assertThat(router.route("Lakers vs Celtics odds").category()).isEqualTo(Category.COMPARISON);
            assertThat(router.route("I was reading about the Lakers vs Celtics final last night and kept thinking "
                                    + "about expected value")
                            .confidence())
                    .isLessThan(AgentRouter.CONFIDENCE_THRESHOLD);
        }

        @Test
        void noCueAtAllIsAnEvenGuessAtTheExplanation() {
            Routing routing = router.route("Binary heaps and priority queues");

            assertThat(routing).isEqualTo(new Routing(AgentId.ORAL_EXPLANATION, 0.5, Category.GENERAL));
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"   ", "\n\t"})
        void nothingToReadGetsTheDefault(String text) {
            assertThat(router.route(text)).isEqualTo(new Routing(AgentId.ORAL_EXPLANATION, 0.5, Category.GENERAL));
        }
    }

    @Nested
    class Recommendation {

        private final Routing comparison = new Routing(AgentId.COMPARISON_TABLE, 0.95, Category.COMPARISON);
        private final Routing definition = new Routing(AgentId.ORAL_EXPLANATION, 0.85, Category.DEFINITION);
        private final Routing general = new Routing(AgentId.ORAL_EXPLANATION, 0.5, Category.GENERAL);
        private final Routing example = new Routing(AgentId.EXAMPLE_TEACHING, 0.9, Category.EXAMPLE);
        private final Routing memory = new Routing(AgentId.MEMORY_ANCHOR, 0.9, Category.MEMORY);

        @Test
        void isTheMostCommonRoutedAgent() {
            assertThat(router.recommendFor(
                            List.of(comparison, definition, example, general, comparison, memory, definition)))
                    .isEqualTo(AgentId.ORAL_EXPLANATION);
            assertThat(router.recommendFor(List.of(example, comparison, example)))
                    .isEqualTo(AgentId.EXAMPLE_TEACHING);
        }

        @Test
        void breaksTiesByPrecedenceWhateverTheOrder() {
            assertThat(router.recommendFor(List.of(definition, example, memory, example, memory)))
                    .isEqualTo(AgentId.MEMORY_ANCHOR);
            assertThat(router.recommendFor(List.of(memory, example, example, memory)))
                    .isEqualTo(AgentId.MEMORY_ANCHOR);
            assertThat(router.recommendFor(List.of(definition, comparison))).isEqualTo(AgentId.COMPARISON_TABLE);
            assertThat(router.recommendFor(List.of(comparison, definition))).isEqualTo(AgentId.COMPARISON_TABLE);
        }

        @Test
        void ranksAgentsRoutingNeverPicksAfterTheRoutedOnes() {
            Routing verification = new Routing(AgentId.VERIFICATION_QUESTION, 1.0, Category.GENERAL);

            assertThat(router.recommendFor(List.of(verification, general))).isEqualTo(AgentId.ORAL_EXPLANATION);
        }

        @Test
        void withNothingRoutedIsTheExplanation() {
            assertThat(router.recommendFor(List.of())).isEqualTo(AgentId.ORAL_EXPLANATION);
        }

        @Test
        void agreesWithRoutingAQuestionByQuestion() {
            List<Routing> routings = Stream.of("什么是二部图", "树和森林的区别", "What is a trie?", "BFS vs DFS")
                    .map(router::route)
                    .toList();

            assertThat(router.recommendFor(routings)).isEqualTo(AgentId.COMPARISON_TABLE);
        }
    }

    @Test
    void routingRejectsAConfidenceOutsideZeroToOne() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new Routing(AgentId.ORAL_EXPLANATION, 1.2, Category.GENERAL));
    }
}
