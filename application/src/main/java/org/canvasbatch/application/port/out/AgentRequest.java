package org.canvasbatch.application.port.out;

import java.util.List;
import java.util.Objects;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.routing.Routing;

/**
 * Everything an agent needs for one node.
 *
 * @param nodeText the node as the learner sees it (its text, or the file path / URL of a file / link node)
 * @param content  the node's resolved content: its text, a file node's file text, an image embed, a link's URL
 * @param context  where the node sits: canvas, group, related questions, the learner's own understanding and
 *                 what they wrote about it elsewhere in the vault
 * @param routing  how the core routed the node's question: the kind of question and the agent its wording calls for,
 *                 which may differ from {@code agent} (the learner may have named one agent for the whole batch). An
 *                 agent that plans around the question's kind reads it here instead of routing again;
 *                 {@link #UNROUTED} when the caller did not route the node
 */
public record AgentRequest(
        AgentId agent, String nodeId, String nodeText, String content, NodeContext context, Routing routing) {

    /** What routing says of a question without any cue: a general question, for a plain explanation. */
    public static final Routing UNROUTED = new Routing(AgentId.ORAL_EXPLANATION, 0.0, Category.GENERAL);

    public AgentRequest {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(nodeId, "nodeId");
        nodeText = nodeText == null ? "" : nodeText;
        content = content == null ? nodeText : content;
        context = context == null ? NodeContext.none() : context;
        routing = routing == null ? UNROUTED : routing;
    }

    /** A request for a node the caller did not route. */
    public AgentRequest(AgentId agent, String nodeId, String nodeText, String content, NodeContext context) {
        this(agent, nodeId, nodeText, content, context, UNROUTED);
    }

    /**
     * @param canvasPath           vault-relative canvas path, may be empty when unknown
     * @param groupName            the group's name (its top terms)
     * @param groupTerms           the group's key terms, most characteristic first
     * @param relatedQuestions     the other nodes of the same group, each with the agent that writes its note
     * @param learnerUnderstanding texts of yellow ("3") nodes connected to this node by an edge
     * @param vaultPassages        what the learner already wrote about the question elsewhere in the vault, best
     *                             first ({@link VaultPassages})
     */
    public record NodeContext(
            String canvasPath,
            String canvasName,
            String groupName,
            List<String> groupTerms,
            List<RelatedQuestion> relatedQuestions,
            List<String> learnerUnderstanding,
            List<VaultPassage> vaultPassages) {
        public NodeContext {
            canvasPath = canvasPath == null ? "" : canvasPath;
            canvasName = canvasName == null ? "" : canvasName;
            groupName = groupName == null ? "" : groupName;
            groupTerms = List.copyOf(groupTerms == null ? List.of() : groupTerms);
            relatedQuestions = List.copyOf(relatedQuestions == null ? List.of() : relatedQuestions);
            learnerUnderstanding = List.copyOf(learnerUnderstanding == null ? List.of() : learnerUnderstanding);
            vaultPassages = List.copyOf(vaultPassages == null ? List.of() : vaultPassages);
        }

        /** A context without passages of the vault. */
        public NodeContext(
                String canvasPath,
                String canvasName,
                String groupName,
                List<String> groupTerms,
                List<RelatedQuestion> relatedQuestions,
                List<String> learnerUnderstanding) {
            this(canvasPath, canvasName, groupName, groupTerms, relatedQuestions, learnerUnderstanding, List.of());
        }

        public static NodeContext none() {
            return new NodeContext("", "", "", List.of(), List.of(), List.of(), List.of());
        }
    }

    /**
     * Another question of the node's group. Its agent is the one that writes that question's note, which may differ
     * from this request's agent (routing gives each node its own agent when it is sure), so a link to that note must
     * name this agent.
     *
     * @param text     the question's display text
     * @param noteName the file name the vault gives that question's note ({@code Vault#noteNameFor}), without
     *                 {@code .md}: a link must name the file the vault writes, which is not always the one the text
     *                 suggests; empty when not known
     */
    public record RelatedQuestion(String text, AgentId agent, String noteName) {
        public RelatedQuestion {
            text = text == null ? "" : text;
            Objects.requireNonNull(agent, "agent");
            noteName = noteName == null ? "" : noteName;
        }

        /** A related question whose note's name is not known. */
        public RelatedQuestion(String text, AgentId agent) {
            this(text, agent, "");
        }
    }
}
