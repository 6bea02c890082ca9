package org.canvasbatch.adapters.http.wire;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;
import static org.canvasbatch.adapters.http.wire.JsonValues.decimal;
import static org.canvasbatch.adapters.http.wire.JsonValues.string;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.util.Map;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.text.Message;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.Analysis;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.SkippedNode;
import org.canvasbatch.application.port.in.NodeAgents;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * The analyze answer of CONTRACT §2.1. The plugin keys everything later on {@code group_id} (an integer) and
 * {@code nodes[].id}, and upper-cases {@code priority}, so those are never absent or null. Each node says the agent that
 * will run it ({@code nodes[].agent}), which in the plugin's flow is its group's {@code recommended_agent}.
 */
public final class AnalysisJson {

    private AnalysisJson() {}

    public static JsonObjectBuilder of(Analysis analysis) {
        return of(analysis, NodeAgents.PER_NODE, Language.EN);
    }

    /**
     * @param nodeAgents how the analysis chose each node's agent, said back as {@code node_agents}
     * @param language   the language of {@code skipped_nodes[].reason}
     */
    public static JsonObjectBuilder of(Analysis analysis, NodeAgents nodeAgents, Language language) {
        SessionSnapshot s = analysis.session();
        JsonArrayBuilder groups = BUILDERS.createArrayBuilder();
        for (Group group : s.groups()) {
            groups.add(group(s, group, analysis.groupEstimates()));
        }
        JsonArrayBuilder skipped = BUILDERS.createArrayBuilder();
        for (SkippedNode node : analysis.skippedNodes()) {
            skipped.add(BUILDERS.createObjectBuilder()
                    .add("id", node.id())
                    .add("node_id", node.id())
                    .add("reason", Message.skipped(node.reason(), language))
                    .add("code", node.reason().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return BUILDERS.createObjectBuilder()
                .add("success", true)
                .add("session_id", s.id().value())
                .add("canvas_path", s.canvasPath())
                .add("status", WireNames.pluginStatus(s.state()))
                .add("state", WireNames.state(s.state()))
                .add("created_at", Timestamps.json(s.createdAt()))
                .add("total_nodes", s.totalNodes())
                .add("total_groups", s.groups().size())
                .add("total_estimated_time_seconds", analysis.totalEstimatedSeconds())
                .add("estimated_duration", humanDuration(analysis.totalEstimatedSeconds()))
                .add("silhouette_score", decimal(s.silhouette(), 4))
                .add("recommended_k", s.recommendedK())
                .add("max_concurrent", s.settings().maxConcurrent())
                .add("resource_warning", string(analysis.resourceWarning()))
                .add("node_agents", nodeAgents.wireName())
                .add("skipped_nodes", skipped)
                .add("groups", groups);
    }

    private static JsonObjectBuilder group(SessionSnapshot s, Group group, Map<Integer, Long> estimates) {
        JsonArrayBuilder nodes = BUILDERS.createArrayBuilder();
        for (String nodeId : group.nodeIds()) {
            var task = s.task(nodeId);
            nodes.add(BUILDERS.createObjectBuilder()
                    .add("id", nodeId)
                    .add("node_id", nodeId)
                    .add("text", task.map(NodeTask::text).orElse(nodeId))
                    .add(
                            "agent",
                            task.map(t -> t.agent().wireName())
                                    .orElse(group.recommendedAgent().wireName())));
        }
        JsonArrayBuilder keywords = BUILDERS.createArrayBuilder();
        group.terms().forEach(keywords::add);
        return BUILDERS.createObjectBuilder()
                .add("group_id", group.id())
                .add("group_name", group.name())
                .add("group_emoji", WireNames.emoji(group.category()))
                .add("category", WireNames.category(group.category()))
                .add("recommended_agent", group.recommendedAgent().wireName())
                .add("agent_type", group.recommendedAgent().wireName())
                .add("confidence", decimal(group.confidence(), 2))
                .add("priority", group.priority().wireName())
                .add("estimated_time_seconds", estimates.getOrDefault(group.id(), 0L))
                .add("node_count", group.size())
                .add("keywords", keywords)
                .add("nodes", nodes);
    }

    /** What the plugin's own formatter would show, in Chinese: 45秒, 2分钟, 1小时5分钟. */
    public static String humanDuration(long seconds) {
        if (seconds < 60) {
            return Math.max(0, seconds) + "秒";
        }
        if (seconds < 3600) {
            return Math.round(seconds / 60.0) + "分钟";
        }
        long minutes = Math.round(seconds / 60.0);
        return minutes / 60 + "小时" + (minutes % 60 == 0 ? "" : minutes % 60 + "分钟");
    }
}
