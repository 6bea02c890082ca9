package org.canvasbatch.testsupport.plugin;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The plugin's {@code src/modals/GroupPreviewModal.ts}: analyze, then the preview or its error view.
 * <ul>
 *   <li>{@code fetchGrouping} (178-249): {@code POST {base}/canvas/intelligent-parallel} with
 *       {@code {canvas_path, nodes, options: {grouping_mode: "intelligent", max_groups: 6, auto_execute: false}}},
 *       30 s timeout per attempt, {@code RetryPolicy.forNetworkRequests()} (errors/RetryPolicy.ts:115-169, 261-268):
 *       up to 4 attempts, 1 s, 2 s, 4 s apart; every non-2xx is a {@code NetworkError}, always retried; the error view
 *       shows {@code errorData.message || "HTTP <status>: <statusText>"}, a timeout "请求超时，请检查网络连接后重试";
 *       an unreachable server "Failed to fetch"; a 2xx that is not JSON is not retried.
 *   <li>218-223: no {@code groups} or an empty array: one default group of every node, agent
 *       {@code basic-decomposition}, and the notice "⚠️ 智能分组返回空结果，已使用默认分组".
 *   <li>{@code renderContent} (347-405): "检测到 {total_nodes} 个待处理节点，智能分组为 {total_groups} 组", a card per
 *       group, "⏱️ 预计处理时间: …"; 🚀 开始处理 closes the modal and confirms with {@code session_id} and the groups.
 *   <li>{@code renderGroupCard} (410-467): "{emoji} Group {group_id}: {group_name}", {@code priority.toUpperCase()}
 *       (null or absent throws: the modal stays half drawn, without its buttons), "推荐Agent: {recommended_agent}" —
 *       <b>one agent per group</b> — and the first 3 nodes as {@code text || id}, cut to 40.
 * </ul>
 */
public final class GroupPreviewModal {

    /** One group as the plugin keeps it ({@code NodeGroup}) and as its card shows it. */
    public record Group(
            JsonValue groupId,
            String groupName,
            String recommendedAgent,
            List<Node> nodes,
            String title,
            String priorityBadge,
            List<String> nodeLines) {

        /** The group id as the integer it should be; fails when the server sent something else. */
        public int id() {
            if (groupId instanceof jakarta.json.JsonNumber number && number.isIntegral()) {
                return number.intValueExact();
            }
            throw new AssertionError("group_id is not a JSON integer: " + groupId);
        }
    }

    /** A node of a group as the analyze answer gave it (the plugin reads {@code id} and {@code text}). */
    public record Node(String id, String text) {}

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

    private final ObsidianPlugin plugin;
    private final String canvasPath;
    private final List<JsonObject> nodes;
    private final String apiBase;

    // loop state
    private boolean loading = true;
    private String error;
    private JsonObject response;
    private List<Group> groups = List.of();
    private String renderFailure;

    GroupPreviewModal(ObsidianPlugin plugin, String canvasPath, List<JsonObject> nodes, String apiBase) {
        this.plugin = plugin;
        this.canvasPath = canvasPath;
        this.nodes = List.copyOf(nodes);
        this.apiBase = apiBase;
    }

    void open() {
        loading = true;
        fetchGrouping(1);
    }

    // ----------------------------------------------------------------------------------------------- for tests

    /** Waits until the analysis ended, in the preview or in the error view. */
    public GroupPreviewModal awaitLoaded() {
        plugin.expect(() -> !loading, plugin.patience(), "the grouping preview");
        return this;
    }

    /** The error view's message (after every attempt failed), or empty when the preview shows groups. */
    public Optional<String> error() {
        awaitLoaded();
        return plugin.loop.call(() -> Optional.ofNullable(error));
    }

    /** The preview's groups; fails if the error view is shown. */
    public List<Group> groups() {
        awaitLoaded();
        return plugin.loop.call(() -> {
            if (error != null) {
                throw new AssertionError("the preview shows an error, not groups: " + error);
            }
            return groups;
        });
    }

    /** "检测到 N 个待处理节点，智能分组为 K 组". */
    public String summaryLine() {
        awaitLoaded();
        return plugin.loop.call(() -> "检测到 " + field("total_nodes") + " 个待处理节点，智能分组为 " + field("total_groups") + " 组");
    }

    /** What went wrong while drawing the preview (the plugin threw half-way), if anything. */
    public Optional<String> renderFailure() {
        awaitLoaded();
        return plugin.loop.call(() -> Optional.ofNullable(renderFailure));
    }

    /** The analyze answer as the plugin received it, for tests that check a field the plugin does not show. */
    public JsonObject response() {
        awaitLoaded();
        return plugin.loop.call(() -> response);
    }

    /**
     * 🚀 开始处理: closes the preview and confirms; returns the progress modal once the confirm POST answered, or empty
     * when it failed (the notice "Failed to confirm session: …" says why).
     */
    public Optional<ProgressMonitorModal> confirm() {
        awaitLoaded();
        AtomicReference<ProgressMonitorModal> modal = new AtomicReference<>();
        boolean[] answered = {false};
        plugin.loop.call(() -> {
            if (error != null || renderFailure != null) {
                throw new AssertionError("the preview has no 开始处理 button: " + (error != null ? error : renderFailure));
            }
            plugin.confirm(canvasPath, response.get("session_id"), groups, progress -> {
                modal.set(progress);
                answered[0] = true;
            });
            return null;
        });
        plugin.expect(() -> answered[0], plugin.patience(), "the answer to confirm");
        return Optional.ofNullable(modal.get());
    }

    /** 🔄 重试 in the error view: the whole sequence of attempts again. */
    public GroupPreviewModal retry() {
        awaitLoaded();
        plugin.loop.call(() -> {
            if (error == null) {
                throw new AssertionError("the preview shows no error view");
            }
            error = null;
            loading = true;
            fetchGrouping(1);
            return null;
        });
        return this;
    }

    // ---------------------------------------------------------------------------------------------- the plugin

    private void fetchGrouping(int attempt) {
        JsonObject body = Json.createObjectBuilder()
                .add("canvas_path", canvasPath)
                .add("nodes", ObsidianPlugin.array(nodes))
                .add(
                        "options",
                        Json.createObjectBuilder()
                                .add("grouping_mode", "intelligent")
                                .add("max_groups", 6)
                                .add("auto_execute", false))
                .build();
        plugin.fetch.fetch(
                "POST",
                apiBase + "/canvas/intelligent-parallel",
                body.toString(),
                Duration.ofSeconds(30),
                plugin.settings.timeScale(),
                answer -> {
                    if (!answer.ok()) {
                        String message = answer.json()
                                .map(e -> Js.stringOr(e, "message", null))
                                .orElse(null);
                        retryOrFail(
                                attempt,
                                message != null ? message : "HTTP " + answer.status() + ": " + answer.statusText());
                        return;
                    }
                    Optional<JsonObject> data = answer.json();
                    if (data.isEmpty()) {
                        // JSON.parse throws a SyntaxError: not retried
                        finish("Unexpected token in JSON");
                        return;
                    }
                    succeed(data.get());
                },
                failure -> retryOrFail(attempt, failure.aborted() ? null : failure.message()));
    }

    /** A timeout is passed as null: after the last attempt it shows the plugin's own timeout text. */
    private void retryOrFail(int attempt, String message) {
        if (attempt >= 4) {
            finish(message == null ? "请求超时，请检查网络连接后重试" : message);
            return;
        }
        long delay = 1000L << (attempt - 1);
        plugin.loop.setTimeout(delay, () -> fetchGrouping(attempt + 1));
    }

    private void finish(String failure) {
        error = failure.isEmpty() ? "网络请求失败，请稍后重试" : failure;
        loading = false;
    }

    private void succeed(JsonObject data) {
        JsonValue rawGroups = data.get("groups");
        boolean empty = !(rawGroups instanceof JsonArray array) || array.isEmpty();
        if (empty) {
            var defaultGroup = Json.createObjectBuilder()
                    .add("group_id", 1)
                    .add("group_name", "默认分组")
                    .add("category", "mixed")
                    .add("recommended_agent", "basic-decomposition")
                    .add("priority", "medium")
                    .add("nodes", ObsidianPlugin.array(nodes))
                    .add("estimated_time_seconds", nodes.size() * 30);
            data = Json.createObjectBuilder(data)
                    .add("groups", Json.createArrayBuilder().add(defaultGroup))
                    .add("total_groups", 1)
                    .build();
            plugin.notice("⚠️ 智能分组返回空结果，已使用默认分组", -1);
        }
        response = data;
        List<Group> parsed = new ArrayList<>();
        for (JsonValue value : data.getJsonArray("groups")) {
            JsonObject group = value.asJsonObject();
            Group card = card(group);
            if (card == null) {
                break;
            }
            parsed.add(card);
        }
        groups = List.copyOf(parsed);
        loading = false;
    }

    /** One card; null when drawing it throws (the plugin stops rendering there, without the buttons). */
    private Group card(JsonObject group) {
        String agent = Js.stringOr(group, "recommended_agent", null);
        String emoji = agent == null ? "🤖" : AGENT_EMOJI.getOrDefault(agent, "🤖");
        JsonValue priority = group.get("priority");
        if (!(priority instanceof JsonString priorityText)) {
            renderFailure = "TypeError: Cannot read properties of " + (priority == null ? "undefined" : "null")
                    + " (reading 'toUpperCase')";
            return null;
        }
        List<Node> members = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        JsonValue rawNodes = group.get("nodes");
        if (rawNodes instanceof JsonArray array) {
            for (JsonValue n : array) {
                JsonObject node = n.asJsonObject();
                String id = ObsidianPlugin.jsString(node.get("id"));
                String text = Js.stringOr(node, "text", null);
                members.add(new Node(id, text));
            }
        }
        for (Node node : members.subList(0, Math.min(3, members.size()))) {
            lines.add("• " + Js.truncate(node.text() != null ? node.text() : node.id(), 40));
        }
        if (members.size() > 3) {
            lines.add("... 还有 " + (members.size() - 3) + " 个节点");
        }
        return new Group(
                group.get("group_id"),
                Js.stringOr(group, "group_name", ""),
                agent,
                List.copyOf(members),
                emoji + " Group " + ObsidianPlugin.jsString(group.get("group_id")) + ": "
                        + Js.stringOr(group, "group_name", "undefined"),
                priorityText.getString().toUpperCase(java.util.Locale.ROOT),
                List.copyOf(lines));
    }

    private String field(String name) {
        JsonValue value = response == null ? null : response.get(name);
        return ObsidianPlugin.jsString(value);
    }
}
