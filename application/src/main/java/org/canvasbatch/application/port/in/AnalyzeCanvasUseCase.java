package org.canvasbatch.application.port.in;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionSnapshot;

/** Groups a canvas's question nodes by topic, picks an agent per group and creates a pending session. */
public interface AnalyzeCanvasUseCase {

    Analysis analyze(AnalyzeCanvasCommand command);

    Set<String> DEFAULT_COLORS = Set.of("1", "6");

    /**
     * @param nodes        the nodes to group as the caller sent them; empty means "read the canvas from the vault and take
     *                     the nodes of {@code targetColors}"
     * @param maxGroups    upper bound on the number of groups, 1–20
     * @param autoExecute  start at once, as if confirmed
     * @param maxConcurrent per-session cap, empty for the server default
     * @param timeout      whole-batch timeout, empty for the default
     * @param client       who asks (the caller's network address), for the limit of pending sessions per client; null
     *                     for a caller without one (the command line)
     * @param nodeAgents   which agent runs each node: its group's (what a preview of one agent per group shows) or its
     *                     own routing's; the shorter constructors take {@link NodeAgents#PER_NODE}, what the command
     *                     line's plan shows
     */
    record AnalyzeCanvasCommand(
            String canvasPath,
            Optional<List<CanvasNode>> nodes,
            Set<String> targetColors,
            int maxGroups,
            int minNodesPerGroup,
            AgentChoice agent,
            boolean autoExecute,
            Optional<Integer> maxConcurrent,
            Optional<Duration> timeout,
            String client,
            NodeAgents nodeAgents) {

        /** A command from a caller with a network address, whose nodes run per node. */
        public AnalyzeCanvasCommand(
                String canvasPath,
                Optional<List<CanvasNode>> nodes,
                Set<String> targetColors,
                int maxGroups,
                int minNodesPerGroup,
                AgentChoice agent,
                boolean autoExecute,
                Optional<Integer> maxConcurrent,
                Optional<Duration> timeout,
                String client) {
            this(
                    canvasPath,
                    nodes,
                    targetColors,
                    maxGroups,
                    minNodesPerGroup,
                    agent,
                    autoExecute,
                    maxConcurrent,
                    timeout,
                    client,
                    NodeAgents.PER_NODE);
        }

        /** A command from a caller without a network address (the command line, tests). */
        public AnalyzeCanvasCommand(
                String canvasPath,
                Optional<List<CanvasNode>> nodes,
                Set<String> targetColors,
                int maxGroups,
                int minNodesPerGroup,
                AgentChoice agent,
                boolean autoExecute,
                Optional<Integer> maxConcurrent,
                Optional<Duration> timeout) {
            this(
                    canvasPath,
                    nodes,
                    targetColors,
                    maxGroups,
                    minNodesPerGroup,
                    agent,
                    autoExecute,
                    maxConcurrent,
                    timeout,
                    null);
        }

        public AnalyzeCanvasCommand {
            targetColors = targetColors == null || targetColors.isEmpty() ? DEFAULT_COLORS : Set.copyOf(targetColors);
            agent = agent == null ? AgentChoice.AUTO : agent;
            nodeAgents = nodeAgents == null ? NodeAgents.PER_NODE : nodeAgents;
            nodes = nodes == null ? Optional.empty() : nodes.map(List::copyOf);
            List<FieldError> errors = new ArrayList<>(CanvasPaths.problems("canvas_path", canvasPath));
            if (maxGroups < 1 || maxGroups > 20) {
                errors.add(new FieldError("max_groups", "must be between 1 and 20, not " + maxGroups));
            }
            if (minNodesPerGroup < 1) {
                errors.add(new FieldError("min_nodes_per_group", "must be at least 1, not " + minNodesPerGroup));
            }
            nodes.ifPresent(list -> errors.addAll(nodeProblems(list)));
            errors.addAll(BatchLimits.sessionLimits(maxConcurrent, timeout));
            if (!errors.isEmpty()) {
                throw new InvalidCommandException(errors);
            }
        }

        /** The same command with {@code value} deciding which agent runs each node. */
        public AnalyzeCanvasCommand withNodeAgents(NodeAgents value) {
            return new AnalyzeCanvasCommand(
                    canvasPath,
                    nodes,
                    targetColors,
                    maxGroups,
                    minNodesPerGroup,
                    agent,
                    autoExecute,
                    maxConcurrent,
                    timeout,
                    client,
                    value);
        }

        private static List<FieldError> nodeProblems(List<CanvasNode> nodes) {
            List<FieldError> errors = new ArrayList<>();
            Optional<FieldError> tooMany = BatchLimits.nodeCount("nodes", nodes.size());
            if (tooMany.isPresent()) {
                return List.of(tooMany.get());
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < nodes.size() && errors.size() < 20; i++) {
                CanvasNode node = nodes.get(i);
                Optional<FieldError> longId = BatchLimits.idLength("nodes[" + i + "].id", node.id());
                if (node.id().isBlank()) {
                    errors.add(new FieldError("nodes[" + i + "].id", "must not be empty"));
                } else if (longId.isPresent()) {
                    errors.add(longId.get());
                } else if (!seen.add(node.id())) {
                    errors.add(new FieldError("nodes[" + i + "].id", "'" + node.id() + "' appears twice"));
                }
                if (node.text() != null
                        && node.text().length() * 3L > BatchLimits.MAX_TEXT_BYTES
                        && node.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                                > BatchLimits.MAX_TEXT_BYTES) {
                    errors.add(new FieldError("nodes[" + i + "].text", "is larger than the limit of 64 KiB"));
                }
            }
            return errors;
        }
    }

    /**
     * A created session and what the analysis estimated.
     *
     * @param groupEstimates seconds per group id
     * @param skippedNodes   nodes left out because there is nothing in them to ask, in canvas order
     * @param groupedBy      what the groups were made by, as the analysis really did it: "words", "MODEL
     *                       embeddings" when the embedding model answered (one that failed leaves the words), or
     *                       "the canvas's own groups" when the learner's labelled canvas groups decided (with
     *                       the words or embeddings named for questions outside them grouped apart)
     */
    record Analysis(
            SessionSnapshot session,
            long totalEstimatedSeconds,
            Map<Integer, Long> groupEstimates,
            String resourceWarning,
            List<SkippedNode> skippedNodes,
            String groupedBy) {

        public Analysis {
            skippedNodes = skippedNodes == null ? List.of() : List.copyOf(skippedNodes);
            groupedBy = groupedBy == null ? "words" : groupedBy;
        }

        public Analysis(
                SessionSnapshot session,
                long totalEstimatedSeconds,
                Map<Integer, Long> groupEstimates,
                String resourceWarning) {
            this(session, totalEstimatedSeconds, groupEstimates, resourceWarning, List.of(), "words");
        }
    }

    /**
     * A node of the wanted colours that is not processed because it holds no question: asking an agent about a node id
     * would only produce a note named after the id.
     */
    record SkippedNode(String id, Reason reason) {

        public enum Reason {
            /** A text node whose text is empty or only white space. */
            EMPTY_TEXT,
            /** A file node that names no file. */
            NO_FILE,
            /** A link node without a URL. */
            NO_URL,
            /** A group node without a label. */
            EMPTY_LABEL
        }

        /** Why a node has nothing to ask, if it has not: the only thing left to show for it would be its id. */
        public static java.util.Optional<Reason> whyNotAsked(CanvasNode node) {
            String content = switch (node.type()) {
                case "text" -> node.text();
                case "file" -> node.file();
                case "link" -> node.url();
                case "group" -> node.label();
                default -> node.displayText().equals(node.id()) ? null : node.displayText();
            };
            if (content != null && !content.isBlank()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(
                    switch (node.type()) {
                        case "file" -> Reason.NO_FILE;
                        case "link" -> Reason.NO_URL;
                        case "group" -> Reason.EMPTY_LABEL;
                        default -> Reason.EMPTY_TEXT;
                    });
        }
    }
}
