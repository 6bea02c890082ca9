package org.canvasbatch.domain.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.canvasbatch.domain.session.SessionEvent.BatchFailed;
import org.canvasbatch.domain.session.SessionEvent.EventsLost;
import org.canvasbatch.domain.session.SessionEvent.GroupPriorityChanged;
import org.canvasbatch.domain.session.SessionEvent.SessionCancelled;
import org.canvasbatch.domain.session.SessionEvent.SessionCreated;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.SessionPaused;
import org.canvasbatch.domain.session.SessionEvent.SessionResumed;
import org.canvasbatch.domain.session.SessionEvent.SessionStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskRequeued;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;

/**
 * Where a session stands, folded from its events: the state, the counts of the session and of each group, the outcome
 * of every processed node, and the measured times. It is the one progress read model: the {@link Session} keeps its
 * counts in one, a {@link SessionSnapshot} carries a copy, and the status answer, the WebSocket messages, the terminal's
 * progress display and the metrics read theirs from it, so that every channel tells the same story.
 *
 * <p>Cheap to copy on purpose: what never changes (the nodes, their groups and texts) is shared by every copy, a node's
 * state is one byte, and the outcomes are kept in blocks that copies share until one of them changes a block. A replay
 * therefore keeps a copy every few hundred events and starts from the nearest one, not from the session's first event.
 *
 * <p>Not thread-safe: one thread folds a copy at a time.
 */
public final class SessionProgress {

    private static final NodeState[] STATES = NodeState.values();
    private static final int KINDS = STATES.length;

    /** Counts of a group or of the whole session. */
    public record Counts(int total, int queued, int running, int succeeded, int failed, int cancelled) {

        /** Succeeded + failed: what the plugin counts as processed. */
        public int processed() {
            return succeeded + failed;
        }

        /** 0–100, processed / total. */
        public double percent() {
            return total == 0 ? 0 : 100.0 * processed() / total;
        }

        /** 0–100, succeeded / total, floored (what older callers call progress_percent). */
        public int succeededPercent() {
            return total == 0 ? 0 : (int) Math.floor(100.0 * succeeded / total);
        }
    }

    /** How far a group is, as the plugin understands it. */
    public enum GroupStatus {
        /** No node of it has started. */
        PENDING,
        RUNNING,
        /** Every node processed (or the batch over), at least one succeeded. */
        COMPLETED,
        /** Every node processed (or the batch over), none succeeded. */
        FAILED
    }

    /**
     * How a processed node's latest attempt ended.
     *
     * @param attempts    the attempts it had taken by then
     * @param linkProblem null, or why its note is not linked into the canvas
     */
    public record NodeResult(
            String nodeId,
            int groupId,
            String text,
            boolean succeeded,
            org.canvasbatch.domain.agent.AgentId agent,
            String notePath,
            long fileSize,
            String errorMessage,
            String errorType,
            long durationMillis,
            int attempts,
            String linkProblem) {}

    /** The session's nodes and groups as they were planned: shared by every copy, never changed. */
    private record Catalog(
            Map<String, Integer> nodeIndex,
            String[] nodeIds,
            int[] groupOf,
            String[] texts,
            Map<Integer, Integer> groupIndex,
            int[] groupSizes) {

        static Catalog of(SessionCreated created) {
            Map<Integer, Integer> groupIndex = new HashMap<>();
            for (Group group : created.groups()) {
                groupIndex.putIfAbsent(group.id(), groupIndex.size());
            }
            List<PlannedTask> tasks = created.tasks();
            Map<String, Integer> nodeIndex = new HashMap<>(tasks.size() * 2);
            String[] ids = new String[tasks.size()];
            int[] groupOf = new int[tasks.size()];
            String[] texts = new String[tasks.size()];
            for (int i = 0; i < tasks.size(); i++) {
                PlannedTask task = tasks.get(i);
                nodeIndex.put(task.nodeId(), i);
                ids[i] = task.nodeId();
                groupOf[i] = groupIndex.computeIfAbsent(task.groupId(), k -> groupIndex.size());
                texts[i] = task.text() == null ? "" : task.text();
            }
            int[] sizes = new int[groupIndex.size()];
            for (int group : groupOf) {
                sizes[group]++;
            }
            return new Catalog(nodeIndex, ids, groupOf, texts, groupIndex, sizes);
        }
    }

    private final Catalog catalog;
    /** The ordinal of each node's {@link NodeState}, by its place in the catalog. */
    private final byte[] states;
    /** Nodes of each group by state: {@code counts[group * KINDS + state.ordinal()]}. */
    private final int[] counts;

    private final int[] totals;
    private final Results results;
    private SessionState state;
    private long lastSeq;
    private Instant startedAt;
    private Instant finishedAt;
    private Instant lastEventAt;
    /** Run time between the batch's events, without its pauses and the downtime before a restart's requeue. */
    private long ranMillis;

    private int peakRunning;
    private long processingMillis;
    private int retries;
    private String batchError;
    /** Every reason a succeeded node's note was not linked into its canvas, in the order they came; never changed. */
    private java.util.Set<String> linkProblems = java.util.Set.of();
    /** Whether the event applied last was a success whose note is not linked for a reason no success had before. */
    private boolean newLinkProblem;

    private SessionProgress(Catalog catalog, byte[] states, int[] counts, int[] totals, Results results) {
        this.catalog = catalog;
        this.states = states;
        this.counts = counts;
        this.totals = totals;
        this.results = results;
    }

    /** The progress of a session just created: every node queued, at the creation's seq. */
    public static SessionProgress of(SessionCreated created) {
        Catalog catalog = Catalog.of(created);
        int nodes = catalog.nodeIds().length;
        SessionProgress progress = new SessionProgress(
                catalog,
                new byte[nodes],
                new int[catalog.groupSizes().length * KINDS],
                new int[KINDS],
                new Results(nodes));
        for (int node = 0; node < nodes; node++) {
            progress.count(node, NodeState.QUEUED, 1);
        }
        progress.state = SessionState.PENDING;
        progress.lastSeq = created.seq();
        return progress;
    }

    /** An independent progress at the same point; it shares only what neither changes. */
    public SessionProgress copy() {
        SessionProgress copy =
                new SessionProgress(catalog, states.clone(), counts.clone(), totals.clone(), results.share());
        copy.state = state;
        copy.lastSeq = lastSeq;
        copy.startedAt = startedAt;
        copy.finishedAt = finishedAt;
        copy.lastEventAt = lastEventAt;
        copy.ranMillis = ranMillis;
        copy.peakRunning = peakRunning;
        copy.processingMillis = processingMillis;
        copy.retries = retries;
        copy.batchError = batchError;
        copy.linkProblems = linkProblems;
        copy.newLinkProblem = newLinkProblem;
        return copy;
    }

    /** Applies the session's next event; an event it has already seen changes nothing. */
    public void apply(SessionEvent event) {
        newLinkProblem = false;
        if (event.seq() <= lastSeq) {
            return;
        }
        if (event instanceof TaskSucceeded success
                && success.linkProblem() != null
                && !linkProblems.contains(success.linkProblem())) {
            java.util.Set<String> more = new java.util.LinkedHashSet<>(linkProblems);
            more.add(success.linkProblem());
            linkProblems = java.util.Collections.unmodifiableSet(more);
            newLinkProblem = true;
        }
        if (startedAt != null && lastEventAt != null && state == SessionState.RUNNING && !endsADowntime(event)) {
            ranMillis += Math.max(0, Duration.between(lastEventAt, event.at()).toMillis());
        }
        switch (event) {
            case SessionCreated e -> {}
            case SessionStarted e -> {
                state = SessionState.RUNNING;
                startedAt = e.at();
            }
            case TaskStarted e -> {
                move(e.nodeId(), NodeState.RUNNING);
                // the peak is of agent calls; a node writing its note after its agent answered holds no slot
                int calls = e.callsInFlight() > 0 ? e.callsInFlight() : totals[NodeState.RUNNING.ordinal()];
                peakRunning = Math.max(peakRunning, calls);
            }
            case TaskSucceeded e -> {
                processingMillis += e.durationMillis();
                int node = move(e.nodeId(), NodeState.SUCCEEDED);
                if (node >= 0) {
                    results.set(
                            node,
                            new NodeResult(
                                    e.nodeId(),
                                    e.groupId(),
                                    catalog.texts()[node],
                                    true,
                                    e.agent(),
                                    e.notePath(),
                                    e.fileSize(),
                                    null,
                                    null,
                                    e.durationMillis(),
                                    e.attempt(),
                                    e.linkProblem()));
                }
            }
            case TaskRetryScheduled e -> {
                retries++;
                move(e.nodeId(), NodeState.QUEUED);
            }
            case TaskFailed e -> {
                processingMillis += e.durationMillis();
                int node = move(e.nodeId(), NodeState.FAILED);
                if (node >= 0) {
                    results.set(
                            node,
                            new NodeResult(
                                    e.nodeId(),
                                    e.groupId(),
                                    catalog.texts()[node],
                                    false,
                                    e.agent(),
                                    null,
                                    0,
                                    e.errorMessage(),
                                    e.errorType(),
                                    e.durationMillis(),
                                    e.attempt(),
                                    null));
                }
            }
            case TaskRequeued e -> move(e.nodeId(), NodeState.QUEUED);
            case GroupPriorityChanged e -> {}
            case SessionPaused e -> state = SessionState.PAUSED;
            case SessionResumed e -> state = SessionState.RUNNING;
            case SessionCancelled e -> {
                state = SessionState.CANCELLED;
                finishedAt = e.at();
                for (int node = 0; node < states.length; node++) {
                    NodeState current = STATES[states[node]];
                    if (current == NodeState.QUEUED || current == NodeState.RUNNING) {
                        move(node, NodeState.CANCELLED);
                    }
                }
            }
            case BatchFailed e -> batchError = e.message();
            case SessionFinished e -> {
                state = e.state();
                finishedAt = e.at();
            }
            case EventsLost e -> {}
        }
        lastSeq = event.seq();
        lastEventAt = event.at();
    }

    // ---------------------------------------------------------------------------------------------------- queries

    public long lastSeq() {
        return lastSeq;
    }

    public SessionState state() {
        return state;
    }

    /** When the batch started, else null. */
    public Instant startedAt() {
        return startedAt;
    }

    /** When the batch ended (finished or cancelled), else null. */
    public Instant finishedAt() {
        return finishedAt;
    }

    /**
     * How long the batch ran by its own events: the time between them while it was running, up to the last it recorded
     * (zero before start). Neither the time it stood paused (a {@code run} stopped with Ctrl-C pauses its batch) nor a
     * process's downtime before a restart requeued its interrupted nodes counts: after any number of restarts this is
     * the time it ran, not the time since its start.
     */
    public Duration ranUntilLastEvent() {
        return Duration.ofMillis(ranMillis);
    }

    /**
     * The first event a restarted process records for a node the stop cut off: the time since the event before it is
     * the process's downtime, not run time. (A batch stopped with Ctrl-C is paused first, and paused time is left out
     * anyway.)
     */
    private static boolean endsADowntime(SessionEvent event) {
        return switch (event) {
            case TaskRetryScheduled e -> "interrupted".equals(e.errorType());
            case TaskFailed e -> "interrupted".equals(e.errorType());
            // written by the start that found the damage: the time since the last kept event was not spent running
            case EventsLost e -> true;
            default -> false;
        };
    }

    /** Wall time since start: up to {@code now} while running, frozen once finished, zero before start. */
    public Duration elapsed(Instant now) {
        if (startedAt == null) {
            return Duration.ZERO;
        }
        Instant end = finishedAt != null ? finishedAt : now;
        return end.isBefore(startedAt) ? Duration.ZERO : Duration.between(startedAt, end);
    }

    /** The whole session's counts. */
    public Counts session() {
        return countsOf(totals, 0, states.length);
    }

    /** One group's counts; an unknown group has none. */
    public Counts group(int groupId) {
        Integer index = catalog.groupIndex().get(groupId);
        if (index == null) {
            return new Counts(0, 0, 0, 0, 0, 0);
        }
        return countsOf(counts, index * KINDS, catalog.groupSizes()[index]);
    }

    /** How far a group is: finished once every node is processed or the batch is over. */
    public GroupStatus groupStatus(int groupId) {
        Counts group = group(groupId);
        if (state.isTerminal() || (group.total() > 0 && group.processed() == group.total())) {
            return group.succeeded() > 0 ? GroupStatus.COMPLETED : GroupStatus.FAILED;
        }
        return group.processed() + group.running() > 0 ? GroupStatus.RUNNING : GroupStatus.PENDING;
    }

    /** Agent calls in flight: a session with one is never idle. */
    public int running() {
        return totals[NodeState.RUNNING.ordinal()];
    }

    /** The most agent calls the session ever had in flight at once. */
    public int peakRunning() {
        return peakRunning;
    }

    /** The agents' busy time: the durations of every outcome, retries' included. */
    public long processingMillis() {
        return processingMillis;
    }

    /** Transient failures that were tried again. */
    public int retries() {
        return retries;
    }

    /** What ended the whole batch (its timeout), if something did. */
    public String batchError() {
        return batchError;
    }

    /** A node's text as it was planned; empty for a node the session does not have. */
    public String textOf(String nodeId) {
        Integer node = catalog.nodeIndex().get(nodeId);
        return node == null ? "" : catalog.texts()[node];
    }

    /** The processed (succeeded or failed) nodes in canvas order: what the result summary lists. */
    public List<NodeResult> results() {
        List<NodeResult> processed = new ArrayList<>();
        for (int node = 0; node < states.length; node++) {
            if (STATES[states[node]].isProcessed()) {
                processed.add(results.get(node));
            }
        }
        return processed;
    }

    /** The processed nodes of one group in canvas order. */
    public List<NodeResult> resultsOf(int groupId) {
        Integer index = catalog.groupIndex().get(groupId);
        if (index == null) {
            return List.of();
        }
        List<NodeResult> processed = new ArrayList<>();
        for (int node = 0; node < states.length; node++) {
            if (catalog.groupOf()[node] == index && STATES[states[node]].isProcessed()) {
                processed.add(results.get(node));
            }
        }
        return processed;
    }

    /**
     * Whether the event applied last was a success whose note is not linked into its canvas for a reason no success of
     * this session had before (a rerun of the same node with the same reason is no new reason).
     */
    public boolean lastEventBroughtANewLinkProblem() {
        return newLinkProblem;
    }

    /** Equal when the same nodes stand in the same places with the same outcomes and the same times. */
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof SessionProgress that)) {
            return false;
        }
        if (!(state == that.state
                && lastSeq == that.lastSeq
                && peakRunning == that.peakRunning
                && processingMillis == that.processingMillis
                && retries == that.retries
                && Objects.equals(startedAt, that.startedAt)
                && Objects.equals(finishedAt, that.finishedAt)
                && Objects.equals(batchError, that.batchError)
                && Arrays.equals(catalog.nodeIds(), that.catalog.nodeIds())
                && Arrays.equals(catalog.groupOf(), that.catalog.groupOf())
                && Arrays.equals(states, that.states)
                && Arrays.equals(counts, that.counts))) {
            return false;
        }
        for (int node = 0; node < states.length; node++) {
            if (!Objects.equals(results.get(node), that.results.get(node))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(state, lastSeq, Arrays.hashCode(states));
    }

    @Override
    public String toString() {
        return "SessionProgress[" + state + ", seq " + lastSeq + ", " + session() + "]";
    }

    // ---------------------------------------------------------------------------------------------------- folding

    /** Moves a node to another state; returns its place, or -1 for a node the session does not have. */
    private int move(String nodeId, NodeState to) {
        Integer node = catalog.nodeIndex().get(nodeId);
        if (node == null) {
            return -1;
        }
        move(node, to);
        return node;
    }

    private void move(int node, NodeState to) {
        count(node, STATES[states[node]], -1);
        count(node, to, 1);
    }

    private void count(int node, NodeState nodeState, int delta) {
        if (delta > 0) {
            states[node] = (byte) nodeState.ordinal();
        }
        counts[catalog.groupOf()[node] * KINDS + nodeState.ordinal()] += delta;
        totals[nodeState.ordinal()] += delta;
    }

    private static Counts countsOf(int[] counts, int offset, int total) {
        return new Counts(
                total,
                counts[offset + NodeState.QUEUED.ordinal()],
                counts[offset + NodeState.RUNNING.ordinal()],
                counts[offset + NodeState.SUCCEEDED.ordinal()],
                counts[offset + NodeState.FAILED.ordinal()],
                counts[offset + NodeState.CANCELLED.ordinal()]);
    }

    /**
     * Each node's latest outcome, in blocks of {@link #BLOCK} nodes. A copy shares every block with its original; the
     * first change to a shared block gives the changer a block of its own. A replay's checkpoints thus cost a few
     * hundred bytes each rather than a reference per node.
     */
    private static final class Results {
        private static final int BLOCK = 64;

        private final NodeResult[][] blocks;
        /** Whether a block is this instance's alone (it may change it in place). */
        private final boolean[] own;
        /** Whether any block is: a copy that never changed a block is never written by {@link #share}. */
        private boolean ownsAny;

        Results(int nodes) {
            this(new NodeResult[(nodes + BLOCK - 1) / BLOCK][]);
        }

        private Results(NodeResult[][] blocks) {
            this.blocks = blocks;
            this.own = new boolean[blocks.length];
        }

        NodeResult get(int node) {
            NodeResult[] block = blocks[node / BLOCK];
            return block == null ? null : block[node % BLOCK];
        }

        void set(int node, NodeResult result) {
            int index = node / BLOCK;
            if (!own[index]) {
                blocks[index] = blocks[index] == null ? new NodeResult[BLOCK] : blocks[index].clone();
                own[index] = true;
                ownsAny = true;
            }
            blocks[index][node % BLOCK] = result;
        }

        /** A copy sharing every block; from now on neither side changes a block in place. */
        Results share() {
            if (ownsAny) {
                Arrays.fill(own, false);
                ownsAny = false;
            }
            return new Results(blocks.clone());
        }
    }
}
