package org.canvasbatch.testsupport.plugin;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plugin's {@code src/modals/ResultSummaryModal.ts}. It reads only {@code node_results} and
 * {@code elapsed_seconds} of what it is given, and the analyze groups:
 * <ul>
 *   <li>{@code extractFailedNodes} (161-182): every {@code node_results} item with {@code status "failed"}; its text is
 *       the analyze node's {@code text}, else the {@code node_id}; its error {@code error || 'Unknown error'}; its agent
 *       the group's {@code recommended_agent}, else {@code basic-decomposition}.
 *   <li>{@code calculateDocumentStats} (187-210): per succeeded node, one for <b>its group's</b>
 *       {@code recommended_agent} — nothing the server says about agents is read.
 *   <li>{@code renderContent} (215-263): ✅ "处理完成" when the failed list is empty, else ⚠️ "处理完成（部分失败）"; the
 *       canvas name; 成功处理 / 失败节点 / 总耗时 (268-311, {@code formatTime} 490-502); "• N个{中文名} ({emoji})"
 *       (316-334); the failed list, each text cut to 30, with 🔄 重试 (339-378); with at least one success the line
 *       "Canvas已自动更新，添加了N个蓝色说明节点和N个文档节点".
 *   <li>{@code handleRetryNode} (385-448) with main.ts's {@code onRetryNode}: a 2xx shows 节点 "{text cut to 20}"
 *       重试成功！ and removes the node from the failed list (the success count stays, being computed from
 *       {@code node_results}); anything else silently re-enables the button.
 *   <li>{@code showErrorLog} (477-485): one notice listing text, agent and error of each failed node.
 * </ul>
 */
public final class ResultSummaryModal {

    /** A row of the failed list. */
    public record FailedNode(String nodeId, String text, String error, String agent) {}

    private static final Map<String, String> AGENT_EMOJI = Map.ofEntries(
            Map.entry("comparison-table", "📊"),
            Map.entry("basic-decomposition", "🔍"),
            Map.entry("deep-decomposition", "🧠"),
            Map.entry("clarification-path", "💡"),
            Map.entry("oral-explanation", "🗣️"),
            Map.entry("four-level-explanation", "📚"),
            Map.entry("example-teaching", "✏️"),
            Map.entry("verification-question", "❓"),
            Map.entry("memory-anchor", "⚓"),
            Map.entry("scoring-agent", "⭐"),
            Map.entry("question-decomposition", "🎯"),
            Map.entry("canvas-orchestrator", "🎭"));

    private static final Map<String, String> AGENT_NAMES = Map.ofEntries(
            Map.entry("comparison-table", "对比表"),
            Map.entry("basic-decomposition", "基础拆解"),
            Map.entry("deep-decomposition", "深度拆解"),
            Map.entry("clarification-path", "澄清路径"),
            Map.entry("oral-explanation", "口语化解释"),
            Map.entry("four-level-explanation", "四层次解释"),
            Map.entry("example-teaching", "例题教学"),
            Map.entry("verification-question", "检验问题"),
            Map.entry("memory-anchor", "记忆锚点"),
            Map.entry("scoring-agent", "评分"),
            Map.entry("question-decomposition", "问题拆解"),
            Map.entry("canvas-orchestrator", "画布编排"));

    private final ObsidianPlugin plugin;
    private final String canvasPath;
    private final JsonObject status;
    private final List<GroupPreviewModal.Group> groups;
    private final List<JsonObject> nodeResults = new ArrayList<>();
    private List<FailedNode> failedNodes;

    ResultSummaryModal(
            ObsidianPlugin plugin, String canvasPath, JsonObject status, List<GroupPreviewModal.Group> groups) {
        this.plugin = plugin;
        this.canvasPath = canvasPath;
        this.status = status;
        this.groups = List.copyOf(groups);
        if (status.get("node_results") instanceof JsonArray results) {
            for (JsonValue result : results) {
                nodeResults.add(result instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT);
            }
        }
        this.failedNodes = extractFailedNodes();
    }

    // ----------------------------------------------------------------------------------------------- for tests

    /** ✅ or ⚠️. */
    public String icon() {
        return plugin.loop.call(() -> failedNodes.isEmpty() ? "✅" : "⚠️");
    }

    /** "⚡ 智能并行处理 - 处理完成" or "… - 处理完成（部分失败）". */
    public String title() {
        return plugin.loop.call(() -> "⚡ 智能并行处理 - " + (failedNodes.isEmpty() ? "处理完成" : "处理完成（部分失败）"));
    }

    /** The canvas's name, under the title. */
    public String subtitle() {
        String name = canvasPath.substring(canvasPath.lastIndexOf('/') + 1);
        return name.endsWith(".canvas") ? name.substring(0, name.length() - ".canvas".length()) : name;
    }

    /** 成功处理. */
    public int succeeded() {
        return plugin.loop.call(() -> (int) nodeResults.stream()
                .filter(r -> "success".equals(Js.stringOr(r, "status", "")))
                .count());
    }

    /** 失败节点 (what is left of the failed list). */
    public int failed() {
        return plugin.loop.call(() -> failedNodes.size());
    }

    /** 总耗时. */
    public String totalTime() {
        return formatTime(Js.numberOrZero(status, "elapsed_seconds"));
    }

    /** 生成文档统计: successes per group agent, in first-seen order. */
    public Map<String, Integer> agentStatistics() {
        return plugin.loop.call(this::documentStats);
    }

    /** The lines of 生成文档统计: "• 3个口语化解释 (🗣️)". */
    public List<String> agentStatisticLines() {
        return plugin.loop.call(() -> documentStats().entrySet().stream()
                .map(e -> "• " + e.getValue() + "个" + AGENT_NAMES.getOrDefault(e.getKey(), e.getKey()) + " ("
                        + AGENT_EMOJI.getOrDefault(e.getKey(), "🤖") + ")")
                .toList());
    }

    /** The failed list as shown, each text cut to 30. */
    public List<FailedNode> failedNodes() {
        return plugin.loop.call(() -> failedNodes.stream()
                .map(f -> new FailedNode(f.nodeId(), Js.truncate(f.text(), 30), f.error(), f.agent()))
                .toList());
    }

    /** "Canvas已自动更新…", shown when at least one node succeeded. */
    public Optional<String> canvasUpdateLine() {
        int successes = succeeded();
        return successes > 0
                ? Optional.of("Canvas已自动更新，添加了" + successes + "个蓝色说明节点和" + successes + "个文档节点")
                : Optional.empty();
    }

    /**
     * 🔄 重试 on the failed row of {@code nodeId}: posts {@code /canvas/single-agent} with the group's agent and waits
     * for the answer. True when the plugin counts it a success (any 2xx): the row is gone and the notice shown.
     */
    public boolean retry(String nodeId) {
        FailedNode row = plugin.loop.call(() -> failedNodes.stream()
                .filter(f -> f.nodeId().equals(nodeId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no failed row for node " + nodeId)));
        Boolean[] outcome = {null};
        plugin.loop.call(() -> {
            String body = Json.createObjectBuilder()
                    .add("canvas_path", canvasPath)
                    .add("node_id", row.nodeId())
                    .add("agent", row.agent())
                    .build()
                    .toString();
            plugin.fetch.fetch(
                    "POST",
                    plugin.settings.claudeCodeUrl() + "/canvas/single-agent",
                    body,
                    null,
                    plugin.settings.timeScale(),
                    response -> {
                        if (response.ok()) {
                            plugin.notice("节点 \"" + Js.truncate(row.text(), 20) + "\" 重试成功！", -1);
                            failedNodes = failedNodes.stream()
                                    .filter(f -> !f.nodeId().equals(nodeId))
                                    .toList();
                        }
                        outcome[0] = response.ok();
                    },
                    failure -> outcome[0] = false);
            return null;
        });
        plugin.expect(() -> outcome[0] != null, plugin.patience(), "the answer to the retry of " + nodeId);
        return outcome[0];
    }

    /** 📋 查看错误日志: the notice's text. */
    public String errorLog() {
        return plugin.loop.call(() -> {
            StringBuilder log = new StringBuilder();
            for (FailedNode node : failedNodes) {
                if (!log.isEmpty()) {
                    log.append("\n\n");
                }
                log.append("节点: ")
                        .append(node.text())
                        .append("\nAgent: ")
                        .append(node.agent())
                        .append("\n错误: ")
                        .append(node.error())
                        .append("\n---");
            }
            String text = "错误日志:\n\n" + log;
            plugin.notice(text, 10000);
            return text;
        });
    }

    // ---------------------------------------------------------------------------------------------- the plugin

    private List<FailedNode> extractFailedNodes() {
        List<FailedNode> failed = new ArrayList<>();
        for (JsonObject result : nodeResults) {
            if (!"failed".equals(Js.stringOr(result, "status", ""))) {
                continue;
            }
            String nodeId = ObsidianPlugin.jsString(result.get("node_id"));
            Optional<GroupPreviewModal.Group> group = groupOf(nodeId);
            String text = group.flatMap(g -> g.nodes().stream()
                            .filter(n -> n.id().equals(nodeId))
                            .findFirst())
                    .map(GroupPreviewModal.Node::text)
                    .orElse(null);
            failed.add(new FailedNode(
                    nodeId,
                    text != null ? text : nodeId,
                    Js.stringOr(result, "error", "Unknown error"),
                    group.map(GroupPreviewModal.Group::recommendedAgent)
                            .filter(agent -> !agent.isEmpty())
                            .orElse("basic-decomposition")));
        }
        return List.copyOf(failed);
    }

    private Map<String, Integer> documentStats() {
        Map<String, Integer> stats = new LinkedHashMap<>();
        for (JsonObject result : nodeResults) {
            if ("success".equals(Js.stringOr(result, "status", ""))) {
                groupOf(ObsidianPlugin.jsString(result.get("node_id")))
                        .ifPresent(g -> stats.merge(String.valueOf(g.recommendedAgent()), 1, Integer::sum));
            }
        }
        return stats;
    }

    private Optional<GroupPreviewModal.Group> groupOf(String nodeId) {
        return groups.stream()
                .filter(g -> g.nodes().stream().anyMatch(n -> n.id().equals(nodeId)))
                .findFirst();
    }

    private static String formatTime(double seconds) {
        if (seconds < 60) {
            return Math.round(seconds) + "秒";
        }
        if (seconds < 3600) {
            long minutes = (long) Math.floor(seconds / 60);
            long secs = Math.round(seconds % 60);
            return secs > 0 ? minutes + "分" + secs + "秒" : minutes + "分钟";
        }
        long hours = (long) Math.floor(seconds / 3600);
        long minutes = Math.round((seconds % 3600) / 60);
        return minutes > 0 ? hours + "小时" + minutes + "分钟" : hours + "小时";
    }
}
