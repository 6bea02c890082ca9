package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRequest.RelatedQuestion;
import org.canvasbatch.application.port.out.VaultPassage;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.AgentRouter;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.routing.Routing;
import org.canvasbatch.fixtures.FixtureVault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class OfflineAgentTest {

    private final OfflineAgent agent = new OfflineAgent();

    /** What a learner sees first in each agent's note, in reading order, for the zh and en sample questions. */
    private static final Map<AgentId, List<List<String>>> STRUCTURE = Map.ofEntries(
            Map.entry(
                    AgentId.ORAL_EXPLANATION,
                    List.of(
                            List.of("## 一句话回答", "## 课堂上怎么讲", "## 常见误区", "## 小结"),
                            List.of(
                                    "## The answer in one sentence", "## How a teacher would say it",
                                    "## A common misunderstanding", "## Recap"))),
            Map.entry(
                    AgentId.FOUR_LEVEL_EXPLANATION,
                    List.of(
                            List.of("## 第一层·入门", "## 第二层·进阶", "## 第三层·深入", "## 第四层·专家"),
                            List.of(
                                    "## Level 1 — Beginner",
                                    "## Level 2 — Intermediate",
                                    "## Level 3 — Advanced",
                                    "## Level 4 — Expert"))),
            Map.entry(
                    AgentId.CLARIFICATION_PATH,
                    List.of(
                            List.of(
                                    "## 起点：你现在的理解",
                                    "> 我理解为",
                                    "### 第 1 步",
                                    "### 第 2 步",
                                    "- [ ] 「逆否命题」",
                                    "### 第 5 步",
                                    "> [!check]"),
                            List.of(
                                    "## Where you start",
                                    "> I think a stack is LIFO",
                                    "### Step 1",
                                    "### Step 2",
                                    "- [ ] “stack”",
                                    "### Step 5",
                                    "> [!check]"))),
            Map.entry(
                    AgentId.COMPARISON_TABLE,
                    List.of(
                            List.of("## 对比表", "| 维度 | 逆否命题 | 否命题 |", "| 定义 |", "## 什么时候用哪个", "## 容易混淆的地方"),
                            List.of(
                                    "## Comparison",
                                    "| Aspect | stack | queue |",
                                    "| Definition |",
                                    "## When to use which",
                                    "## Common confusions"))),
            Map.entry(
                    AgentId.EXAMPLE_TEACHING,
                    List.of(
                            List.of("## 例 1：最简单的情形", "> [!tip] 启示", "## 例 2", "## 例 3：易错情形", "## 练习", "> [!faq]- 答案"),
                            List.of(
                                    "## Example 1",
                                    "> [!tip] Lesson",
                                    "## Example 2",
                                    "## Example 3",
                                    "## Practice",
                                    "> [!faq]- Answer"))),
            Map.entry(
                    AgentId.MEMORY_ANCHOR,
                    List.of(
                            List.of(
                                    "## 核心表述",
                                    "## 口诀",
                                    "**逆·否**",
                                    "**逆**否命题、**否**命题",
                                    "## 类比",
                                    "## 记忆钩子",
                                    "## 间隔复习",
                                    "- [ ] 第 1 天",
                                    "- [ ] 第 30 天"),
                            List.of(
                                    "## Core statement",
                                    "## Mnemonic",
                                    "**SQ**",
                                    "**S**tack, **Q**ueue",
                                    "## Analogy",
                                    "## Hooks",
                                    "## Spaced review",
                                    "- [ ] Day 1",
                                    "- [ ] Day 30"))),
            Map.entry(
                    AgentId.DEEP_DECOMPOSITION,
                    List.of(
                            List.of(
                                    "## 核心论断",
                                    "## 前提与假设",
                                    "## 结构",
                                    "## 边界情况",
                                    "## 与其他知识的联系",
                                    "[[什么是逆否命题 (oral-explanation)|什么是逆否命题]]",
                                    "## 值得继续追问的问题"),
                            List.of(
                                    "## Core claim",
                                    "## Assumptions",
                                    "## Structure",
                                    "## Edge cases",
                                    "## Connections",
                                    "[[What is a priority queue (oral-explanation)|What is a priority queue?]]",
                                    "## Open questions"))),
            Map.entry(
                    AgentId.BASIC_DECOMPOSITION,
                    List.of(
                            List.of(
                                    "## 子问题（按顺序回答）",
                                    "### 1. 「逆否命题」是什么？",
                                    "### 2. 「否命题」是什么？",
                                    "回到原问题：逆否命题和否命题的区别是什么",
                                    "## 合起来看"),
                            List.of(
                                    "## Sub-questions, to answer in order", "### 1. What is “stack”?",
                                    "Back to the question: Difference between a stack and a queue",
                                            "## Putting it together"))),
            Map.entry(
                    AgentId.QUESTION_DECOMPOSITION,
                    List.of(
                            List.of("## 子问题", "### 1. 定义：", "### 2. 条件：", "正确答案必须包含", "典型错误", "## 自测顺序"),
                            List.of(
                                    "## Sub-questions",
                                    "### 1. Definition: ",
                                    "### 2. Conditions: ",
                                    "A correct answer must contain",
                                    "The typical wrong answer",
                                    "## Self-test order"))),
            Map.entry(
                    AgentId.VERIFICATION_QUESTION,
                    List.of(
                            List.of("### 问题 1（记忆）", "> [!faq]- 参考答案", "「逆否命题」和「否命题」最关键的区别是什么？", "（检验你的理解）"),
                            List.of(
                                    "### Question 1 (recall)", "> [!faq]- Answer",
                                    "What is the key difference between “stack” and “queue”?",
                                            "(your understanding)"))),
            Map.entry(
                    AgentId.SCORING_AGENT,
                    List.of(
                            List.of(
                                    "## 你的理解",
                                    "> 我理解为",
                                    "## 评分标准",
                                    "| 准确性 | 40 |",
                                    "| 完整性 | 30 |",
                                    "提到了 0/2 个关键词",
                                    "## 关键词覆盖",
                                    "- [ ] 逆否命题",
                                    "- [ ] 否命题",
                                    "## 下一步",
                                    "补上还没有提到的关键词：逆否命题、否命题"),
                            List.of(
                                    "## Your understanding",
                                    "> I think a stack is LIFO",
                                    "## Criteria",
                                    "| Accuracy | 40 |",
                                    "mentions 1 of 2 key terms",
                                    "gives an example",
                                    "## Key terms covered",
                                    "- [x] stack",
                                    "- [ ] queue",
                                    "## Next step",
                                    "Work in the key terms you have not mentioned: queue"))),
            Map.entry(
                    AgentId.CANVAS_ORCHESTRATOR,
                    List.of(
                            List.of(
                                    "## 建议的顺序",
                                    "| 1 | 📊 `comparison-table` |",
                                    "| 3 | ✅ `verification-question` |",
                                    "| 4 | 💯 `scoring-agent` | 你已经写下了自己的理解",
                                    "## 为什么是这个顺序",
                                    "## 白板布局建议"),
                            List.of(
                                    "## Suggested order",
                                    "| 1 | 📊 `comparison-table` |",
                                    "| 3 | ✅ `verification-question` |",
                                    "| 4 | 💯 `scoring-agent` | you wrote down your understanding",
                                    "## Why this order",
                                    "## Canvas tip"))));

    static Stream<Arguments> everyAgentInBothLanguages() {
        return Arrays.stream(AgentId.values())
                .flatMap(agent -> Stream.of(Arguments.of(agent, "zh"), Arguments.of(agent, "en")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyAgentInBothLanguages")
    void everyAgentWritesItsOwnStudyScaffoldInTheQuestionsLanguage(AgentId id, String language) throws Exception {
        AgentRequest request = Requests.inLanguage(language, id);

        AgentAnswer answer = agent.run(request);
        String note = answer.markdown();

        assertThat(answer.model()).isEqualTo("offline");
        assertThat(note).startsWith("# " + request.nodeText() + "\n\n> [!info] ");
        assertThat(note).containsSubsequence(STRUCTURE.get(id).get(language.equals("zh") ? 0 : 1));
        if (language.equals("zh")) {
            assertThat(note)
                    .contains(
                            "没有使用语言模型",
                            "--model-provider openai --model gpt-4o-mini",
                            "OPENAI_API_KEY",
                            "--base-url http://localhost:11434/v1",
                            "## 问题\n\n> 逆否命题和否命题的区别是什么",
                            "白板：[[数学/离散数学.canvas|离散数学]] · 分组：逆否命题、命题、否命题",
                            "## 关键词\n\n逆否命题 · 否命题\n");
        } else {
            assertThat(note)
                    .contains(
                            "without a language model",
                            "--model-provider openai --model gpt-4o-mini",
                            "OPENAI_API_KEY",
                            "--base-url http://localhost:11434/v1",
                            "## The question\n\n> Difference between a stack and a queue",
                            "Canvas: [[CS/Data Structures.canvas|Data Structures]] · Group: stack, queue, order",
                            "## Key terms\n\nstack · queue\n")
                    .doesNotContainPattern("\\p{IsHan}");
        }
        assertThat(note).doesNotContain("\n\n\n").endsWith("\n");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyAgentInBothLanguages")
    void theSameQuestionGivesTheSameNote(AgentId id, String language) throws Exception {
        assertThat(new OfflineAgent().run(Requests.inLanguage(language, id)))
                .isEqualTo(agent.run(Requests.inLanguage(language, id)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyAgentInBothLanguages")
    void theLearnersUnderstandingIsQuotedAndRelatedQuestionsLinkToTheNotesOfTheirOwnAgents(AgentId id, String language)
            throws Exception {
        AgentRequest request = Requests.inLanguage(language, id);

        String note = agent.run(request).markdown();

        assertThat(note)
                .contains("> " + request.context().learnerUnderstanding().getFirst());
        if (language.equals("zh")) {
            assertThat(note)
                    .contains(
                            "[[什么是逆否命题 (oral-explanation)|什么是逆否命题]]",
                            "[[为什么命题逻辑中蕴含式前件为假时整体为真 (clarification-path)|为什么命题逻辑中蕴含式前件为假时整体为真]]");
        } else {
            assertThat(note)
                    .contains(
                            "[[What is a priority queue (oral-explanation)|What is a priority queue?]]",
                            "[[BFS vs DFS when to use which (comparison-table)|BFS vs DFS: when to use which?]]");
        }
    }

    @Test
    void aBareQuestionStillGetsAUsefulNoteWithoutEmptySections() throws Exception {
        String note = agent.run(Requests.bare(AgentId.CLARIFICATION_PATH, "如何理解集合的幂集"))
                .markdown();

        assertThat(note)
                .startsWith("# 如何理解集合的幂集\n")
                .contains("还没有与这个问题相连的黄色节点")
                .contains("- [ ] 「集合」：我能用自己的话解释", "- [ ] 「幂集」：我能用自己的话解释")
                .contains("## 关键词\n\n集合 · 幂集")
                .doesNotContain("## 相关问题", "白板：", "\n\n\n");
    }

    @Test
    void scoringWithoutAnyUnderstandingSaysHowToAddIt() throws Exception {
        String note = agent.run(Requests.bare(AgentId.SCORING_AGENT, "What is a binary search tree?"))
                .markdown();

        assertThat(note)
                .contains(
                        "No yellow node is connected to this question", "## Criteria", "Write your understanding first")
                .doesNotContain("## Key terms covered");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '=',
            value = {
                "逆否命题和否命题的区别是什么 = 逆否命题|否命题",
                "偏序关系和全序关系的区别 = 偏序关系|全序关系",
                "谓词逻辑中全称量词和存在量词的区别 = 全称量词|存在量词",
                "Kruskal算法和Prim算法的比较 = Kruskal算法|Prim算法",
                "行列式和矩阵有什么区别 = 行列式|矩阵",
                "对比栈、队列和双端队列 = 栈|队列|双端队列",
                "中序遍历与前序遍历的异同 = 中序遍历|前序遍历",
                "连续型和离散型随机变量的区别 = 连续型随机变量|离散型随机变量",
                "复习：连续型和离散型随机变量的区别 = 连续型随机变量|离散型随机变量",
                "显性和隐性性状有什么区别 = 显性性状|隐性性状",
                "线粒体和叶绿体的区别 = 线粒体|叶绿体",
                "形式和形式化方法的区别 = 形式|形式化方法",
                "Difference between a stack and a queue = stack|queue",
                "Compare arrays and linked lists for insertion = arrays|linked lists",
                "BFS vs DFS: when to use which? = BFS|DFS",
                "What is the difference between a B-tree and a binary tree? = B-tree|binary tree",
                "How does a process differ from a thread? = process|thread"
            })
    void theComparedConceptsBecomeTheTablesColumns(String question, String columns) throws Exception {
        String note =
                agent.run(Requests.bare(AgentId.COMPARISON_TABLE, question)).markdown();

        String aspect = Language.detect(question) == Language.ZH ? "维度" : "Aspect";
        assertThat(note).contains("| " + aspect + " | " + columns.replace("|", " | ") + " |\n| --- |");
    }

    /**
     * 同, 与, 和 and 跟 join two concepts but are also inside words (合同, 协同, 参与, 总和): the table's columns are the
     * two concepts, not "合 | 与协议". "A跟B比", "与A相比，B" and "what distinguishes A from B" name their two sides too.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '=',
            value = {
                "合同与协议的区别 = 合同|协议",
                "协同过滤与基于内容推荐的区别 = 协同过滤|基于内容推荐",
                "参与者和观察者的区别 = 参与者|观察者",
                "总和与平均值有什么不同 = 总和|平均值",
                "栈和堆的区别 = 栈|堆",
                "栈跟队列比有什么优势 = 栈|队列",
                "链表和数组比，哪个插入更快 = 链表|数组",
                "与数组相比，链表有什么优势 = 数组|链表",
                "What distinguishes a mutex from a semaphore? = mutex|semaphore",
                "How do you distinguish between TCP and UDP? = TCP|UDP"
            })
    void aComparisonsColumnsAreTheTwoConceptsItNamesWhateverWordsTheyContain(String question, String columns)
            throws Exception {
        String note =
                agent.run(Requests.bare(AgentId.COMPARISON_TABLE, question)).markdown();

        String aspect = Language.detect(question) == Language.ZH ? "维度" : "Aspect";
        assertThat(note).contains("| " + aspect + " | " + columns.replace("|", " | ") + " |\n| --- |");
    }

    /**
     * The group's terms come lower-cased from the grouping; the question spells them its own way. "Dijkstra" is one key
     * term, not "dijkstra · Dijkstra", and the mnemonic does not spell it twice.
     */
    @Test
    void aKeyTermTheGroupAlsoNamesIsListedOnceAsTheLearnerSpellsIt() throws Exception {
        AgentRequest request = Requests.routed(new AgentRequest(
                AgentId.MEMORY_ANCHOR,
                "n",
                "什么是 Dijkstra 算法",
                null,
                new AgentRequest.NodeContext("", "", "", List.of("算法", "dijkstra"), List.of(), List.of())));

        String note = agent.run(request).markdown();

        assertThat(note).contains("Dijkstra · 算法").doesNotContainIgnoringCase("dijkstra · dijkstra");
        assertThat(note).doesNotContain("dijkstra");
    }

    /** The example vault's biology canvas, as the demo hands one of its questions to the agent. */
    private static AgentRequest cellBiology(AgentId agent, String question, VaultPassage... passages) {
        List<String> questions = List.of(
                "What is the difference between mitosis and meiosis?",
                "Why does the cell membrane need cholesterol?",
                "What is photosynthesis? Define the light-dependent reactions",
                "How can I remember the phases of mitosis?",
                "Deep analysis of the Krebs cycle: inputs, outputs and regulation",
                "What are stem cells?");
        return Requests.routed(new AgentRequest(
                agent,
                "q",
                question,
                null,
                new AgentRequest.NodeContext(
                        "Biology/Cell Biology.canvas",
                        "Cell Biology",
                        "cells, energy, mitosis",
                        List.of("cells", "energy", "mitosis"),
                        questions.stream()
                                .filter(q -> !q.equals(question))
                                .map(q -> new RelatedQuestion(q, AgentId.ORAL_EXPLANATION))
                                .toList(),
                        List.of(),
                        List.of(passages))));
    }

    private static String keyTerms(String note) {
        return note.substring(note.indexOf("## Key terms") + "## Key terms".length())
                .strip();
    }

    /**
     * The key terms are the question's: a note about cholesterol or the Krebs cycle does not lead with the group's
     * "cells · energy · mitosis", and a group word is listed only where the question names it.
     */
    @Test
    void aNotesKeyTermsLeadWithWhatItsQuestionNames() throws Exception {
        String cholesterol = agent.run(
                        cellBiology(AgentId.CLARIFICATION_PATH, "Why does the cell membrane need cholesterol?"))
                .markdown();
        String krebs = agent.run(cellBiology(
                        AgentId.DEEP_DECOMPOSITION, "Deep analysis of the Krebs cycle: inputs, outputs and regulation"))
                .markdown();
        String energy = agent.run(cellBiology(AgentId.CLARIFICATION_PATH, "Cell energy"))
                .markdown();
        String inverse = agent.run(Requests.routed(new AgentRequest(
                        AgentId.MEMORY_ANCHOR,
                        "z5",
                        "怎么记住逆矩阵的求法",
                        null,
                        new AgentRequest.NodeContext(
                                "数学/线性代数.canvas",
                                "线性代数",
                                "秩、行列式、对角化",
                                List.of("秩", "行列式", "对角化"),
                                List.of(new RelatedQuestion("矩阵的秩和行列式的区别", AgentId.COMPARISON_TABLE)),
                                List.of(),
                                List.of()))))
                .markdown();

        assertThat(keyTerms(cholesterol)).startsWith("cell membrane").contains("cholesterol");
        assertThat(keyTerms(krebs)).startsWith("Krebs cycle · inputs · outputs · regulation");
        assertThat(keyTerms(energy)).startsWith("Cell energy");
        assertThat(keyTerms(cholesterol) + keyTerms(krebs) + keyTerms(energy)).doesNotContain("mitosis");
        assertThat(energy).doesNotContain("- [ ] “mitosis”");
        assertThat(inverse.substring(inverse.indexOf("## 关键词")))
                .startsWith("## 关键词\n\n逆矩阵")
                .doesNotContain("秩", "行列式", "对角化");
        assertThat(inverse).doesNotContain("「秩」 ≠ 「行列式」", "**秩**");
    }

    /** 秩, 基, 栈: one character is a whole term in Chinese, so "什么是秩" names its own term and does not take the group's. */
    @Test
    void aChineseTermOfOneCharacterIsTheQuestionsOwn() throws Exception {
        AgentRequest.NodeContext group = new AgentRequest.NodeContext(
                "数学/线性代数.canvas", "线性代数", "秩、行列式、对角化", List.of("秩", "行列式", "对角化"), List.of(), List.of(), List.of());

        String rank = agent.run(Requests.routed(new AgentRequest(AgentId.ORAL_EXPLANATION, "z10", "什么是秩", null, group)))
                .markdown();
        String basis = agent.run(
                        Requests.routed(new AgentRequest(AgentId.ORAL_EXPLANATION, "z7", "什么是向量空间的基", null, group)))
                .markdown();

        assertThat(rank).endsWith("## 关键词\n\n秩\n");
        assertThat(basis).endsWith("## 关键词\n\n向量空间 · 基\n");
    }

    /**
     * A Chinese question has no spaces: its terms end where a copula or a predicate (是, 等于, 不满足, 没有, 被称为 …) or a
     * question word (为什么, 怎么, 有什么 …) links them, and 但是 or 总是 are cut whole; never inside a word that holds one (目的, 中和,
     * 有丝分裂), and 是否 or 就是 never leaves a 否 or 就 behind.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '=',
            value = {
                "为什么正交矩阵的行列式是正负一 = 正交矩阵 · 行列式 · 正负一",
                "举例说明矩阵乘法不满足交换律 = 矩阵乘法 · 交换律",
                "为什么哺乳动物成熟红细胞没有细胞核 = 哺乳动物成熟红细胞 · 细胞核",
                "胰岛素是怎么降低血糖的 = 胰岛素 · 降低血糖",
                "相似矩阵有什么性质 = 相似矩阵 · 性质",
                "热传递有哪几种方式 = 热传递 · 方式",
                "机会成本怎么计算 = 机会成本",
                "如何判断向量组线性相关 = 向量组线性相关",
                "向量空间的维数怎么求 = 向量空间 · 维数",
                "溶酶体为什么被称为细胞的消化车间 = 溶酶体 · 细胞 · 消化车间",
                "为什么对称矩阵一定可以正交对角化 = 对称矩阵 · 正交对角化",
                "零向量属于任何子空间吗 = 零向量 · 任何子空间",
                "如何判断矩阵是否可逆 = 矩阵 · 可逆",
                "导数就是切线的斜率吗 = 导数 · 切线 · 斜率",
                "为什么正定矩阵的特征值总是正数 = 正定矩阵 · 特征值 · 正数",
                "为什么级数收敛但是不绝对收敛 = 级数收敛 · 不绝对收敛",
                "假设检验的目的是什么 = 假设检验 · 目的",
                "为什么中和反应放热 = 中和反应放热",
                "有丝分裂各时期染色体的变化 = 有丝分裂各时期染色体 · 变化",
                "鸽巢原理 = 鸽巢原理",
                "复习：什么是逆否命题 = 逆否命题",
                "复习：逆否命题和否命题的区别是什么 = 逆否命题 · 否命题",
                // a word never cut that only looks like one across two words does not swallow their 和 or 的
                "边际成本和平均成本的关系 = 边际成本 · 平均成本 · 关系",
                "收入和平均工资的关系 = 收入 · 平均工资 · 关系",
                "参数的确定方法 = 参数 · 确定方法",
                "题目的条件 = 题目 · 条件",
                // a question word or copula cut out of a longer one leaves no half of it on the term
                "矩阵有没有逆 = 矩阵 · 逆",
                "函数能不能求导 = 函数 · 求导",
                "对称矩阵不一定可以对角化 = 对称矩阵 · 对角化",
                "x大于等于0时函数的单调性 = x大于等于0时函数 · 单调性"
            })
    void aChineseQuestionsTermsEndWhereACopulaOrAQuestionWordLinksThem(String question, String terms) {
        assertThat(String.join(" · ", new QuestionText(question, Language.ZH).ownTerms()))
                .isEqualTo(terms);
    }

    /**
     * "of" between two nouns makes one term ("phases of mitosis", "Treaty of Versailles") as long as the phrase stays
     * short; the question's own phrases ("How can I remember the", "the role of") are still no part of it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '=',
            value = {
                "What are the phases of mitosis? = phases of mitosis",
                "How can I remember the phases of mitosis? = phases of mitosis",
                "What is the zone of proximal development? = zone of proximal development",
                "Explain Mendel's law of segregation = Mendel's law of segregation",
                "What is Maslow's hierarchy of needs? = Maslow's hierarchy of needs",
                "What is the significance of the Glorious Revolution? = significance of the Glorious Revolution",
                "What were the terms of the Treaty of Versailles? = terms · Treaty of Versailles",
                "How to understand the role of ribosomes in protein synthesis? = ribosomes · protein synthesis",
                "Why do enzymes lose activity at high temperature? = enzymes · activity · high temperature",
                "What is a price ceiling and who benefits? = price ceiling · benefits",
                "Phases of mitosis = Phases of mitosis",
                "Review: How to understand amortized analysis? = amortized analysis",
                "Review: BFS vs DFS: when to use which? = BFS · DFS",
                "Give an in-depth analysis of the French Revolution = in-depth analysis · French Revolution",
                "What caused World War I? = World War I",
                "What led to the fall of the Roman Empire? = fall of the Roman Empire",
                "How can I remember the Krebs cycle? = Krebs cycle",
                "What was the Congress of Vienna trying to achieve? = Congress of Vienna",
                "What was the Marshall Plan designed to do in Europe? = Marshall Plan · Europe",
                "How is energy used to power the cell? = energy · cell",
                "What were the reformers hoping to change? = reformers",
                "Introduction to algorithms: what is a loop invariant? = Introduction to algorithms · loop invariant"
            })
    void anEnglishTermKeepsTheOfThatJoinsTwoNouns(String question, String terms) {
        assertThat(String.join(" · ", new QuestionText(question, Language.EN).ownTerms()))
                .isEqualTo(terms);
    }

    /**
     * The patterns that read a question take time that grows faster than its length: a card of 60 000 characters ("of
     * of of …", pasted or planted in a shared canvas) kept a model slot for minutes. A question is read from its first
     * words only, and its note is still written.
     */
    @Test
    void aVeryLongQuestionIsReadFromItsFirstWords() throws Exception {
        String question = "Photosynthesis " + "and chlorophyll of ".repeat(3000) + "and ribosomes";

        assertThat(new QuestionText(question, Language.EN).ownTerms())
                .contains("Photosynthesis")
                .noneMatch(term -> term.contains("ribosomes"));
        assertThat(agent.run(Requests.bare(AgentId.ORAL_EXPLANATION, question)).markdown())
                .contains("Photosynthesis");
    }

    @Test
    void theOrthogonalMatrixNoteListsTheDeterminantAsATerm() throws Exception {
        String note = agent.run(Requests.bare(AgentId.ORAL_EXPLANATION, "为什么正交矩阵的行列式是正负一"))
                .markdown();

        assertThat(note).endsWith("## 关键词\n\n正交矩阵 · 行列式 · 正负一\n");
    }

    /** "how can I remember", "what is", "define" … are how a question asks, not what it asks about. */
    @Test
    void questionPhrasesNeverBecomeKeyTerms() throws Exception {
        String mitosis = agent.run(cellBiology(AgentId.MEMORY_ANCHOR, "How can I remember the phases of mitosis?"))
                .markdown();
        String photosynthesis = agent.run(cellBiology(
                        AgentId.CLARIFICATION_PATH, "What is photosynthesis? Define the light-dependent reactions"))
                .markdown();
        String pick = agent.run(Requests.bare(AgentId.MEMORY_ANCHOR, "When should I pick which one?"))
                .markdown();

        assertThat(keyTerms(mitosis)).doesNotContainIgnoringCase("remember").contains("mitosis");
        assertThat(mitosis).doesNotContain("**H**ow");
        assertThat(keyTerms(photosynthesis))
                .contains("photosynthesis", "light-dependent reactions")
                .doesNotContain("Define", "?");
        assertThat(photosynthesis).contains("- [ ] “light-dependent reactions”: I can explain it in my own words");
        assertThat(pick).doesNotContain("## Key terms");
    }

    /**
     * A mnemonic is made of what the question asks to remember: the phases the learner's notes list for it, not the
     * initials of the group's words; a "don't mix up" names two things a question of the canvas sets against each other.
     */
    @Test
    void theMnemonicAndTheHooksComeFromWhatTheQuestionIsAbout() throws Exception {
        String listed = agent.run(cellBiology(
                        AgentId.MEMORY_ANCHOR,
                        "How can I remember the phases of mitosis?",
                        new VaultPassage(
                                "Biology/Cell lecture notes.md",
                                "Cell division",
                                "Phases of mitosis: prophase, metaphase, anaphase, telophase (PMAT).",
                                VaultPassage.Origin.NOTE)))
                .markdown();

        assertThat(listed)
                .contains("**PMAT** — ", "**P**rophase, **M**etaphase, **A**naphase, **T**elophase")
                .contains("Don't mix up: “mitosis” ≠ “meiosis”")
                .doesNotContain("“cells” ≠ “energy”");
    }

    /**
     * Since "phases of mitosis" is one term, a heading that names its words in another order ("Mitosis phases") must
     * still lead to the learner's list; a heading of one of its words alone does not.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "Mitosis phases: prophase, metaphase, anaphase, telophase. | true",
                "The phases in mitosis: prophase, metaphase, anaphase, telophase. | true",
                "Phases of Mitosis: prophase, metaphase, anaphase, telophase. | true",
                "Phases: prophase, metaphase, anaphase, telophase. | false",
                "Mitosis: prophase, metaphase, anaphase, telophase. | false"
            })
    void theLearnersListIsFoundUnderAHeadingThatNamesEveryWordOfTheTerm(String notes, boolean found) throws Exception {
        String note = agent.run(cellBiology(
                        AgentId.MEMORY_ANCHOR,
                        "How can I remember the phases of mitosis?",
                        new VaultPassage(
                                "Biology/Cell lecture notes.md", "Cell division", notes, VaultPassage.Origin.NOTE)))
                .markdown();

        assertThat(note.contains("**P**rophase, **M**etaphase, **A**naphase, **T**elophase"))
                .as(note)
                .isEqualTo(found);
    }

    @Test
    void aComparisonWithoutNamedConceptsUsesTheGroupsTerms() throws Exception {
        AgentRequest request = new AgentRequest(
                AgentId.COMPARISON_TABLE,
                "n",
                "When should I pick which one?",
                null,
                new AgentRequest.NodeContext("", "", "", List.of("heap", "balanced tree"), List.of(), List.of()));

        assertThat(agent.run(request).markdown()).contains("| Aspect | heap | balanced tree |");
    }

    @Test
    void everyVerificationQuestionHasItsAnswerHiddenBelowIt() throws Exception {
        for (AgentRequest request :
                List.of(Requests.zh(AgentId.VERIFICATION_QUESTION), Requests.en(AgentId.VERIFICATION_QUESTION))) {
            String note = agent.run(request).markdown();
            String[] questions = note.split("\n### ");
            assertThat(questions).hasSizeGreaterThanOrEqualTo(6);
            for (String question : Arrays.copyOfRange(questions, 1, questions.length)) {
                assertThat(question).contains("\n> [!faq]- ");
            }
        }
    }

    @Test
    void aFileNodeShowsItsContentAndAnEmptyNodeStillGetsATitle() throws Exception {
        String file = agent.run(new AgentRequest(
                        AgentId.EXAMPLE_TEACHING,
                        "f",
                        "notes/鸽巢原理.md",
                        "# 鸽巢原理\n\n如果把 n+1 个物体放进 n 个盒子，至少有一个盒子里有两个物体。",
                        null))
                .markdown();
        String empty = agent.run(new AgentRequest(AgentId.EXAMPLE_TEACHING, "e", "", "", null))
                .markdown();

        assertThat(file).startsWith("# notes/鸽巢原理.md").contains("## 节点内容\n\n> # 鸽巢原理\n>\n> 如果把 n+1 个物体");
        assertThat(empty).startsWith("# worked examples\n");
    }

    /** The note's title is the question's words: no "# ## Heading question", no list dash, quote mark or bold stars. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '=',
            value = {
                "## Heading question\\n\\nWhy is the **p-value** not the chance the null is true? = Heading question",
                "- What is a **p-value**? = What is a p-value?",
                "> **Why** is the sky blue? = Why is the sky blue?",
                "### 什么是 **秩** ### = 什么是 秩",
                "1. Define a hash table = Define a hash table"
            })
    void theTitleIsTheQuestionWithoutItsLeadingMarkdown(String question, String title) throws Exception {
        String note = agent.run(Requests.bare(AgentId.ORAL_EXPLANATION, question.replace("\\n", "\n")))
                .markdown();

        assertThat(note).startsWith("# " + title + "\n");
    }

    @Test
    void aCancelledCallerGetsNoNote() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> agent.run(Requests.zh(AgentId.ORAL_EXPLANATION)))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void everyNodeOfTheFixtureCanvasesGetsANoteFromEveryAgent(@TempDir Path temp) throws Exception {
        Path vault = FixtureVault.copyTo(temp);
        List<Path> canvases = canvasesIn(vault);
        assertThat(canvases).hasSizeGreaterThanOrEqualTo(5);
        int notes = 0;
        for (Path canvas : canvases) {
            for (AgentRequest node : questionsOf(vault, canvas)) {
                for (AgentId id : AgentId.values()) {
                    AgentRequest request =
                            new AgentRequest(id, node.nodeId(), node.nodeText(), node.content(), node.context());
                    String note = agent.run(request).markdown();
                    assertThat(note)
                            .as("%s %s", canvas, node.nodeText())
                            .startsWith("# ")
                            .contains(Language.of(request) == Language.ZH ? "## 问题" : "## The question")
                            .doesNotContain("\n\n\n");
                    notes++;
                }
            }
        }
        assertThat(notes).isGreaterThan(170 * AgentId.values().length);
    }

    private static List<Path> canvasesIn(Path vault) throws IOException {
        try (Stream<Path> files = Files.walk(vault)) {
            return files.filter(f -> f.toString().endsWith(".canvas")).sorted().toList();
        }
    }

    /** Every non-group node of a canvas, with the other nodes of the canvas as its related questions. */
    private static List<AgentRequest> questionsOf(Path vault, Path canvas) throws IOException {
        JsonObject json;
        try (Reader reader = Files.newBufferedReader(canvas)) {
            json = JsonProvider.provider().createReader(reader).readObject();
        }
        List<JsonObject> nodes = json.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .filter(node -> !node.getString("type").equals("group"))
                .toList();
        List<String> texts = nodes.stream()
                .map(node -> node.getString("text", ""))
                .filter(t -> !t.isBlank())
                .toList();
        List<AgentRequest> requests = new ArrayList<>();
        for (JsonObject node : nodes) {
            String type = node.getString("type");
            String text = switch (type) {
                case "file" -> node.getString("file");
                case "link" -> node.getString("url");
                default -> node.getString("text", "");
            };
            Path file = vault.resolve(text);
            String content = type.equals("file") && Files.isRegularFile(file) ? Files.readString(file) : text;
            String path = vault.relativize(canvas).toString();
            requests.add(new AgentRequest(
                    AgentId.ORAL_EXPLANATION,
                    node.getString("id"),
                    text,
                    content,
                    new AgentRequest.NodeContext(
                            path,
                            "",
                            "",
                            List.of(),
                            texts.subList(0, Math.min(5, texts.size())).stream()
                                    .map(t -> new RelatedQuestion(t, AgentId.MEMORY_ANCHOR))
                                    .toList(),
                            List.of())));
        }
        return requests;
    }

    @Test
    void theNoteLinksARelatedQuestionToTheNameTheVaultGaveItsNote() throws Exception {
        AgentRequest base = Requests.inLanguage("en", AgentId.ORAL_EXPLANATION);
        AgentRequest.NodeContext context = base.context();
        AgentRequest request = new AgentRequest(
                base.agent(),
                base.nodeId(),
                base.nodeText(),
                base.content(),
                new AgentRequest.NodeContext(
                        context.canvasPath(),
                        context.canvasName(),
                        context.groupName(),
                        context.groupTerms(),
                        List.of(new RelatedQuestion(
                                "How can I remember the phases of mitosis?",
                                AgentId.MEMORY_ANCHOR,
                                "How can I remember the phases of mitosis ~d991b1bb (memory-anchor)")),
                        context.learnerUnderstanding(),
                        context.vaultPassages()),
                base.routing());

        assertThat(agent.run(request).markdown())
                .contains("[[How can I remember the phases of mitosis ~d991b1bb (memory-anchor)|"
                        + "How can I remember the phases of mitosis?]]")
                .doesNotContain("[[How can I remember the phases of mitosis (memory-anchor)");
    }

    @Test
    void aLinkTargetsTheFileTheVaultWritesForTheRelatedQuestionsOwnAgent() {
        assertThat(NoteLink.to(new RelatedQuestion("BFS vs DFS: [which]?", AgentId.COMPARISON_TABLE)))
                .isEqualTo("[[BFS vs DFS which (comparison-table)|BFS vs DFS: which ?]]");
        assertThat(NoteLink.to(new RelatedQuestion("逆否命题\u3000和\u3000否命题的区别？", AgentId.COMPARISON_TABLE)))
                .as("the target folds an ideographic space as the vault does; the alias shows the question as asked")
                .isEqualTo("[[逆否命题 和 否命题的区别？ (comparison-table)|逆否命题\u3000和\u3000否命题的区别？]]");
        String emoji = "😀".repeat(70);
        assertThat(NoteLink.to(new RelatedQuestion(emoji, AgentId.FOUR_LEVEL_EXPLANATION)))
                .as("cut to the vault's 255-byte file-name limit")
                .startsWith("[[" + "😀".repeat(56) + " (four-level-explanation)|");
    }

    @Test
    void aQuestionWhoseTextCannotNameItsNoteIsListedWithoutALink() throws Exception {
        AgentRequest request = new AgentRequest(
                AgentId.ORAL_EXPLANATION,
                "n",
                "What is a monoid?",
                null,
                new AgentRequest.NodeContext(
                        "",
                        "",
                        "",
                        List.of(),
                        List.of(
                                new RelatedQuestion("???", AgentId.ORAL_EXPLANATION),
                                new RelatedQuestion("[[]]", AgentId.ORAL_EXPLANATION),
                                new RelatedQuestion("What is a semigroup?", AgentId.MEMORY_ANCHOR)),
                        List.of()));

        String note = agent.run(request).markdown();

        assertThat(note)
                .contains("- ???\n", "- [[What is a semigroup (memory-anchor)|What is a semigroup?]]")
                .doesNotContain("[[???", "[[]]", "- \n");
    }

    @Test
    void theQuestionsSubjectIsFoundWithoutTheQuestionWords() {
        Map<String, String> subjects = Map.of(
                "什么是逆否命题",
                "逆否命题",
                "举例说明鸽巢原理的应用",
                "鸽巢原理",
                "如何理解数学归纳法的归纳步骤？",
                "数学归纳法的归纳步骤",
                "What is a hash table?",
                "hash table",
                "How to understand amortized analysis?",
                "amortized analysis",
                "Define a graph adjacency list",
                "graph adjacency list",
                "What is a trie and when to use it?",
                "trie");
        subjects.forEach(
                (question, subject) -> assertThat(new QuestionText(question, Language.detect(question)).subject())
                        .as(question)
                        .isEqualTo(subject));
    }

    @Test
    void theOrchestratorLeadsWithTheAgentTheQuestionCallsFor() throws Exception {
        Map<String, String> firstAgent = Map.of(
                "深度剖析图的欧拉回路存在条件",
                "deep-decomposition",
                "怎么记住常见的递推关系解法",
                "memory-anchor",
                "举个例子说明容斥原理",
                "example-teaching",
                "Why does quicksort degrade to quadratic time?",
                "clarification-path",
                "什么是二部图",
                "oral-explanation",
                "Heaps",
                "oral-explanation",
                "为什么比较排序的时间下界是 n log n",
                "clarification-path",
                "无记忆性是什么意思",
                "oral-explanation");
        for (Map.Entry<String, String> entry : firstAgent.entrySet()) {
            assertThat(planLeader(entry.getKey())).as(entry.getKey()).isEqualTo(entry.getValue());
        }
    }

    @Test
    void theOrchestratorLeadsWithTheAgentABatchWouldRouteEachFixtureQuestionTo(@TempDir Path temp) throws Exception {
        AgentRouter router = new AgentRouter();
        Path vault = FixtureVault.copyTo(temp);
        List<Path> canvases = canvasesIn(vault);
        int checked = 0;
        for (Path canvas : canvases) {
            for (AgentRequest node : questionsOf(vault, canvas)) {
                if (!node.nodeText().isBlank()) {
                    assertThat(planLeader(node.nodeText()))
                            .as(node.nodeText())
                            .isEqualTo(router.route(node.nodeText()).agent().wireName());
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(170);
    }

    @Test
    void theOrchestratorPlansFromTheCoresRoutingAndDoesNotRouteAgain() throws Exception {
        AgentRequest definitionRoutedAsComparison = new AgentRequest(
                AgentId.CANVAS_ORCHESTRATOR,
                "n",
                "什么是二部图",
                null,
                null,
                new Routing(AgentId.COMPARISON_TABLE, 0.9, Category.COMPARISON));
        AgentRequest comparisonNobodyRouted =
                new AgentRequest(AgentId.CANVAS_ORCHESTRATOR, "n", "逆否命题和否命题的区别是什么", null, null);

        assertThat(agent.run(definitionRoutedAsComparison).markdown())
                .contains("| 1 | 📊 `comparison-table` | 问题在比较几个概念，表格最能看清区别 |")
                .contains("| 2 | 📝 `example-teaching` |");
        assertThat(agent.run(comparisonNobodyRouted).markdown())
                .as("without the core's routing the plan is the one for a question of no clear kind")
                .contains("| 1 | 🗣️ `oral-explanation` | 问题没有明显的类型，先把核心讲清楚 |")
                .doesNotContain("comparison-table");
    }

    /** The first agent of the plan for a question the core routed as a batch does ({@link Requests#bare}). */
    private String planLeader(String question) throws Exception {
        String note =
                agent.run(Requests.bare(AgentId.CANVAS_ORCHESTRATOR, question)).markdown();
        Matcher row = Pattern.compile("\\| 1 \\| \\S+ `([a-z-]+)` \\|").matcher(note);
        assertThat(row.find()).as(question).isTrue();
        return row.group(1);
    }
}
