package org.canvasbatch.domain.session;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An immutable picture of a session at {@code lastSeq}: what status answers and WebSocket snapshots are made of.
 * Timestamps that have not happened yet are null.
 */
public record SessionSnapshot(
        SessionId id,
        String canvasPath,
        SessionState state,
        SessionSettings settings,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        long lastSeq,
        List<Group> groups,
        List<NodeTask> tasks,
        int succeeded,
        int failed,
        int cancelled,
        int running,
        int peakConcurrent,
        long processingMillis,
        double silhouette,
        int recommendedK,
        String batchError) {

    public int totalNodes() {
        return tasks.size();
    }

    /** Succeeded + failed. */
    public int processed() {
        return succeeded + failed;
    }

    /** 0–100, processed / total. */
    public double progress() {
        return totalNodes() == 0 ? 0 : 100.0 * processed() / totalNodes();
    }

    /** 0–100, succeeded / total, floored (what older callers call progress_percent). */
    public int succeededPercent() {
        return totalNodes() == 0 ? 0 : (int) Math.floor(100.0 * succeeded / totalNodes());
    }

    /** Wall time since start: up to now while running, frozen once finished, zero before start. */
    public Duration elapsed(Instant now) {
        if (startedAt == null) {
            return Duration.ZERO;
        }
        Instant end = finishedAt != null ? finishedAt : now;
        return end.isBefore(startedAt) ? Duration.ZERO : Duration.between(startedAt, end);
    }

    public List<NodeTask> tasksOf(int groupId) {
        return tasks.stream().filter(t -> t.groupId() == groupId).toList();
    }

    public Optional<NodeTask> task(String nodeId) {
        return tasks.stream().filter(t -> t.nodeId().equals(nodeId)).findFirst();
    }

    public List<GroupProgress> groupProgress() {
        return groups.stream().map(this::progressOf).toList();
    }

    public GroupProgress progressOf(Group group) {
        int total = 0;
        int ok = 0;
        int bad = 0;
        int active = 0;
        for (NodeTask task : tasks) {
            if (task.groupId() != group.id()) {
                continue;
            }
            total++;
            switch (task.state()) {
                case SUCCEEDED -> ok++;
                case FAILED -> bad++;
                case RUNNING -> active++;
                default -> {}
            }
        }
        return new GroupProgress(group, total, ok, bad, active, groupStatus(total, ok, bad, active));
    }

    private String groupStatus(int total, int ok, int bad, int active) {
        boolean done = ok + bad == total || state.isTerminal();
        if (done && (ok + bad > 0 || state.isTerminal())) {
            return ok > 0 ? "completed" : "failed";
        }
        return ok + bad + active > 0 ? "running" : "pending";
    }

    /**
     * One group's counts. {@code status} is what the plugin understands: pending, running, completed (every node
     * processed, at least one succeeded) or failed (every node processed, none succeeded).
     */
    public record GroupProgress(Group group, int total, int succeeded, int failed, int running, String status) {
        public int processed() {
            return succeeded + failed;
        }

        public double progress() {
            return total == 0 ? 0 : 100.0 * processed() / total;
        }
    }
}
