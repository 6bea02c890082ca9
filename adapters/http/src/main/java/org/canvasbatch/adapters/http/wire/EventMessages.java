package org.canvasbatch.adapters.http.wire;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;
import static org.canvasbatch.adapters.http.wire.JsonValues.decimal;
import static org.canvasbatch.adapters.http.wire.JsonValues.string;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.BatchFailed;
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
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionState;

/**
 * The WebSocket messages of CONTRACT §3.2, made from session events. Every journal event gives exactly one primary
 * message carrying its {@code seq}; a task outcome adds a {@code progress_update} for its group and a cancellation a
 * {@code session_completed}, both marked {@code "derived": true} and carrying the seq of the event that caused them.
 * The same messages are streamed live, replayed on resume and served by the HTTP events endpoint.
 */
public final class EventMessages {

    /** How much of a note the {@code task_completed.output} preview carries. */
    public static final int OUTPUT_LIMIT = 2_000;

    public static final String PROGRESS_UPDATE = "progress_update";
    public static final String SESSION_COMPLETED = "session_completed";
    /** The {@code error_type} of the notice that the journal refuses the session's events. */
    public static final String STORAGE_UNAVAILABLE = "storage_unavailable";

    private EventMessages() {}

    /**
     * One server message. {@code groupId} is the group of a {@code progress_update} (what coalescing keys on), else
     * {@code 0}; {@code derived} is true for messages an event implies rather than records.
     */
    public record Envelope(String type, long seq, boolean derived, int groupId, JsonObject json) {

        public String text() {
            return json.toString();
        }

        public boolean isProgress() {
            return type.equals(PROGRESS_UPDATE);
        }

        /** After this message the session has ended and the socket closes. */
        public boolean endsSession() {
            return type.equals(SESSION_COMPLETED);
        }
    }

    /** What a failed client request or a bad frame is answered with ({@code error} message data). */
    public record Problem(
            String message,
            String errorType,
            boolean recoverable,
            Long retryAfterSeconds,
            String nodeId,
            Integer groupId,
            JsonValue requestId,
            String command) {

        public static Problem of(String message, String errorType, boolean recoverable) {
            return new Problem(message, errorType, recoverable, null, null, null, null, null);
        }

        public Problem answering(JsonValue request, String commandType) {
            return new Problem(
                    message, errorType, recoverable, retryAfterSeconds, nodeId, groupId, request, commandType);
        }
    }

    // ------------------------------------------------------------------------------------------------ session events

    /**
     * The messages of one event, in the order they are sent, after applying the event to {@code tracker} (which must be
     * at {@code event.seq() - 1}). {@code status} is asked for only when the session ends, for the result summary.
     */
    public static List<Envelope> of(
            SessionEvent event, ProgressTracker tracker, Supplier<Optional<SessionSnapshot>> status, Instant now) {
        tracker.apply(event);
        SessionId id = event.sessionId();
        List<Envelope> messages = new ArrayList<>(2);
        switch (event) {
            case SessionCreated e ->
                messages.add(primary(
                        e,
                        "session_created",
                        BUILDERS.createObjectBuilder()
                                .add("canvas_path", e.canvasPath())
                                .add("state", SessionState.PENDING.wireName())
                                .add("total_nodes", e.tasks().size())
                                .add("total_groups", e.groups().size())));
            case SessionStarted e ->
                messages.add(primary(
                        e,
                        "session_started",
                        BUILDERS.createObjectBuilder()
                                .add("state", tracker.state().wireName())
                                .add("total_nodes", tracker.totalNodes())
                                .add(
                                        "max_concurrent",
                                        e.settings() == null ? 0 : e.settings().maxConcurrent())
                                .add("started_at", Timestamps.json(e.at()))));
            case TaskStarted e ->
                messages.add(primary(
                        e,
                        "task_started",
                        BUILDERS.createObjectBuilder()
                                .add("node_id", e.nodeId())
                                .add("group_id", e.groupId())
                                .add("node_text", tracker.textOf(e.nodeId()))
                                .add("agent_type", e.agent().wireName())
                                .add("attempt", e.attempt())));
            case TaskSucceeded e -> {
                messages.add(primary(
                        e,
                        "task_completed",
                        BUILDERS.createObjectBuilder()
                                .add("node_id", e.nodeId())
                                .add("group_id", e.groupId())
                                .add("node_text", tracker.textOf(e.nodeId()))
                                .add("agent_type", e.agent().wireName())
                                .add("file_path", string(e.notePath()))
                                .add("file_size", e.fileSize())
                                .add("output", preview(e.output()))
                                .add("processing_time_seconds", decimal(e.durationMillis() / 1000.0, 3))
                                .add("execution_time_ms", e.durationMillis())
                                .add("attempt", e.attempt())
                                .add("model", string(e.model()))));
                messages.add(progress(e, e.groupId(), e.nodeId(), tracker));
            }
            case TaskFailed e -> {
                messages.add(primary(
                        e,
                        "task_failed",
                        BUILDERS.createObjectBuilder()
                                .add("node_id", e.nodeId())
                                .add("group_id", e.groupId())
                                .add("node_text", tracker.textOf(e.nodeId()))
                                .add("agent_type", e.agent().wireName())
                                .add("error", string(e.errorMessage()))
                                .add("error_message", string(e.errorMessage()))
                                .add("error_type", string(e.errorType()))
                                .add("retryable", e.retryable())
                                .add("attempt", e.attempt())
                                .add("processing_time_seconds", decimal(e.durationMillis() / 1000.0, 3))));
                messages.add(progress(e, e.groupId(), e.nodeId(), tracker));
            }
            case TaskRetryScheduled e ->
                messages.add(primary(
                        e,
                        "task_retrying",
                        BUILDERS.createObjectBuilder()
                                .add("node_id", e.nodeId())
                                .add("group_id", e.groupId())
                                .add("node_text", tracker.textOf(e.nodeId()))
                                .add("attempt", e.attempt())
                                .add("error", string(e.errorMessage()))
                                .add("error_message", string(e.errorMessage()))
                                .add("error_type", string(e.errorType()))
                                .add("retry_at", Timestamps.json(e.retryAt()))
                                .add("retry_after", retryAfterSeconds(e.at(), e.retryAt()))));
            case TaskRequeued e ->
                messages.add(primary(
                        e,
                        "task_requeued",
                        BUILDERS.createObjectBuilder()
                                .add("node_id", e.nodeId())
                                .add("group_id", e.groupId())
                                .add("node_text", tracker.textOf(e.nodeId()))
                                .add("agent_type", e.agent().wireName())));
            case GroupPriorityChanged e ->
                messages.add(primary(
                        e,
                        "priority_changed",
                        BUILDERS.createObjectBuilder()
                                .add("group_id", e.groupId())
                                .add("priority", e.priority().wireName())));
            case SessionPaused e -> messages.add(primary(e, "session_paused", stateAndReason(tracker, e.reason())));
            case SessionResumed e -> messages.add(primary(e, "session_resumed", stateAndReason(tracker, e.reason())));
            case SessionCancelled e -> {
                messages.add(primary(e, "session_cancelled", stateAndReason(tracker, e.reason())));
                messages.add(sessionCompleted(id, e.seq(), true, e.at(), status.get(), tracker, now));
            }
            case BatchFailed e ->
                messages.add(primary(
                        e,
                        "error",
                        problemData(new Problem(e.message(), e.errorType(), false, null, null, null, null, null))));
            case SessionFinished e ->
                messages.add(sessionCompleted(id, e.seq(), false, e.at(), status.get(), tracker, now));
        }
        return messages;
    }

    // --------------------------------------------------------------------------------------- connection and replies

    /** The first message on every socket. */
    public static Envelope connected(
            SessionId id, SessionState state, long lastSeq, boolean resumed, String epoch, Instant now) {
        return envelope(
                id,
                "connected",
                lastSeq,
                null,
                now,
                BUILDERS.createObjectBuilder()
                        .add("session_id", id.value())
                        .add("state", state.wireName())
                        .add("last_seq", lastSeq)
                        .add("resumed", resumed)
                        .add("epoch", string(epoch)));
    }

    /** The whole status object (CONTRACT §2.3) as of {@code s.lastSeq()}. */
    public static Envelope snapshot(SessionSnapshot s, Instant now) {
        JsonObject status = StatusJson.of(s, now);
        return new Envelope(
                "snapshot",
                s.lastSeq(),
                false,
                0,
                envelopeBuilder(s.id(), "snapshot", s.lastSeq(), null, now)
                        .add("data", status)
                        .build());
    }

    /** One {@code progress_update} per group with absolute counts: how the plugin learns where a batch stands. */
    public static List<Envelope> groupProgress(SessionSnapshot s, Instant now) {
        ProgressTracker tracker = ProgressTracker.of(s);
        List<Envelope> messages = new ArrayList<>();
        for (Group group : s.groups()) {
            messages.add(progressEnvelope(s.id(), s.lastSeq(), now, group.id(), null, tracker));
        }
        return messages;
    }

    /** The summary the plugin ends on, for a session that is already over. */
    public static Envelope sessionCompleted(SessionSnapshot s, Instant now) {
        Instant at = s.finishedAt() != null ? s.finishedAt() : now;
        return sessionCompleted(s.id(), s.lastSeq(), true, at, Optional.of(s), ProgressTracker.of(s), now);
    }

    public static Envelope ack(SessionId id, long seq, JsonValue requestId, String command, Instant now) {
        return envelope(
                id,
                "ack",
                seq,
                null,
                now,
                BUILDERS.createObjectBuilder()
                        .add("request_id", requestId == null ? JsonValue.NULL : requestId)
                        .add("command", command));
    }

    public static Envelope pong(SessionId id, long seq, JsonValue requestId, Instant now) {
        JsonObjectBuilder data = BUILDERS.createObjectBuilder();
        if (requestId != null && requestId != JsonValue.NULL) {
            data.add("request_id", requestId);
        }
        return envelope(id, "pong", seq, null, now, data);
    }

    public static Envelope error(SessionId id, long seq, Problem problem, Instant now) {
        return envelope(id, "error", seq, null, now, problemData(problem));
    }

    /**
     * The journal refuses the session's events: a recoverable {@code error} (error_type {@code storage_unavailable})
     * with the reason, and in {@code retry_after} the seconds until the journal is tried again. A notice, not an event:
     * {@code seq} is the newest the socket has, and it is never replayed.
     */
    public static Envelope storageProblem(
            SessionId id, long seq, org.canvasbatch.application.port.in.StorageProblem problem, Instant now) {
        long retryAfter =
                Math.max(0, Duration.between(now, problem.nextCheckAt()).toSeconds());
        return error(
                id,
                seq,
                new Problem(
                        problem.message()
                                + ". Nothing is lost: the batch waits and goes on by itself once progress can be saved"
                                + " again.",
                        STORAGE_UNAVAILABLE,
                        true,
                        retryAfter,
                        null,
                        null,
                        null,
                        null),
                now);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private static Envelope primary(SessionEvent e, String type, JsonObjectBuilder data) {
        return envelope(e.sessionId(), type, e.seq(), false, e.at(), data);
    }

    private static Envelope progress(SessionEvent cause, int groupId, String nodeId, ProgressTracker tracker) {
        return progressEnvelope(cause.sessionId(), cause.seq(), cause.at(), groupId, nodeId, tracker);
    }

    private static Envelope progressEnvelope(
            SessionId id, long seq, Instant at, int groupId, String currentNode, ProgressTracker tracker) {
        ProgressTracker.Counts group = tracker.group(groupId);
        JsonObjectBuilder data = BUILDERS.createObjectBuilder()
                .add("group_id", groupId)
                .add("progress", decimal(group.percent(), 1))
                .add("nodes_completed", group.processed())
                .add("nodes_total", group.total())
                .add("group_completed_nodes", group.succeeded())
                .add("group_failed_nodes", group.failed())
                .add("current_node", string(currentNode))
                .add("progress_percent", decimal(tracker.session().percent(), 1))
                .add("completed_nodes", tracker.session().succeeded())
                .add("failed_nodes", tracker.session().failed())
                .add("total_nodes", tracker.session().total())
                .add("state", tracker.state().wireName());
        JsonObject json = envelopeBuilder(id, PROGRESS_UPDATE, seq, true, at)
                .add("data", data)
                .build();
        return new Envelope(PROGRESS_UPDATE, seq, true, groupId, json);
    }

    private static Envelope sessionCompleted(
            SessionId id,
            long seq,
            boolean derived,
            Instant at,
            Optional<SessionSnapshot> status,
            ProgressTracker tracker,
            Instant now) {
        JsonObjectBuilder data = BUILDERS.createObjectBuilder();
        if (status.isPresent()) {
            SessionSnapshot s = status.get();
            double elapsed = s.elapsed(now).toMillis() / 1000.0;
            data.add("state", s.state().wireName())
                    .add("status", s.state().pluginStatus())
                    .add("success_count", s.succeeded())
                    .add("failure_count", s.failed())
                    .add("cancelled_count", s.cancelled())
                    .add("total_nodes", s.totalNodes())
                    .add("total_duration", decimal(elapsed, 3))
                    .add("elapsed_seconds", decimal(elapsed, 3))
                    .add("node_results", StatusJson.nodeResults(s));
        } else {
            // the session was forgotten meanwhile: what the events themselves tell is still the right summary
            double elapsed = tracker.elapsed(at).toMillis() / 1000.0;
            data.add("state", tracker.state().wireName())
                    .add("status", tracker.state().pluginStatus())
                    .add("success_count", tracker.session().succeeded())
                    .add("failure_count", tracker.session().failed())
                    .add("cancelled_count", tracker.cancelled())
                    .add("total_nodes", tracker.totalNodes())
                    .add("total_duration", decimal(elapsed, 3))
                    .add("elapsed_seconds", decimal(elapsed, 3))
                    .add("node_results", BUILDERS.createArrayBuilder());
        }
        return envelope(id, SESSION_COMPLETED, seq, derived, at, data);
    }

    private static JsonObjectBuilder stateAndReason(ProgressTracker tracker, String reason) {
        return BUILDERS.createObjectBuilder()
                .add("state", tracker.state().wireName())
                .add("reason", string(reason));
    }

    private static JsonObjectBuilder problemData(Problem p) {
        JsonObjectBuilder data = BUILDERS.createObjectBuilder()
                .add("message", p.message())
                .add("error_message", p.message())
                .add("error_type", string(p.errorType()))
                .add("recoverable", p.recoverable())
                .add(
                        "retry_after",
                        p.retryAfterSeconds() == null
                                ? JsonValue.NULL
                                : JsonValues.PROVIDER.createValue(p.retryAfterSeconds()))
                .add("node_id", string(p.nodeId()))
                .add("group_id", p.groupId() == null ? JsonValue.NULL : JsonValues.PROVIDER.createValue(p.groupId()));
        if (p.command() != null) {
            data.add("command", p.command());
            data.add("request_id", p.requestId() == null ? JsonValue.NULL : p.requestId());
        }
        return data;
    }

    private static Envelope envelope(
            SessionId id, String type, long seq, Boolean derived, Instant at, JsonObjectBuilder data) {
        JsonObject json =
                envelopeBuilder(id, type, seq, derived, at).add("data", data).build();
        return new Envelope(type, seq, Boolean.TRUE.equals(derived), 0, json);
    }

    private static JsonObjectBuilder envelopeBuilder(SessionId id, String type, long seq, Boolean derived, Instant at) {
        JsonObjectBuilder builder = BUILDERS.createObjectBuilder()
                .add("type", type)
                .add("task_id", id.value())
                .add("session_id", id.value())
                .add("seq", seq)
                .add("timestamp", Timestamps.format(at));
        if (derived != null) {
            builder.add("derived", derived);
        }
        return builder;
    }

    private static String preview(String output) {
        if (output == null) {
            return "";
        }
        if (output.length() <= OUTPUT_LIMIT) {
            return output;
        }
        // never split a surrogate pair: a lone half is not valid UTF-8 on the wire
        int end = Character.isHighSurrogate(output.charAt(OUTPUT_LIMIT - 1)) ? OUTPUT_LIMIT - 1 : OUTPUT_LIMIT;
        return output.substring(0, end);
    }

    private static JsonValue retryAfterSeconds(Instant at, Instant retryAt) {
        if (retryAt == null) {
            return JsonValue.NULL;
        }
        long millis = Math.max(0, Duration.between(at, retryAt).toMillis());
        return decimal(millis / 1000.0, 3);
    }

    // ----------------------------------------------------------------------------------------------- progress state

    /**
     * Where every node of one session stands, kept up to date event by event, so each {@code progress_update} carries
     * absolute counts as of its event. Small on purpose: what never changes (node ids, groups, texts) is shared by every
     * copy, and a node's state is one byte, so a replay can keep a {@link #copy()} every few hundred events and start
     * from the nearest one instead of from the session's first event.
     */
    public static final class ProgressTracker {

        /** Counts of a group or of the whole session. */
        public record Counts(int total, int succeeded, int failed, int running) {
            public int processed() {
                return succeeded + failed;
            }

            /** 0–100, processed / total. */
            public double percent() {
                return total == 0 ? 0 : 100.0 * processed() / total;
            }
        }

        private static final NodeState[] STATES = NodeState.values();

        /** The session's nodes as they were planned: shared, never changed. */
        private record Catalog(Map<String, Integer> index, int[] groupOf, String[] text) {
            static Catalog of(List<String> ids, List<Integer> groups, List<String> texts) {
                Map<String, Integer> index = new HashMap<>(ids.size() * 2);
                int[] groupOf = new int[ids.size()];
                String[] text = new String[ids.size()];
                for (int i = 0; i < ids.size(); i++) {
                    index.put(ids.get(i), i);
                    groupOf[i] = groups.get(i);
                    text[i] = texts.get(i) == null ? "" : texts.get(i);
                }
                return new Catalog(index, groupOf, text);
            }
        }

        private static final class Tally {
            int total;
            int succeeded;
            int failed;
            int running;
            int cancelled;

            Tally copy() {
                Tally copy = new Tally();
                copy.total = total;
                copy.succeeded = succeeded;
                copy.failed = failed;
                copy.running = running;
                copy.cancelled = cancelled;
                return copy;
            }

            void count(NodeState state, int delta) {
                switch (state) {
                    case SUCCEEDED -> succeeded += delta;
                    case FAILED -> failed += delta;
                    case RUNNING -> running += delta;
                    case CANCELLED -> cancelled += delta;
                    case QUEUED -> {}
                }
            }

            Counts counts() {
                return new Counts(total, succeeded, failed, running);
            }
        }

        private final Catalog catalog;
        /** The ordinal of each node's {@link NodeState}, by its index in the catalog. */
        private final byte[] states;

        private final Map<Integer, Tally> groups = new TreeMap<>();
        private Tally session = new Tally();
        private SessionState state;
        private long lastSeq;
        private Instant startedAt;
        private Instant finishedAt;

        private ProgressTracker(Catalog catalog, byte[] states, SessionState state, long lastSeq) {
            this.catalog = catalog;
            this.states = states;
            this.state = state;
            this.lastSeq = lastSeq;
        }

        public static ProgressTracker of(SessionSnapshot s) {
            List<NodeTask> tasks = s.tasks();
            Catalog catalog = Catalog.of(
                    tasks.stream().map(NodeTask::nodeId).toList(),
                    tasks.stream().map(NodeTask::groupId).toList(),
                    tasks.stream().map(NodeTask::text).toList());
            ProgressTracker tracker = new ProgressTracker(catalog, new byte[tasks.size()], s.state(), s.lastSeq());
            s.groups().forEach(g -> tracker.groups.put(g.id(), new Tally()));
            for (int i = 0; i < tasks.size(); i++) {
                tracker.add(i, tasks.get(i).state());
            }
            tracker.startedAt = s.startedAt();
            tracker.finishedAt = s.finishedAt();
            return tracker;
        }

        /** A tracker at seq 1, to fold a whole history from its beginning. */
        public static ProgressTracker of(SessionCreated created) {
            List<PlannedTask> tasks = created.tasks();
            Catalog catalog = Catalog.of(
                    tasks.stream().map(PlannedTask::nodeId).toList(),
                    tasks.stream().map(PlannedTask::groupId).toList(),
                    tasks.stream().map(PlannedTask::text).toList());
            ProgressTracker tracker =
                    new ProgressTracker(catalog, new byte[tasks.size()], SessionState.PENDING, created.seq());
            created.groups().forEach(g -> tracker.groups.put(g.id(), new Tally()));
            for (int i = 0; i < tasks.size(); i++) {
                tracker.add(i, NodeState.QUEUED);
            }
            return tracker;
        }

        /** An independent tracker at the same point: it shares only what never changes. */
        public ProgressTracker copy() {
            ProgressTracker copy = new ProgressTracker(catalog, states.clone(), state, lastSeq);
            groups.forEach((id, tally) -> copy.groups.put(id, tally.copy()));
            copy.session = session.copy();
            copy.startedAt = startedAt;
            copy.finishedAt = finishedAt;
            return copy;
        }

        private void add(int node, NodeState nodeState) {
            states[node] = (byte) nodeState.ordinal();
            Tally group = groups.computeIfAbsent(catalog.groupOf()[node], k -> new Tally());
            group.total++;
            session.total++;
            group.count(nodeState, 1);
            session.count(nodeState, 1);
        }

        /** Applies the next event; an event it has already seen changes nothing. */
        public void apply(SessionEvent event) {
            if (event.seq() <= lastSeq) {
                return;
            }
            switch (event) {
                case SessionCreated e -> {}
                case SessionStarted e -> {
                    state = SessionState.RUNNING;
                    startedAt = e.at();
                }
                case TaskStarted e -> move(e.nodeId(), NodeState.RUNNING);
                case TaskSucceeded e -> move(e.nodeId(), NodeState.SUCCEEDED);
                case TaskRetryScheduled e -> move(e.nodeId(), NodeState.QUEUED);
                case TaskFailed e -> move(e.nodeId(), NodeState.FAILED);
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
                case BatchFailed e -> {}
                case SessionFinished e -> {
                    state = e.state();
                    finishedAt = e.at();
                }
            }
            lastSeq = event.seq();
        }

        private void move(String nodeId, NodeState to) {
            Integer node = catalog.index().get(nodeId);
            if (node != null) {
                move(node, to);
            }
        }

        private void move(int node, NodeState to) {
            NodeState from = STATES[states[node]];
            Tally group = groups.get(catalog.groupOf()[node]);
            group.count(from, -1);
            session.count(from, -1);
            states[node] = (byte) to.ordinal();
            group.count(to, 1);
            session.count(to, 1);
        }

        public long lastSeq() {
            return lastSeq;
        }

        public SessionState state() {
            return state;
        }

        public Counts group(int groupId) {
            Tally tally = groups.get(groupId);
            return tally == null ? new Counts(0, 0, 0, 0) : tally.counts();
        }

        public Counts session() {
            return session.counts();
        }

        /** Agent calls in flight: a session with one is never idle. */
        public int running() {
            return session.running;
        }

        int cancelled() {
            return session.cancelled;
        }

        int totalNodes() {
            return session.total;
        }

        String textOf(String nodeId) {
            Integer node = catalog.index().get(nodeId);
            return node == null ? "" : catalog.text()[node];
        }

        Duration elapsed(Instant end) {
            if (startedAt == null) {
                return Duration.ZERO;
            }
            Instant until = finishedAt != null ? finishedAt : end;
            return until.isBefore(startedAt) ? Duration.ZERO : Duration.between(startedAt, until);
        }
    }
}
