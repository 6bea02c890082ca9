package org.canvasbatch.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.grouping.GroupingInput;
import org.canvasbatch.domain.grouping.GroupingResult;
import org.canvasbatch.domain.grouping.TopicCluster;
import org.canvasbatch.domain.grouping.TopicGrouping;
import org.canvasbatch.domain.routing.AgentRouter;
import org.canvasbatch.domain.routing.Routing;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The analyze step's core on a large canvas: group the questions by topic, route each one and recommend an agent
 * per group. Targets (2 cores): 1 000 nodes well under 300 ms, 10 000 under 5 s.
 *
 * <pre>
 * java -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *      org.openjdk.jmh.Main GroupingBenchmark -f 1 -wi 2 -i 3
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class GroupingBenchmark {

    @Param({"1000", "10000"})
    int nodes;

    /** The contract's upper bound on K that the silhouette search still explores (2..10): the slowest setting. */
    @Param({"10"})
    int maxGroups;

    private List<String> questions;
    private GroupingInput canvas;
    private final TopicGrouping grouping = new TopicGrouping();
    private final AgentRouter router = new AgentRouter();

    @Setup(Level.Trial)
    public void generateCanvas() {
        questions = SyntheticQuestions.generate(nodes, 42L);
        List<CanvasNode> placed = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            placed.add(CanvasNode.text("n" + i, questions.get(i), "1", (i % 20) * 300.0, (i / 20) * 120.0, 260, 80));
        }
        canvas = GroupingInput.ofNodes(placed, Optional.empty());
    }

    @Benchmark
    public List<AgentId> groupAndRoute() {
        GroupingResult result = grouping.group(questions, maxGroups);
        List<AgentId> recommended = new ArrayList<>(result.clusters().size());
        for (TopicCluster cluster : result.clusters()) {
            List<Routing> routings = new ArrayList<>(cluster.members().size());
            for (int member : cluster.members()) {
                routings.add(router.route(questions.get(member)));
            }
            recommended.add(router.recommendFor(routings));
        }
        return recommended;
    }

    /** The plugin's nodes with their rectangles: the spatial-region search (up to 5 000 nodes) on top of grouping. */
    @Benchmark
    public GroupingResult groupPlacedNodes() {
        return grouping.group(canvas, maxGroups);
    }

    @Benchmark
    public GroupingResult groupOnly() {
        return grouping.group(questions, maxGroups);
    }

    @Benchmark
    public List<Routing> routeOnly() {
        List<Routing> routings = new ArrayList<>(questions.size());
        for (String question : questions) {
            routings.add(router.route(question));
        }
        return routings;
    }

    /**
     * Questions as a large revision canvas holds them: a score of subjects, each with its own terms in Chinese and
     * English, asked in the usual ways (what is, compare, why, give an example, how to remember, in depth), some
     * marked for revision, a few mixing both languages, and the odd empty or stop-word-only node.
     */
    static final class SyntheticQuestions {

        private static final String[][][] SUBJECTS = {
            {
                {"矩阵", "特征值", "行列式", "秩", "正交矩阵", "对角化", "线性变换", "向量空间"},
                {
                    "matrix",
                    "eigenvalue",
                    "determinant",
                    "rank",
                    "orthogonal matrix",
                    "diagonalization",
                    "linear map",
                    "vector space"
                }
            },
            {
                {"条件概率", "贝叶斯公式", "期望", "方差", "泊松分布", "正态分布", "大数定律", "中心极限定理"},
                {
                    "conditional probability",
                    "Bayes rule",
                    "expectation",
                    "variance",
                    "Poisson distribution",
                    "normal distribution",
                    "law of large numbers",
                    "central limit theorem"
                }
            },
            {
                {"生成树", "最短路径", "二部图", "欧拉回路", "哈密顿回路", "图的着色", "连通分量", "拓扑排序"},
                {
                    "spanning tree",
                    "shortest path",
                    "bipartite graph",
                    "Euler circuit",
                    "Hamiltonian cycle",
                    "graph coloring",
                    "connected component",
                    "topological sort"
                }
            },
            {
                {"哈希表", "散列函数", "冲突处理", "开放寻址", "链地址法", "负载因子", "布隆过滤器", "一致性哈希"},
                {
                    "hash table",
                    "hash function",
                    "collision",
                    "open addressing",
                    "separate chaining",
                    "load factor",
                    "Bloom filter",
                    "consistent hashing"
                }
            },
            {
                {"逆否命题", "谓词逻辑", "量词", "蕴含式", "真值表", "范式", "推理规则", "德摩根定律"},
                {
                    "contrapositive",
                    "predicate logic",
                    "quantifier",
                    "implication",
                    "truth table",
                    "normal form",
                    "inference rule",
                    "De Morgan law"
                }
            },
            {
                {"极限", "导数", "积分", "泰勒展开", "中值定理", "洛必达法则", "级数", "微分方程"},
                {
                    "limit",
                    "derivative",
                    "integral",
                    "Taylor series",
                    "mean value theorem",
                    "L'Hopital rule",
                    "series convergence",
                    "differential equation"
                }
            },
            {
                {"进程", "线程", "死锁", "信号量", "虚拟内存", "页面置换", "调度算法", "文件系统"},
                {
                    "process",
                    "thread",
                    "deadlock",
                    "semaphore",
                    "virtual memory",
                    "page replacement",
                    "scheduling",
                    "file system"
                }
            },
            {
                {"二叉搜索树", "红黑树", "堆", "栈", "队列", "链表", "跳表", "字典树"},
                {"binary search tree", "red-black tree", "heap", "stack", "queue", "linked list", "skip list", "trie"}
            },
            {
                {"动态规划", "贪心算法", "分治", "回溯", "快速排序", "归并排序", "二分查找", "记忆化搜索"},
                {
                    "dynamic programming",
                    "greedy algorithm",
                    "divide and conquer",
                    "backtracking",
                    "quicksort",
                    "merge sort",
                    "binary search",
                    "memoization"
                }
            },
            {
                {"TCP握手", "拥塞控制", "路由协议", "DNS解析", "HTTP缓存", "子网划分", "滑动窗口", "三次握手"},
                {
                    "TCP handshake",
                    "congestion control",
                    "routing protocol",
                    "DNS resolution",
                    "HTTP caching",
                    "subnetting",
                    "sliding window",
                    "three-way handshake"
                }
            },
            {
                {"供给曲线", "需求弹性", "边际成本", "机会成本", "通货膨胀", "货币政策", "市场失灵", "比较优势"},
                {
                    "supply curve",
                    "price elasticity",
                    "marginal cost",
                    "opportunity cost",
                    "inflation",
                    "monetary policy",
                    "market failure",
                    "comparative advantage"
                }
            },
            {
                {"光合作用", "细胞呼吸", "有丝分裂", "减数分裂", "基因表达", "自然选择", "酶的活性", "DNA复制"},
                {
                    "photosynthesis",
                    "cellular respiration",
                    "mitosis",
                    "meiosis",
                    "gene expression",
                    "natural selection",
                    "enzyme activity",
                    "DNA replication"
                }
            }
        };

        private static final String[] CJK_FORMS = {
            "什么是%s",
            "如何理解%s",
            "%s和%s的区别",
            "举例说明%s",
            "为什么%s很重要",
            "怎么记住%s",
            "深度剖析%s",
            "%s的定义是什么",
            "%s与%s的对比",
            "%s有哪些常见的错误"
        };
        private static final String[] LATIN_FORMS = {
            "What is %s?",
            "How to understand %s?",
            "Difference between %s and %s",
            "Give an example of %s",
            "Why does %s matter?",
            "How to remember %s?",
            "In-depth analysis of %s",
            "Define %s",
            "%s vs %s",
            "Common mistakes with %s"
        };

        private SyntheticQuestions() {}

        static List<String> generate(int count, long seed) {
            Random random = new Random(seed);
            List<String> questions = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int roll = random.nextInt(100);
                if (roll == 0) {
                    questions.add(random.nextBoolean() ? "" : "什么是？");
                    continue;
                }
                String[][] subject = SUBJECTS[random.nextInt(SUBJECTS.length)];
                boolean cjk = random.nextBoolean();
                // About one question in twenty borrows the other language's term, as bilingual notes do.
                String[] terms = subject[(roll < 5) == cjk ? 1 : 0];
                String[] forms = cjk ? CJK_FORMS : LATIN_FORMS;
                String question = String.format(
                        forms[random.nextInt(forms.length)],
                        terms[random.nextInt(terms.length)],
                        terms[random.nextInt(terms.length)]);
                if (roll >= 80) {
                    question = (cjk ? "复习：" : "Review: ") + question;
                }
                questions.add(question);
            }
            return questions;
        }
    }
}
