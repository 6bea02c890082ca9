package org.canvasbatch.adapters.agents;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRequest.NodeContext;
import org.canvasbatch.application.port.out.AgentRequest.RelatedQuestion;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every offline note of a representative set of nodes, byte for byte: {@code src/test/resources/offline-golden/
 * <agent-id>/<case>.md}. A change to a template or to the values the agent computes shows here as a failing case with
 * its diff. After a deliberate change, rewrite the files with
 * {@code ./mvnw -pl adapters/agents test -Dtest=OfflineNoteGoldenTest -Dgolden.update=true} and review the diff.
 */
class OfflineNoteGoldenTest {

    private static final OfflineAgent AGENT = new OfflineAgent();

    /**
     * One node as the core hands it to the agent, routing included; each case runs with every agent unless it names
     * some.
     */
    private record Case(String name, Function<AgentId, AgentRequest> request, List<AgentId> agents) {
        Case(String name, Function<AgentId, AgentRequest> request) {
            this(name, request, Arrays.asList(AgentId.values()));
        }
    }

    private static final List<Case> CASES = List.of(
            // a comparison question with everything a canvas gives: canvas, group, terms, related questions, notes
            new Case("full.zh", Requests::zh),
            new Case("full.en", Requests::en),
            // a question alone on a canvas: no group terms, no related questions, no understanding
            new Case("bare.zh", agent -> Requests.bare(agent, "如何理解集合的幂集")),
            new Case("bare.en", agent -> Requests.bare(agent, "What is a binary search tree?")),
            // three compared concepts; the canvas known by name only; notes with an example; a related question
            // that cannot name its note and one that repeats the question
            new Case(
                    "comparison.zh",
                    agent -> new AgentRequest(
                            agent,
                            "c",
                            "对比栈、队列和双端队列",
                            null,
                            new NodeContext(
                                    "",
                                    "数据结构",
                                    "",
                                    List.of(),
                                    List.of(
                                            new RelatedQuestion("???", AgentId.ORAL_EXPLANATION),
                                            new RelatedQuestion("对比栈、队列和双端队列", AgentId.COMPARISON_TABLE),
                                            new RelatedQuestion("什么是循环队列", AgentId.ORAL_EXPLANATION)),
                                    List.of("栈是后进先出，比如一摞盘子；队列是先进先出。", "  ")))),
            // a comparison with a trailing clause; a group without a canvas; notes with no example and two lines
            new Case(
                    "comparison.en",
                    agent -> new AgentRequest(
                            agent,
                            "c",
                            "BFS vs DFS: when to use which?",
                            null,
                            new NodeContext(
                                    "",
                                    "",
                                    "graph, search",
                                    List.of("graph", "search", "BFS"),
                                    List.of(new RelatedQuestion(
                                            "What is a shortest path?", AgentId.FOUR_LEVEL_EXPLANATION)),
                                    List.of("BFS uses a queue.\nDFS uses a stack.")))),
            // a file node as the core sends it: the file's name as the text, the file's Markdown as the content
            new Case(
                    "file.zh",
                    agent -> new AgentRequest(
                            agent,
                            "f",
                            "鸽巢原理",
                            "# 鸽巢原理\n\n如果把 n+1 个物体放进 n 个盒子，至少有一个盒子里有两个物体。\n\n- 推广：kn+1 个物体",
                            new NodeContext(
                                    "组合数学/计数.canvas",
                                    "",
                                    "鸽巢原理、计数",
                                    List.of("鸽巢原理", "计数"),
                                    List.of(new RelatedQuestion("举例说明鸽巢原理的应用", AgentId.EXAMPLE_TEACHING)),
                                    List.of()))),
            new Case(
                    "file.en",
                    agent -> new AgentRequest(
                            agent,
                            "f",
                            "Amortized analysis",
                            "Amortized analysis bounds the average cost per operation over a worst-case sequence.",
                            new NodeContext(
                                    "CS/Algorithms.canvas", "Algorithms", "", List.of(), List.of(), List.of()))),
            // an empty text node: no title, no language cue, nothing to build on
            new Case("empty", agent -> new AgentRequest(agent, "e", "", "", null)),
            // one character: no term long enough to be a key term
            new Case(
                    "terse.zh",
                    agent -> new AgentRequest(
                            agent, "t", "熵", null, new NodeContext("", "", "", List.of(), List.of(), List.of("混乱程度")))),
            // one word: one key term
            new Case("terse.en", agent -> Requests.bare(agent, "Heaps")),
            // the plan leads with the agent each kind of question calls for
            new Case("deep.zh", agent -> Requests.bare(agent, "深度剖析图的欧拉回路存在条件"), List.of(AgentId.CANVAS_ORCHESTRATOR)),
            new Case("memory.zh", agent -> Requests.bare(agent, "怎么记住常见的递推关系解法"), List.of(AgentId.CANVAS_ORCHESTRATOR)),
            new Case("example.zh", agent -> Requests.bare(agent, "举个例子说明容斥原理"), List.of(AgentId.CANVAS_ORCHESTRATOR)),
            new Case(
                    "deep.en",
                    agent -> Requests.bare(agent, "In-depth analysis of garbage collection"),
                    List.of(AgentId.CANVAS_ORCHESTRATOR)),
            new Case(
                    "memory.en",
                    agent -> Requests.bare(agent, "How do I remember the OSI layers?"),
                    List.of(AgentId.CANVAS_ORCHESTRATOR)),
            new Case(
                    "example.en",
                    agent -> Requests.bare(agent, "Give an example of dynamic programming"),
                    List.of(AgentId.CANVAS_ORCHESTRATOR)),
            new Case(
                    "why.en",
                    agent -> Requests.bare(agent, "Why does quicksort degrade to quadratic time?"),
                    List.of(AgentId.CANVAS_ORCHESTRATOR)));

    static Stream<Arguments> cases() {
        return CASES.stream()
                .flatMap(c -> c.agents().stream()
                        .map(agent -> Arguments.of(
                                agent.wireName() + "/" + c.name(),
                                Requests.routed(c.request().apply(agent)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theNoteIsExactlyTheGoldenFile(String name, AgentRequest request) throws Exception {
        GoldenFiles.assertMatches(
                "offline-golden/" + name + ".md", AGENT.run(request).markdown());
    }
}
