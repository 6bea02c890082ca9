package org.canvasbatch.adapters.agents;

import java.util.List;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRequest.NodeContext;
import org.canvasbatch.application.port.out.AgentRequest.RelatedQuestion;
import org.canvasbatch.application.port.out.VaultPassage;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.AgentRouter;

/**
 * Agent requests as the application builds them, from the fixture canvases' questions. The related questions are
 * answered by other agents than most requests', as when routing gives each node its own agent, and each request
 * carries the core's routing of its question.
 */
final class Requests {

    private static final AgentRouter ROUTER = new AgentRouter();

    static final String ZH_QUESTION = "逆否命题和否命题的区别是什么";
    static final String EN_QUESTION = "Difference between a stack and a queue";

    static final NodeContext ZH_CONTEXT = new NodeContext(
            "数学/离散数学.canvas",
            "离散数学",
            "逆否命题、命题、否命题",
            List.of("逆否命题", "否命题", "原命题"),
            List.of(
                    new RelatedQuestion("什么是逆否命题", AgentId.ORAL_EXPLANATION),
                    new RelatedQuestion("为什么命题逻辑中蕴含式前件为假时整体为真", AgentId.CLARIFICATION_PATH)),
            List.of("我理解为把条件和结论都否定再交换位置，和原命题同真同假？"),
            List.of(
                    new VaultPassage(
                            "数学/命题逻辑.md", "逆否命题", "原命题与它的逆否命题同真同假，所以证明了逆否命题就证明了原命题。", VaultPassage.Origin.NOTE),
                    new VaultPassage("数学/离散数学.canvas", "", "否命题：条件和结论都否定，但不交换位置。", VaultPassage.Origin.CANVAS_NOTE),
                    new VaultPassage("复习/错题本.canvas", "", "我以前以为否命题和逆否命题是一回事……", VaultPassage.Origin.UNDERSTANDING)));
    static final NodeContext EN_CONTEXT = new NodeContext(
            "CS/Data Structures.canvas",
            "Data Structures",
            "stack, queue, order",
            List.of("stack", "queue", "order"),
            List.of(
                    new RelatedQuestion("What is a priority queue?", AgentId.ORAL_EXPLANATION),
                    new RelatedQuestion("BFS vs DFS: when to use which?", AgentId.COMPARISON_TABLE)),
            List.of("I think a stack is LIFO, for example a pile of plates."),
            List.of(
                    new VaultPassage(
                            "CS/Notes/Stacks.md",
                            "LIFO: last in, first out",
                            "A stack only lets you reach its top: push and pop both work there, so the last item in is"
                                    + " the first out.",
                            VaultPassage.Origin.NOTE),
                    new VaultPassage(
                            "CS/Queues [draft].md",
                            "",
                            "…a queue serves in arrival order, like the line at a bakery.",
                            VaultPassage.Origin.NOTE),
                    new VaultPassage("CS/Revision.canvas", "", "Queue = FIFO", VaultPassage.Origin.UNDERSTANDING)));

    private Requests() {}

    static AgentRequest zh(AgentId agent) {
        return routed(new AgentRequest(agent, "zh-node", ZH_QUESTION, null, ZH_CONTEXT));
    }

    static AgentRequest en(AgentId agent) {
        return routed(new AgentRequest(agent, "en-node", EN_QUESTION, null, EN_CONTEXT));
    }

    static AgentRequest bare(AgentId agent, String text) {
        return routed(new AgentRequest(agent, "bare-node", text, null, null));
    }

    /** The request with the routing the core gives it: the domain's routing of the node's text, as analysis made it. */
    static AgentRequest routed(AgentRequest request) {
        return new AgentRequest(
                request.agent(),
                request.nodeId(),
                request.nodeText(),
                request.content(),
                request.context(),
                ROUTER.route(request.nodeText()));
    }

    static AgentRequest inLanguage(String language, AgentId agent) {
        return language.equals("zh") ? zh(agent) : en(agent);
    }
}
