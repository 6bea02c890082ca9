package org.canvasbatch.adapters.http.wire;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;
import static org.canvasbatch.adapters.http.wire.JsonValues.decimal;
import static org.canvasbatch.adapters.http.wire.JsonValues.string;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.SessionProgress;
import org.canvasbatch.domain.session.SessionProgress.GroupStatus;
import org.canvasbatch.domain.session.SessionProgress.NodeResult;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * The status object of CONTRACT §2.3, the union of what the plugin polls and what older callers read. The same object is
 * the WebSocket {@code snapshot} message, and its {@code node_results} the {@code session_completed} summary, so every
 * channel tells the same story about a session.
 */
public final class StatusJson {

    private StatusJson() {}

    /** The full status of {@code s}; {@code now} only matters for the elapsed time of a session still running. */
    public static JsonObject of(SessionSnapshot s, Instant now) {
        SessionProgress progress = s.progress();
        SessionProgress.Counts counts = progress.session();
        Duration elapsed = progress.elapsed(now);
        long finishedGroups = s.groups().stream()
                .map(g -> progress.groupStatus(g.id()))
                .filter(status -> status == GroupStatus.COMPLETED || status == GroupStatus.FAILED)
                .count();
        JsonArrayBuilder groupArray = BUILDERS.createArrayBuilder();
        s.groups().forEach(g -> groupArray.add(group(g, progress)));
        return common(s, progress, elapsed)
                .add("progress_percent", counts.succeededPercent())
                .add("cancelled_nodes", counts.cancelled())
                .add("queued_nodes", counts.queued())
                .add("completed_groups", finishedGroups)
                .add("max_concurrent", s.settings().maxConcurrent())
                .add("silhouette_score", decimal(s.silhouette(), 4))
                .add("recommended_k", s.recommendedK())
                .add("batch_error", string(progress.batchError()))
                .add("groups", groupArray)
                .add("node_results", nodeResults(progress))
                .add("performance_metrics", performance(progress, elapsed))
                .build();
    }

    /**
     * What the plugin's poll gets for a session this server does not have (CONTRACT §2.3): a terminal {@code failed}
     * status, so that its polling ends, with no groups (the server cannot say anything true about them: their badges
     * stay as they were) and one failed entry in {@code node_results} — the lost session itself, with {@code message}
     * as its error — so that the summary the plugin then opens says what happened instead of "处理完成" with nothing
     * in it.
     */
    public static JsonObject lostSession(String sessionId, String message) {
        return BUILDERS.createObjectBuilder()
                .add("session_id", sessionId)
                .add("status", "failed")
                .add("state", "not_found")
                .add("error", "SessionNotFoundError")
                .add("message", message)
                .add("progress", 0)
                .add("progress_percent", 0)
                .add("total_nodes", 0)
                .add("completed_nodes", 0)
                .add("failed_nodes", 0)
                .add("total_groups", 0)
                .add("completed_groups", 0)
                .add("elapsed_seconds", 0)
                .add("groups", BUILDERS.createArrayBuilder())
                .add(
                        "node_results",
                        BUILDERS.createArrayBuilder()
                                .add(BUILDERS.createObjectBuilder()
                                        .add("node_id", sessionId)
                                        .addNull("group_id")
                                        .add("status", "failed")
                                        .add("error", message)
                                        .add("error_type", "session_not_found")))
                .build();
    }

    /** A small line per session for lists (the dashboard), without groups or results. */
    public static JsonObject summary(SessionSnapshot s, Instant now) {
        SessionProgress progress = s.progress();
        return common(s, progress, progress.elapsed(now)).build();
    }

    /** The fields the full status and the list line share. */
    private static JsonObjectBuilder common(SessionSnapshot s, SessionProgress progress, Duration elapsed) {
        SessionProgress.Counts counts = progress.session();
        return BUILDERS.createObjectBuilder()
                .add("session_id", s.id().value())
                .add("canvas_path", s.canvasPath())
                .add("status", WireNames.pluginStatus(progress.state()))
                .add("state", WireNames.state(progress.state()))
                .add("created_at", Timestamps.json(s.createdAt()))
                .add("started_at", Timestamps.json(progress.startedAt()))
                .add("completed_at", Timestamps.json(progress.state().isTerminal() ? progress.finishedAt() : null))
                .add("progress", decimal(counts.percent(), 1))
                .add("total_nodes", counts.total())
                .add("completed_nodes", counts.succeeded())
                .add("failed_nodes", counts.failed())
                .add("running_nodes", counts.running())
                .add("total_groups", s.groups().size())
                .add("elapsed_seconds", decimal(elapsed.toMillis() / 1000.0, 3))
                .add("last_seq", progress.lastSeq());
    }

    /**
     * Why the session's progress cannot be saved: {@code {message, since, held_writes, next_check_at}} — the journal
     * refuses events, finished work is held, nothing new starts, and the batch goes on by itself once it can.
     */
    public static JsonObject storageProblem(StorageProblem problem) {
        return BUILDERS.createObjectBuilder()
                .add("message", problem.message())
                .add("since", Timestamps.json(problem.since()))
                .add("held_writes", problem.heldWrites())
                .add("next_check_at", Timestamps.json(problem.nextCheckAt()))
                .build();
    }

    /**
     * (plugin) The status of a session its own window cancelled, for that window's poll: {@code status}
     * {@code "cancelled"}, which the plugin does not take as the end. The window ended on its cancel's answer
     * ("处理已取消", the modal closed, polling stopped); a poll it sent before the click and answered after the
     * cancellation would otherwise show "✅ 处理完成: …" and a summary after it.
     */
    public static JsonObject forPluginWindowThatCancelled(JsonObject status) {
        return BUILDERS.createObjectBuilder(status).add("status", "cancelled").build();
    }

    /**
     * (plugin) The status of a cancelled session as the plugin's poll must read it: the plugin knows no "cancelled",
     * so each node the cancellation left unprocessed is listed as failed, in its group's {@code results} (the notice
     * counts them: "✅ 处理完成: 1个成功, 3个失败") and in {@code node_results} (the summary shows ⚠️ and offers to
     * retry them), instead of a green "处理完成" over nodes that never ran.
     */
    public static JsonObject forPluginCancelled(JsonObject status, SessionSnapshot s) {
        List<JsonObject> unprocessed = unprocessedResults(s);
        if (unprocessed.isEmpty()) {
            return status;
        }
        JsonArrayBuilder groups = BUILDERS.createArrayBuilder();
        for (JsonValue value : status.getJsonArray("groups")) {
            JsonObject group = value.asJsonObject();
            JsonArrayBuilder results = BUILDERS.createArrayBuilder(group.getJsonArray("results"));
            unprocessed.stream()
                    .filter(entry -> entry.getInt("group_id") == group.getInt("group_id"))
                    .forEach(entry -> results.add(BUILDERS.createObjectBuilder()
                            .add("node_id", entry.get("node_id"))
                            .add("status", "failed")
                            .add("file_path", JsonValue.NULL)
                            .add("file_size", 0)
                            .add("error", entry.get("error"))));
            groups.add(BUILDERS.createObjectBuilder(group).add("results", results));
        }
        JsonArrayBuilder nodeResults = BUILDERS.createArrayBuilder(status.getJsonArray("node_results"));
        unprocessed.forEach(nodeResults::add);
        return BUILDERS.createObjectBuilder(status)
                .add("groups", groups)
                .add("node_results", nodeResults)
                .build();
    }

    /** What the plugin reads about a node a cancellation left unprocessed: a failure it may retry. */
    public static final String NOT_PROCESSED = "Not processed: the batch was cancelled before this node was done";

    /** The nodes a cancellation left unprocessed, in canvas order, as {@code node_results} entries that say so. */
    public static List<JsonObject> unprocessedResults(SessionSnapshot s) {
        return s.tasks().stream()
                .filter(task -> task.state() == org.canvasbatch.domain.session.NodeState.CANCELLED)
                .sorted(java.util.Comparator.comparingInt(org.canvasbatch.domain.session.NodeTask::canvasOrder))
                .map(task -> BUILDERS.createObjectBuilder()
                        .add("node_id", task.nodeId())
                        .add("group_id", task.groupId())
                        .add("status", "failed")
                        .add("agent", task.agent().wireName())
                        .add("agent_type", task.agent().wireName())
                        .add("node_text", string(task.text()))
                        .add("file_path", JsonValue.NULL)
                        .add("file_size", 0)
                        .add("error", NOT_PROCESSED)
                        .add("error_type", "cancelled")
                        .add("processing_time_seconds", 0)
                        .add("attempts", task.attempts())
                        .add("link_problem", JsonValue.NULL)
                        .build())
                .toList();
    }

    /**
     * One entry per processed (succeeded or failed) node across all groups, in canvas order: what the plugin's result
     * summary counts and offers to retry. The same list ends the WebSocket stream in {@code session_completed}.
     */
    public static JsonArray nodeResults(SessionProgress progress) {
        JsonArrayBuilder results = BUILDERS.createArrayBuilder();
        progress.results()
                .forEach(node -> results.add(BUILDERS.createObjectBuilder()
                        .add("node_id", node.nodeId())
                        .add("group_id", node.groupId())
                        .add("status", outcome(node))
                        .add("agent", agent(node))
                        .add("agent_type", agent(node))
                        .add("node_text", string(node.text()))
                        .add("file_path", string(node.notePath()))
                        .add("file_size", node.fileSize())
                        .add("error", string(node.errorMessage()))
                        .add("error_type", string(node.errorType()))
                        .add("processing_time_seconds", decimal(node.durationMillis() / 1000.0, 3))
                        .add("attempts", node.attempts())
                        .add("link_problem", string(node.linkProblem()))));
        return results.build();
    }

    private static JsonObjectBuilder group(Group group, SessionProgress progress) {
        JsonArrayBuilder results = BUILDERS.createArrayBuilder();
        JsonArrayBuilder errors = BUILDERS.createArrayBuilder();
        for (NodeResult node : progress.resultsOf(group.id())) {
            results.add(BUILDERS.createObjectBuilder()
                    .add("node_id", node.nodeId())
                    .add("status", outcome(node))
                    .add("file_path", string(node.notePath()))
                    .add("file_size", node.fileSize())
                    .add("error", string(node.errorMessage())));
            if (!node.succeeded()) {
                errors.add(BUILDERS.createObjectBuilder()
                        .add("node_id", node.nodeId())
                        .add("error_message", string(node.errorMessage()))
                        .add("error_type", string(node.errorType())));
            }
        }
        SessionProgress.Counts counts = progress.group(group.id());
        return BUILDERS.createObjectBuilder()
                .add("group_id", group.id())
                .add("group_name", group.name())
                .add("group_emoji", WireNames.emoji(group.category()))
                .add("category", WireNames.category(group.category()))
                .add("status", WireNames.groupStatus(progress.groupStatus(group.id())))
                .add("progress", decimal(counts.percent(), 1))
                .add("nodes_completed", counts.processed())
                .add("nodes_total", counts.total())
                .add("completed_nodes", counts.succeeded())
                .add("failed_nodes", counts.failed())
                .add("running_nodes", counts.running())
                .add("total_nodes", counts.total())
                .add("agent_type", group.recommendedAgent().wireName())
                .add("priority", group.priority().wireName())
                .add("results", results)
                .add("errors", errors);
    }

    /**
     * Measured, never estimated: efficiency is the agents' busy time over the time the peak number of slots was
     * available, so 1.0 means the batch kept every slot it ever used busy for its whole duration.
     */
    private static JsonObjectBuilder performance(SessionProgress progress, Duration elapsed) {
        int processed = progress.session().processed();
        double elapsedSeconds = elapsed.toMillis() / 1000.0;
        double busySeconds = progress.processingMillis() / 1000.0;
        double average = processed == 0 ? 0 : busySeconds / processed;
        int peak = progress.peakRunning();
        double efficiency = elapsedSeconds <= 0 || peak == 0 ? 0 : Math.min(1.0, busySeconds / (elapsedSeconds * peak));
        return BUILDERS.createObjectBuilder()
                .add("total_duration_seconds", decimal(elapsedSeconds, 3))
                .add("total_processing_seconds", decimal(busySeconds, 3))
                .add("average_duration_per_node", decimal(average, 3))
                .add("parallel_efficiency", decimal(efficiency, 3))
                .add("peak_concurrent", peak);
    }

    private static String outcome(NodeResult node) {
        return node.succeeded() ? "success" : "failed";
    }

    private static String agent(NodeResult node) {
        return node.agent() == null ? "" : node.agent().wireName();
    }
}
