package org.canvasbatch.domain.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionConflict.Kind;
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
 * One batch: its groups, its node tasks and its state. Every change goes through a method that checks the transition
 * against the current state, throws {@link SessionConflict} when it is not allowed, and otherwise returns the events it
 * caused, already applied. {@link #fromHistory} folds the same events back into an identical session.
 *
 * <p>Not thread-safe: the application serialises the changes of one session.
 */
public final class Session {

    /** The {@code error_type} of an attempt a process's stop cut off. */
    private static final String INTERRUPTED = "interrupted";

    /** How much of a generated note travels inside a {@link TaskSucceeded} event. */
    public static final int OUTPUT_PREVIEW_CHARS = 2_000;

    private final SessionId id;
    private final Map<Integer, Group> groups = new LinkedHashMap<>();
    private final Map<String, NodeTask> tasks = new LinkedHashMap<>();
    /** Queued tasks in dispatch order: a person's reruns first, then group priority, then canvas order. */
    private final NavigableSet<QueuedTask> queue = new TreeSet<>();

    private String canvasPath;
    private SessionSettings settings;
    private Instant createdAt;
    private double silhouette;
    private int recommendedK;
    /** The state, the counts and the outcomes: the same fold every reader of the session's progress uses. */
    private SessionProgress progress;

    /** @param priorityRank {@link #RERUN_RANK} for a person's rerun, else the group priority's ordinal */
    private record QueuedTask(int priorityRank, int canvasOrder, String nodeId) implements Comparable<QueuedTask> {
        @Override
        public int compareTo(QueuedTask other) {
            int byPriority = Integer.compare(priorityRank, other.priorityRank);
            return byPriority != 0 ? byPriority : Integer.compare(canvasOrder, other.canvasOrder);
        }
    }

    /** Ahead of every group priority: someone is waiting for a node they asked for again. */
    private static final int RERUN_RANK = -1;

    private Session(SessionId id) {
        this.id = id;
    }

    /** The session and its first event. */
    public record Creation(Session session, SessionCreated event) {}

    public static Creation create(
            SessionId id,
            String canvasPath,
            List<Group> groups,
            List<PlannedTask> tasks,
            SessionSettings settings,
            double silhouette,
            int recommendedK,
            Instant now) {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("a session needs at least one node");
        }
        var groupIds = groups.stream().map(Group::id).toList();
        for (PlannedTask task : tasks) {
            if (!groupIds.contains(task.groupId())) {
                throw new IllegalArgumentException("node " + task.nodeId() + " is in unknown group " + task.groupId());
            }
        }
        if (tasks.stream().map(PlannedTask::nodeId).distinct().count() != tasks.size()) {
            throw new IllegalArgumentException("node ids must be unique within a session");
        }
        var created = new SessionCreated(id, 1, now, canvasPath, groups, tasks, settings, silhouette, recommendedK);
        Session session = new Session(id);
        session.apply(created);
        return new Creation(session, created);
    }

    /** Rebuilds a session from its events, which must start with its {@link SessionCreated} and have no gaps. */
    public static Session fromHistory(List<? extends SessionEvent> history) {
        if (history.isEmpty() || !(history.getFirst() instanceof SessionCreated created)) {
            throw new IllegalArgumentException("a session's history starts with SessionCreated");
        }
        Session session = new Session(created.sessionId());
        for (SessionEvent event : history) {
            session.replay(event);
        }
        return session;
    }

    /** Applies one more event of this session's history (used by recovery and by folding). */
    public void replay(SessionEvent event) {
        if (!event.sessionId().equals(id)) {
            throw new IllegalArgumentException("event of session " + event.sessionId() + " replayed into " + id);
        }
        if (event.firstSeq() != lastSeq() + 1) {
            throw new IllegalArgumentException(
                    "session " + id + " expected seq " + (lastSeq() + 1) + " but got " + event.firstSeq());
        }
        apply(event);
    }

    // ---------------------------------------------------------------- commands

    public List<SessionEvent> start(SessionSettings startSettings, Instant now) {
        SessionState state = state();
        switch (state) {
            case PENDING -> {}
            case RUNNING, PAUSED ->
                throw new SessionConflict(Kind.ALREADY_STARTED, "Session '" + id + "' is already running");
            case CANCELLED -> {
                if (startedAt().isEmpty()) {
                    // "already started" would be untrue of a preview replaced by a newer one, never started
                    throw new SessionConflict(
                            Kind.CANCELLED_BEFORE_START,
                            "Session '" + id + "' was cancelled before it started (replaced by a newer batch analysed"
                                    + " for the same client, or cancelled by a person): analyse the canvas again");
                }
                throw new SessionConflict(
                        Kind.ALREADY_STARTED, "Session '" + id + "' has already finished (" + describe(state) + ")");
            }
            default ->
                throw new SessionConflict(
                        Kind.ALREADY_STARTED, "Session '" + id + "' has already finished (" + describe(state) + ")");
        }
        return emit(new SessionStarted(id, next(), now, startSettings == null ? settings : startSettings));
    }

    /** The dispatcher starts a queued node: the batch's while it runs, a person's rerun in any started session. */
    public List<SessionEvent> startTask(String nodeId, Instant now) {
        return startTask(nodeId, now, 0);
    }

    /**
     * Starts a node's next attempt while {@code answered} of this session's running nodes have their agent's answer
     * already and are only writing their notes: they no longer hold a slot, so they do not count as calls in flight.
     */
    public List<SessionEvent> startTask(String nodeId, Instant now, int answered) {
        NodeTask task = task(nodeId);
        SessionState state = state();
        if (state != SessionState.RUNNING && !(task.rerun() && state != SessionState.PENDING)) {
            throw new SessionConflict(Kind.NOT_RUNNING, "Session '" + id + "' is " + describe(state) + ", not running");
        }
        if (!task.isDueAt(now)) {
            throw new SessionConflict(
                    Kind.NODE_BUSY, "Node '" + nodeId + "' is " + describe(task.state()) + ", not ready to start");
        }
        int calls = progress.running() + 1 - Math.clamp(answered, 0, progress.running());
        return emit(new TaskStarted(id, next(), now, nodeId, task.groupId(), task.agent(), task.attempts() + 1, calls));
    }

    /**
     * A person asks for one node to run again, possibly with another agent (the single-agent call, also after the batch
     * ended). The node goes back to the queue ahead of the batch's own nodes with a whole attempt
     * budget, and the dispatcher starts it under the same limits as any node, also while the batch is paused or after
     * it finished: pause holds the batch back, not a node someone is waiting for. Allowed once the session has
     * started, for any node that is not already running or waiting for its next attempt.
     */
    public List<SessionEvent> rerun(String nodeId, AgentId agent, Instant now) {
        NodeTask task = task(nodeId);
        if (state() == SessionState.PENDING) {
            throw new SessionConflict(Kind.NOT_RUNNING, "Session '" + id + "' has not started yet");
        }
        if (isInARun(task)) {
            throw new SessionConflict(
                    Kind.NODE_BUSY,
                    "Node '" + nodeId + "' is " + describe(task.state()) + " already"
                            + (task.state() == NodeState.QUEUED ? ", waiting for its next attempt" : ""));
        }
        return emit(new TaskRequeued(id, next(), now, nodeId, task.groupId(), agent == null ? task.agent() : agent));
    }

    /**
     * Is the node in the middle of a run: running, waiting out a backoff between attempts, or already queued at a
     * person's request? A queued node of the batch that never started is not: a person may bring it forward. Nor is a
     * batch's node waiting for its next attempt while the batch is paused: nothing would start that attempt before a
     * resume, and pause holds the batch back, not a node someone asks for.
     */
    public boolean isInARun(NodeTask task) {
        if (task.state() == NodeState.RUNNING) {
            return true;
        }
        return task.state() == NodeState.QUEUED
                && (task.rerun() || (task.retryAt() != null && state() != SessionState.PAUSED));
    }

    public List<SessionEvent> recordSuccess(
            String nodeId,
            int attempt,
            String notePath,
            long fileSize,
            long durationMillis,
            String output,
            String model,
            Instant now) {
        return recordSuccess(nodeId, attempt, notePath, fileSize, durationMillis, output, model, null, now);
    }

    /** @param linkProblem null, or why the note is not linked into its canvas */
    public List<SessionEvent> recordSuccess(
            String nodeId,
            int attempt,
            String notePath,
            long fileSize,
            long durationMillis,
            String output,
            String model,
            String linkProblem,
            Instant now) {
        NodeTask task = runningAttempt(nodeId, attempt);
        String preview = output == null
                ? ""
                : output.length() > OUTPUT_PREVIEW_CHARS ? output.substring(0, OUTPUT_PREVIEW_CHARS) : output;
        List<SessionEvent> events = new ArrayList<>(emit(new TaskSucceeded(
                id,
                next(),
                now,
                nodeId,
                task.groupId(),
                task.agent(),
                attempt,
                notePath,
                fileSize,
                durationMillis,
                preview,
                model,
                linkProblem)));
        events.addAll(finishIfDone(now));
        return events;
    }

    /**
     * Records a failed attempt. A retryable failure with a {@code retryAt} goes back to the queue while attempts remain
     * and the session is still active; anything else fails the node.
     */
    public List<SessionEvent> recordFailure(
            String nodeId,
            int attempt,
            String message,
            String errorType,
            boolean retryable,
            long durationMillis,
            Optional<Instant> retryAt,
            Instant now) {
        NodeTask task = runningAttempt(nodeId, attempt);
        boolean mayRetry = state().isActive() || task.rerun();
        if (retryable && retryAt.isPresent() && mayRetry && task.attemptsThisRun() < settings.maxAttempts()) {
            return emit(new TaskRetryScheduled(
                    id, next(), now, nodeId, task.groupId(), attempt, message, errorType, retryAt.get()));
        }
        List<SessionEvent> events = new ArrayList<>(emit(new TaskFailed(
                id,
                next(),
                now,
                nodeId,
                task.groupId(),
                task.agent(),
                attempt,
                message,
                errorType,
                retryable,
                durationMillis)));
        events.addAll(finishIfDone(now));
        return events;
    }

    public List<SessionEvent> pause(String reason, Instant now) {
        SessionState state = state();
        if (state != SessionState.RUNNING) {
            throw new SessionConflict(
                    state.isTerminal() ? Kind.ALREADY_FINISHED : Kind.NOT_RUNNING,
                    "Session '" + id + "' is " + describe(state) + "; only a running session can be paused");
        }
        return emit(new SessionPaused(id, next(), now, reason));
    }

    public List<SessionEvent> resume(String reason, Instant now) {
        SessionState state = state();
        if (state != SessionState.PAUSED) {
            throw new SessionConflict(
                    state.isTerminal() ? Kind.ALREADY_FINISHED : Kind.NOT_PAUSED,
                    "Session '" + id + "' is " + describe(state) + "; only a paused session can be resumed");
        }
        return emit(new SessionResumed(id, next(), now, reason));
    }

    public List<SessionEvent> cancel(String reason, Instant now) {
        SessionState state = state();
        if (state.isTerminal()) {
            throw new SessionConflict(
                    Kind.ALREADY_FINISHED, "Session '" + id + "' has already finished (" + describe(state) + ")");
        }
        return emit(new SessionCancelled(id, next(), now, reason));
    }

    public List<SessionEvent> changePriority(int groupId, Priority priority, Instant now) {
        if (!groups.containsKey(groupId)) {
            throw new SessionConflict(Kind.UNKNOWN_GROUP, "Session '" + id + "' has no group " + groupId);
        }
        if (state().isTerminal()) {
            throw new SessionConflict(Kind.ALREADY_FINISHED, "Session '" + id + "' has already finished");
        }
        if (groups.get(groupId).priority() == priority) {
            return List.of();
        }
        return emit(new GroupPriorityChanged(id, next(), now, groupId, priority));
    }

    /**
     * Puts a failed node back in the queue of a session that is still running or paused (the socket's retry): like a
     * {@link #rerun}, it goes ahead of the batch's own nodes with a whole attempt budget, also while paused.
     */
    public List<SessionEvent> requeue(String nodeId, Instant now) {
        NodeTask task = task(nodeId);
        SessionState state = state();
        if (!state.isActive()) {
            throw new SessionConflict(
                    state.isTerminal() ? Kind.ALREADY_FINISHED : Kind.NOT_RUNNING,
                    "Session '" + id + "' is " + describe(state) + "; a node can be requeued only while it runs");
        }
        if (task.state() != NodeState.FAILED) {
            throw new SessionConflict(
                    Kind.NODE_BUSY,
                    "Node '" + nodeId + "' is " + describe(task.state()) + "; only a failed node can be retried");
        }
        return emit(new TaskRequeued(id, next(), now, nodeId, task.groupId(), task.agent()));
    }

    /**
     * After a restart, nodes that were running when the process stopped go back to the queue at once, while their
     * run has attempts left — a person's rerun that was running in a finished session too (left running, it would hold
     * the session for ever). The interrupted attempt counts: it started (its request may have reached the model, and
     * nothing durable says otherwise after a crash), and a node whose processing brings the server down must not be run
     * without end. A node interrupted on the last attempt of its run fails with {@code interrupted} (retryable: a
     * person's retry runs it again), and the session finishes if nothing else is left to do.
     *
     * <p>Except a batch node of a paused batch (a {@code run} stopped with Ctrl-C pauses its batch before it interrupts
     * the calls): its attempt does not count ({@link #apply}), as nothing runs it before a person resumes the batch, so
     * a node that brings the process down is not run without end all the same, while a learner who stops a run three
     * times before the slow first answers come does not see those nodes failed.
     */
    public List<SessionEvent> requeueInterrupted(Instant now) {
        if (progress.running() == 0) {
            return List.of();
        }
        List<SessionEvent> events = new ArrayList<>();
        for (NodeTask task : List.copyOf(tasks.values())) {
            if (task.state() != NodeState.RUNNING) {
                continue;
            }
            boolean stoppedWhilePaused = isStoppedWhilePaused(task);
            if (stoppedWhilePaused || task.attemptsThisRun() < settings.maxAttempts()) {
                events.addAll(emit(new TaskRetryScheduled(
                        id,
                        next(),
                        now,
                        task.nodeId(),
                        task.groupId(),
                        task.attempts(),
                        stoppedWhilePaused
                                ? "Interrupted while the batch was paused; it runs again when the batch is resumed"
                                : "Interrupted by a server restart",
                        INTERRUPTED,
                        now)));
            } else {
                long millis = task.startedAt() == null
                        ? 0
                        : Math.max(0, Duration.between(task.startedAt(), now).toMillis());
                events.addAll(emit(new TaskFailed(
                        id,
                        next(),
                        now,
                        task.nodeId(),
                        task.groupId(),
                        task.agent(),
                        task.attempts(),
                        "Interrupted by a server restart during its last attempt (" + task.attemptsThisRun()
                                + " of " + settings.maxAttempts() + "); it is not run again by itself, retry it to run"
                                + " it once more",
                        INTERRUPTED,
                        true,
                        millis)));
            }
        }
        if (!events.isEmpty()) {
            events.addAll(finishIfDone(now));
        }
        return events;
    }

    /** The batch ran past its timeout: every unfinished node fails with {@code timeout} and the session fails. */
    public List<SessionEvent> timeOut(Instant now) {
        SessionState state = state();
        if (!state.isActive()) {
            throw new SessionConflict(
                    state.isTerminal() ? Kind.ALREADY_FINISHED : Kind.NOT_RUNNING,
                    "Session '" + id + "' is " + describe(state) + "; only a running batch can time out");
        }
        List<NodeTask> unfinished = tasks.values().stream()
                .filter(t -> t.state() == NodeState.QUEUED || t.state() == NodeState.RUNNING)
                .toList();
        String message = "The batch exceeded its timeout of "
                + settings.batchTimeout().toSeconds() + " s; " + unfinished.size() + " unfinished node(s) were stopped";
        List<SessionEvent> events = new ArrayList<>(emit(new BatchFailed(id, next(), now, message, "timeout")));
        for (NodeTask task : unfinished) {
            long millis = task.state() == NodeState.RUNNING && task.startedAt() != null
                    ? Duration.between(task.startedAt(), now).toMillis()
                    : 0;
            events.addAll(emit(new TaskFailed(
                    id,
                    next(),
                    now,
                    task.nodeId(),
                    task.groupId(),
                    task.agent(),
                    task.attempts(),
                    "Stopped: the batch exceeded its timeout",
                    "timeout",
                    false,
                    millis)));
        }
        events.addAll(emit(new SessionFinished(id, next(), now, SessionState.FAILED)));
        return events;
    }

    // ---------------------------------------------------------------- queries

    public SessionId id() {
        return id;
    }

    public SessionState state() {
        return progress.state();
    }

    public String canvasPath() {
        return canvasPath;
    }

    public SessionSettings settings() {
        return settings;
    }

    public long lastSeq() {
        return progress == null ? 0 : progress.lastSeq();
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Optional<Instant> startedAt() {
        return Optional.ofNullable(progress.startedAt());
    }

    public Optional<Instant> finishedAt() {
        return Optional.ofNullable(progress.finishedAt());
    }

    /** How long the batch ran, from its start to the last event it recorded. */
    public Duration ranUntilLastEvent() {
        return progress.ranUntilLastEvent();
    }

    public int runningCount() {
        return progress.running();
    }

    public boolean hasNode(String nodeId) {
        return tasks.containsKey(nodeId);
    }

    public NodeTask task(String nodeId) {
        NodeTask task = tasks.get(nodeId);
        if (task == null) {
            throw new SessionConflict(Kind.UNKNOWN_NODE, "Session '" + id + "' has no node '" + nodeId + "'");
        }
        return task;
    }

    public Group group(int groupId) {
        Group group = groups.get(groupId);
        if (group == null) {
            throw new SessionConflict(Kind.UNKNOWN_GROUP, "Session '" + id + "' has no group " + groupId);
        }
        return group;
    }

    public Collection<Group> groups() {
        return List.copyOf(groups.values());
    }

    /** Node tasks in canvas order. */
    public List<NodeTask> tasks() {
        return List.copyOf(tasks.values());
    }

    /** Up to {@code limit} node tasks of one group in canvas order, without copying the whole session. */
    public List<NodeTask> groupTasks(int groupId, int limit) {
        List<String> ids = group(groupId).nodeIds();
        List<NodeTask> result = new ArrayList<>(Math.min(limit, ids.size()));
        for (int i = 0; i < ids.size() && result.size() < limit; i++) {
            result.add(tasks.get(ids.get(i)));
        }
        return result;
    }

    /**
     * Up to {@code max} queued nodes that may start now, in dispatch order: a person's reruns first, then higher group
     * priority, then canvas order; only the reruns while the batch is paused or finished. Nodes waiting out a retry
     * backoff are skipped until their time.
     */
    public List<String> dispatchable(int max, Instant now) {
        if (!mayDispatch() || max <= 0) {
            return List.of();
        }
        boolean batchGoesOn = state() == SessionState.RUNNING;
        List<String> due = new ArrayList<>(Math.min(max, queue.size()));
        for (QueuedTask queued : queue) {
            if (due.size() == max || (!batchGoesOn && queued.priorityRank() != RERUN_RANK)) {
                break;
            }
            if (tasks.get(queued.nodeId()).isDueAt(now)) {
                due.add(queued.nodeId());
            }
        }
        return due;
    }

    /** How many more agent calls this session may start under its own limit. */
    public int freeCapacity() {
        return freeCapacity(0);
    }

    /**
     * How many more agent calls this session may start under its own limit while {@code answered} of its running
     * nodes have their agent's answer and are only writing their notes (the limit is on agent calls).
     */
    public int freeCapacity(int answered) {
        return mayDispatch() ? Math.max(0, settings.maxConcurrent() - callsInFlight(answered)) : 0;
    }

    /** The session's agent calls in flight: its running nodes less those whose agent has answered. */
    public int callsInFlight(int answered) {
        return progress.running() - Math.clamp(answered, 0, progress.running());
    }

    /**
     * The agent calls this session would have under way now if no other session held a slot: its calls in flight and
     * the queued nodes that may start (waiting out a backoff or not), up to its own limit. A server that has just
     * started a batch, or whose batch waits out a rate limit, has no calls in flight yet is not idle: this is what a
     * cluster weighs when it places the next batch.
     */
    public int callsWanted(int answered) {
        int inFlight = callsInFlight(answered);
        if (!mayDispatch()) {
            return inFlight;
        }
        int waiting = state() == SessionState.RUNNING
                ? queue.size()
                : (int) queue.stream()
                        .takeWhile(queued -> queued.priorityRank() == RERUN_RANK)
                        .count();
        return Math.max(inFlight, Math.min(settings.maxConcurrent(), inFlight + waiting));
    }

    /** Does the dispatcher need to look at this session: a running batch, or a person's rerun waiting in any other? */
    public boolean mayDispatch() {
        return state() == SessionState.RUNNING
                || (!queue.isEmpty() && queue.first().priorityRank() == RERUN_RANK);
    }

    /** Is any node running or queued (a batch's, or a person's rerun after the end)? */
    public boolean hasWorkLeft() {
        return progress.running() > 0 || !queue.isEmpty();
    }

    /** The earliest time a node waiting out a backoff becomes due, if any. */
    public Optional<Instant> nextRetryAt() {
        return queue.stream()
                .map(q -> tasks.get(q.nodeId()).retryAt())
                .filter(t -> t != null)
                .min(Comparator.naturalOrder());
    }

    public SessionSnapshot snapshot() {
        return new SessionSnapshot(
                id,
                canvasPath,
                settings,
                createdAt,
                List.copyOf(groups.values()),
                List.copyOf(tasks.values()),
                silhouette,
                recommendedK,
                progress.copy());
    }

    // ---------------------------------------------------------------- event application

    private long next() {
        return lastSeq() + 1;
    }

    private List<SessionEvent> emit(SessionEvent event) {
        apply(event);
        return List.of(event);
    }

    private List<SessionEvent> finishIfDone(Instant now) {
        SessionState outcome = finalState();
        SessionState state = state();
        if (state.isActive()) {
            return hasWorkLeft() ? List.of() : emit(new SessionFinished(id, next(), now, outcome));
        }
        // a person's rerun after the end may change the outcome, announced once every rerun is back; a cancelled
        // batch stays cancelled
        if (state.isTerminal() && state != SessionState.CANCELLED && outcome != state && !hasWorkLeft()) {
            return emit(new SessionFinished(id, next(), now, outcome));
        }
        return List.of();
    }

    private SessionState finalState() {
        SessionProgress.Counts counts = progress.session();
        if (counts.failed() == 0) {
            return SessionState.COMPLETED;
        }
        return counts.succeeded() == 0 ? SessionState.FAILED : SessionState.PARTIAL_FAILURE;
    }

    private NodeTask runningAttempt(String nodeId, int attempt) {
        NodeTask task = task(nodeId);
        if (task.state() != NodeState.RUNNING || task.attempts() != attempt) {
            throw new SessionConflict(
                    Kind.STALE_RESULT,
                    "Result for node '" + nodeId + "' attempt " + attempt + " arrived while the node is "
                            + describe(task.state()) + " (attempt " + task.attempts() + ")");
        }
        return task;
    }

    /**
     * The aggregate's own part of an event: its tasks, queue and groups. The state and the counts are the progress's,
     * folded first.
     */
    private void apply(SessionEvent event) {
        if (event instanceof SessionCreated created) {
            progress = SessionProgress.of(created);
        } else {
            progress.apply(event);
        }
        switch (event) {
            case SessionCreated e -> {
                canvasPath = e.canvasPath();
                settings = e.settings();
                createdAt = e.at();
                silhouette = e.silhouette();
                recommendedK = e.recommendedK();
                e.groups().forEach(g -> groups.put(g.id(), g));
                int order = 0;
                for (PlannedTask planned : e.tasks()) {
                    NodeTask task = NodeTask.planned(planned, order++);
                    tasks.put(task.nodeId(), task);
                    enqueue(task);
                }
            }
            case SessionStarted e -> settings = e.settings();
            case TaskStarted e -> {
                NodeTask before = tasks.get(e.nodeId());
                dequeue(before);
                tasks.put(e.nodeId(), before.started(e.agent(), e.attempt(), e.at()));
            }
            case TaskSucceeded e ->
                tasks.compute(
                        e.nodeId(), (k, t) -> t.succeeded(e.notePath(), e.fileSize(), e.durationMillis(), e.model()));
            case TaskRetryScheduled e -> {
                NodeTask before = tasks.get(e.nodeId());
                NodeTask waiting = before.waitingForRetry(e.errorMessage(), e.errorType(), e.retryAt());
                if (INTERRUPTED.equals(e.errorType()) && isStoppedWhilePaused(before)) {
                    waiting = waiting.withoutItsLastAttemptCounted();
                }
                tasks.put(e.nodeId(), waiting);
                enqueue(waiting);
            }
            case TaskFailed e -> {
                NodeTask before = tasks.get(e.nodeId());
                if (before.state() != NodeState.RUNNING) {
                    dequeue(before);
                }
                tasks.put(
                        e.nodeId(), before.failed(e.errorMessage(), e.errorType(), e.retryable(), e.durationMillis()));
            }
            case TaskRequeued e -> {
                NodeTask before = tasks.get(e.nodeId());
                if (before.state() == NodeState.QUEUED) {
                    dequeue(before);
                }
                NodeTask queued = before.requeued(e.agent());
                tasks.put(e.nodeId(), queued);
                enqueue(queued);
            }
            case GroupPriorityChanged e -> {
                List<NodeTask> queuedOfGroup = tasks.values().stream()
                        .filter(t -> t.groupId() == e.groupId() && t.state() == NodeState.QUEUED)
                        .toList();
                queuedOfGroup.forEach(this::dequeue);
                groups.put(e.groupId(), groups.get(e.groupId()).withPriority(e.priority()));
                queuedOfGroup.forEach(this::enqueue);
            }
            case SessionCancelled e -> {
                for (NodeTask task : List.copyOf(tasks.values())) {
                    if (task.state() == NodeState.QUEUED || task.state() == NodeState.RUNNING) {
                        tasks.put(task.nodeId(), task.cancelled());
                    }
                }
                queue.clear();
            }
            case SessionPaused e -> {}
            case SessionResumed e -> {}
            case BatchFailed e -> {}
            case SessionFinished e -> {}
            case EventsLost e -> {}
        }
    }

    /**
     * A batch node running when its paused batch's process stopped: nothing runs it again before a person resumes the
     * batch. A person's rerun may run while the batch is paused, so its interrupted attempts count as a crash's.
     */
    private boolean isStoppedWhilePaused(NodeTask task) {
        return state() == SessionState.PAUSED && !task.rerun();
    }

    private void enqueue(NodeTask task) {
        queue.add(queued(task));
    }

    private void dequeue(NodeTask task) {
        queue.remove(queued(task));
    }

    private QueuedTask queued(NodeTask task) {
        int rank = task.rerun()
                ? RERUN_RANK
                : groups.get(task.groupId()).priority().ordinal();
        return new QueuedTask(rank, task.canvasOrder(), task.nodeId());
    }

    /** A state as a sentence for a person names it: {@code partial_failure}, {@code queued}. */
    private static String describe(Enum<?> state) {
        return state.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return "Session[" + id + ", " + state() + ", seq " + lastSeq() + "]";
    }
}
