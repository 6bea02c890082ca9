package org.canvasbatch.adapters.http.wire;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;
import static org.canvasbatch.adapters.http.wire.JsonValues.decimal;
import static org.canvasbatch.adapters.http.wire.JsonValues.string;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionSnapshot.GroupProgress;

/**
 * The status object of CONTRACT §2.3, the union of what the plugin polls and what older callers read. The same object is
 * the WebSocket {@code snapshot} message, and its {@code node_results} the {@code session_completed} summary, so every
 * channel tells the same story about a session.
 */
public final class StatusJson {

    private StatusJson() {}

    /** The full status of {@code s}; {@code now} only matters for the elapsed time of a session still running. */
    public static JsonObject of(SessionSnapshot s, Instant now) {
        List<GroupProgress> groups = s.groupProgress();
        Duration elapsed = s.elapsed(now);
        long finishedGroups = groups.stream()
                .filter(g -> g.status().equals("completed") || g.status().equals("failed"))
                .count();
        JsonArrayBuilder groupArray = BUILDERS.createArrayBuilder();
        groups.forEach(g -> groupArray.add(group(s, g)));
        return common(s, elapsed)
                .add("progress_percent", s.succeededPercent())
                .add("cancelled_nodes", s.cancelled())
                .add("queued_nodes", count(s, NodeState.QUEUED))
                .add("completed_groups", finishedGroups)
                .add("max_concurrent", s.settings().maxConcurrent())
                .add("silhouette_score", decimal(s.silhouette(), 4))
                .add("recommended_k", s.recommendedK())
                .add("batch_error", string(s.batchError()))
                .add("groups", groupArray)
                .add("node_results", nodeResults(s))
                .add("performance_metrics", performance(s, elapsed))
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
        return common(s, s.elapsed(now)).build();
    }

    /** The fields the full status and the list line share. */
    private static JsonObjectBuilder common(SessionSnapshot s, Duration elapsed) {
        return BUILDERS.createObjectBuilder()
                .add("session_id", s.id().value())
                .add("canvas_path", s.canvasPath())
                .add("status", s.state().pluginStatus())
                .add("state", s.state().wireName())
                .add("created_at", Timestamps.json(s.createdAt()))
                .add("started_at", Timestamps.json(s.startedAt()))
                .add("completed_at", Timestamps.json(s.state().isTerminal() ? s.finishedAt() : null))
                .add("progress", decimal(s.progress(), 1))
                .add("total_nodes", s.totalNodes())
                .add("completed_nodes", s.succeeded())
                .add("failed_nodes", s.failed())
                .add("running_nodes", s.running())
                .add("total_groups", s.groups().size())
                .add("elapsed_seconds", decimal(elapsed.toMillis() / 1000.0, 3))
                .add("last_seq", s.lastSeq());
    }

    /**
     * One entry per processed (succeeded or failed) node across all groups, in canvas order: what the plugin's result
     * summary counts and offers to retry.
     */
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

    public static JsonArray nodeResults(SessionSnapshot s) {
        JsonArrayBuilder results = BUILDERS.createArrayBuilder();
        processedInCanvasOrder(s.tasks())
                .forEach(task -> results.add(BUILDERS.createObjectBuilder()
                        .add("node_id", task.nodeId())
                        .add("group_id", task.groupId())
                        .add("status", outcome(task))
                        .add("agent", task.agent().wireName())
                        .add("agent_type", task.agent().wireName())
                        .add("node_text", string(task.text()))
                        .add("file_path", string(task.notePath()))
                        .add("file_size", task.fileSize())
                        .add("error", string(task.errorMessage()))
                        .add("error_type", string(task.errorType()))
                        .add("processing_time_seconds", decimal(task.durationMillis() / 1000.0, 3))
                        .add("attempts", task.attempts())));
        return results.build();
    }

    private static JsonObjectBuilder group(SessionSnapshot s, GroupProgress g) {
        JsonArrayBuilder results = BUILDERS.createArrayBuilder();
        JsonArrayBuilder errors = BUILDERS.createArrayBuilder();
        for (NodeTask task : processedInCanvasOrder(s.tasksOf(g.group().id()))) {
            results.add(BUILDERS.createObjectBuilder()
                    .add("node_id", task.nodeId())
                    .add("status", outcome(task))
                    .add("file_path", string(task.notePath()))
                    .add("file_size", task.fileSize())
                    .add("error", string(task.errorMessage())));
            if (task.state() == NodeState.FAILED) {
                errors.add(BUILDERS.createObjectBuilder()
                        .add("node_id", task.nodeId())
                        .add("error_message", string(task.errorMessage()))
                        .add("error_type", string(task.errorType())));
            }
        }
        return BUILDERS.createObjectBuilder()
                .add("group_id", g.group().id())
                .add("group_name", g.group().name())
                .add("group_emoji", g.group().emoji())
                .add("category", g.group().category())
                .add("status", g.status())
                .add("progress", decimal(g.progress(), 1))
                .add("nodes_completed", g.processed())
                .add("nodes_total", g.total())
                .add("completed_nodes", g.succeeded())
                .add("failed_nodes", g.failed())
                .add("running_nodes", g.running())
                .add("total_nodes", g.total())
                .add("agent_type", g.group().recommendedAgent().wireName())
                .add("priority", g.group().priority().wireName())
                .add("results", results)
                .add("errors", errors);
    }

    /**
     * Measured, never estimated: efficiency is the agents' busy time over the time the peak number of slots was
     * available, so 1.0 means the batch kept every slot it ever used busy for its whole duration.
     */
    private static JsonObjectBuilder performance(SessionSnapshot s, Duration elapsed) {
        int processed = s.processed();
        double elapsedSeconds = elapsed.toMillis() / 1000.0;
        double busySeconds = s.processingMillis() / 1000.0;
        double average = processed == 0 ? 0 : busySeconds / processed;
        double efficiency = elapsedSeconds <= 0 || s.peakConcurrent() == 0
                ? 0
                : Math.min(1.0, busySeconds / (elapsedSeconds * s.peakConcurrent()));
        return BUILDERS.createObjectBuilder()
                .add("total_duration_seconds", decimal(elapsedSeconds, 3))
                .add("total_processing_seconds", decimal(busySeconds, 3))
                .add("average_duration_per_node", decimal(average, 3))
                .add("parallel_efficiency", decimal(efficiency, 3))
                .add("peak_concurrent", s.peakConcurrent());
    }

    private static List<NodeTask> processedInCanvasOrder(List<NodeTask> tasks) {
        return tasks.stream()
                .filter(t -> t.state().isProcessed())
                .sorted(Comparator.comparingInt(NodeTask::canvasOrder))
                .toList();
    }

    private static String outcome(NodeTask task) {
        return task.state() == NodeState.SUCCEEDED ? "success" : "failed";
    }

    private static long count(SessionSnapshot s, NodeState state) {
        return s.tasks().stream().filter(t -> t.state() == state).count();
    }
}
