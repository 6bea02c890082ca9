package org.canvasbatch.domain.session;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An immutable picture of a session at {@link #lastSeq()}: what it is (canvas, groups, node tasks, settings) and where
 * it stands ({@link SessionProgress}). Status answers and WebSocket snapshots are made of it. Timestamps that have not
 * happened yet are null.
 */
public record SessionSnapshot(
        SessionId id,
        String canvasPath,
        SessionSettings settings,
        Instant createdAt,
        List<Group> groups,
        List<NodeTask> tasks,
        double silhouette,
        int recommendedK,
        SessionProgress progress) {

    /** The progress as of this picture, as a copy of its own: folding later events into it changes nothing here. */
    @Override
    public SessionProgress progress() {
        return progress.copy();
    }

    public SessionState state() {
        return progress.state();
    }

    public long lastSeq() {
        return progress.lastSeq();
    }

    public Instant startedAt() {
        return progress.startedAt();
    }

    public Instant finishedAt() {
        return progress.finishedAt();
    }

    /** What ended the whole batch (its timeout), if something did. */
    public String batchError() {
        return progress.batchError();
    }

    /** The counts of the whole session. */
    public SessionProgress.Counts counts() {
        return progress.session();
    }

    public int totalNodes() {
        return tasks.size();
    }

    public int succeeded() {
        return counts().succeeded();
    }

    public int failed() {
        return counts().failed();
    }

    public int cancelled() {
        return counts().cancelled();
    }

    public int running() {
        return progress.running();
    }

    /** Succeeded + failed. */
    public int processed() {
        return counts().processed();
    }

    /** Wall time since start: up to now while running, frozen once finished, zero before start. */
    public Duration elapsed(Instant now) {
        return progress.elapsed(now);
    }

    public List<NodeTask> tasksOf(int groupId) {
        return tasks.stream().filter(t -> t.groupId() == groupId).toList();
    }

    public Optional<NodeTask> task(String nodeId) {
        return tasks.stream().filter(t -> t.nodeId().equals(nodeId)).findFirst();
    }
}
