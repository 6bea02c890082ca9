package org.canvasbatch.adapters.http;

import jakarta.json.JsonArray;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.canvasbatch.adapters.http.wire.AnalysisJson;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.Analysis;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.BatchLimits;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;
import org.canvasbatch.application.port.in.NodeAgents;
import org.canvasbatch.domain.canvas.CanvasNode;

/**
 * {@code POST /canvas/intelligent-parallel}: the plugin's {@code {canvas_path, nodes, options}} as well as the older
 * {@code {canvas_path, target_color, max_groups, min_nodes_per_group}} (CONTRACT §2.1).
 */
final class AnalyzeEndpoint implements Endpoint {

    /** What the plugin asks for; older callers that say nothing get the same. */
    static final int DEFAULT_MAX_GROUPS = 6;

    private final AnalyzeCanvasUseCase analyze;
    private final SocketUrls sockets;

    AnalyzeEndpoint(AnalyzeCanvasUseCase analyze, SocketUrls sockets) {
        this.analyze = analyze;
        this.sockets = sockets;
    }

    @Override
    public Reply answer(ApiCall call) {
        Fields body = new Fields(call.json());
        Optional<Fields> options = body.object("options");
        String canvasPath = body.string("canvas_path").orElse(null);
        Optional<List<CanvasNode>> nodes = body.array("nodes").map(array -> nodes(array, body));
        options.ifPresent(o -> o.string("grouping_mode"));
        Optional<Integer> maxGroups = body.integer("max_groups");
        Optional<Integer> optionMaxGroups = options.flatMap(o -> o.integer("max_groups"));
        int minNodes = body.integer("min_nodes_per_group").orElse(1);
        boolean autoExecute = body.bool("auto_execute")
                .or(() -> options.flatMap(o -> o.bool("auto_execute")))
                .orElse(false);
        Set<String> colors = colors(body);
        String agentField = body.has("agent") ? "agent" : "agent_type";
        Optional<String> agentName = body.string(agentField);
        Optional<Integer> maxConcurrent = body.integer("max_concurrent");
        Optional<Duration> timeout = body.seconds("timeout");
        NodeAgents nodeAgents = nodeAgents(body, options);
        body.requireValid();

        AgentChoice agent = AgentChoice.parse(agentField, agentName.orElse(null));
        Analysis analysis = analyze.analyze(new AnalyzeCanvasCommand(
                canvasPath,
                nodes,
                colors,
                maxGroups.or(() -> optionMaxGroups).orElse(DEFAULT_MAX_GROUPS),
                minNodes,
                agent,
                autoExecute,
                maxConcurrent,
                timeout,
                call.request().remotePeer().host(),
                nodeAgents));
        JsonObjectBuilder answer = AnalysisJson.of(analysis, nodeAgents, call.language())
                .add("websocket_url", sockets.urlFor(call, analysis.session().id()));
        return Reply.ok(answer.build());
    }

    /**
     * {@code options.node_agents} (or top-level {@code node_agents}): {@code group}, the default, runs every node with
     * its group's {@code recommended_agent} — what the plugin's preview shows and its summary and retry assume;
     * {@code per_node} lets a node whose own question is clear run its own agent, for callers that show each node's
     * agent ({@code nodes[].agent} of the answer).
     */
    private static NodeAgents nodeAgents(Fields body, Optional<Fields> options) {
        Optional<String> value =
                body.has("node_agents") ? body.string("node_agents") : options.flatMap(o -> o.string("node_agents"));
        if (value.isEmpty()) {
            return NodeAgents.GROUP;
        }
        return NodeAgents.fromWireName(value.get()).orElseGet(() -> {
            (body.has("node_agents") ? body : options.get())
                    .problem("node_agents", "must be \"group\" or \"per_node\", not '" + value.get() + "'");
            return NodeAgents.GROUP;
        });
    }

    /**
     * {@code target_color} (one) and {@code target_colors} (several) together; neither given means the default red +
     * purple. An empty {@code target_colors} is a mistake rather than "the default": it would select nothing.
     */
    private static Set<String> colors(Fields body) {
        Set<String> colors = new LinkedHashSet<>();
        body.stringOrNumber("target_color").ifPresent(colors::add);
        body.array("target_colors").ifPresent(array -> {
            if (array.isEmpty()) {
                body.problem(
                        "target_colors",
                        "must name at least one colour, e.g. [\"1\", \"6\"] (red and purple); leave it out for"
                                + " those");
            }
        });
        body.strings("target_colors").ifPresent(colors::addAll);
        return colors;
    }

    /**
     * The plugin copies canvas nodes as they are: {@code {id, type, text, color, x, y, width, height}}, text absent for
     * file, link and group nodes. Geometry is only a hint for placing notes later, so a node with odd coordinates is
     * still grouped rather than refused.
     */
    private static List<CanvasNode> nodes(JsonArray array, Fields body) {
        // refused before a node is built: the command would say the same, after ten thousand objects too many
        Optional<FieldError> tooMany = BatchLimits.nodeCount("nodes", array.size());
        if (tooMany.isPresent()) {
            body.problem(tooMany.get().field(), tooMany.get().message());
            return List.of();
        }
        List<CanvasNode> nodes = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String field = "nodes[" + i + "]";
            JsonValue item = array.get(i);
            if (item.getValueType() != JsonValue.ValueType.OBJECT) {
                body.problem(field, "must be a canvas node object, not " + Fields.describe(item));
                continue;
            }
            Fields node = body.nested(item.asJsonObject(), field);
            Optional<String> id = node.stringOrNumber("id");
            if (id.isEmpty() && !node.has("id")) {
                node.problem("id", "is required");
            }
            String type = node.string("type").orElse(null);
            String text = node.string("text").orElse(null);
            String file = node.string("file").orElse(null);
            String url = node.string("url").orElse(null);
            String label = node.string("label").orElse(null);
            String color = node.stringOrNumber("color").orElse(null);
            if (id.isPresent() && body.valid()) {
                nodes.add(new CanvasNode(
                        id.get(),
                        type,
                        text,
                        file,
                        url,
                        label,
                        color,
                        coordinate(node, "x"),
                        coordinate(node, "y"),
                        coordinate(node, "width"),
                        coordinate(node, "height")));
            }
        }
        return nodes;
    }

    private static double coordinate(Fields node, String name) {
        return node.numberOrZero(name);
    }
}
