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
import java.util.List;
import org.canvasbatch.adapters.http.text.FailureReasons;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.SessionEvent;
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
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionProgress;
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
    /** The {@code error_type} of the notice that a note is written but not linked into its canvas. */
    public static final String NOTE_NOT_LINKED = "note_not_linked";
    /** The {@code error_type} of the notice that the canvas was not changed: the server's write-back is off. */
    public static final String WRITE_BACK_OFF = "write_back_off";
    /** The {@code error_type} of the notice that the notes' file nodes have no labels: the server's labels are off. */
    public static final String LABEL_NODES_OFF = "label_nodes_off";
    /** The type of the event message that a batch was paused, and the {@code error_type} of the plugin's notice of it. */
    public static final String SESSION_PAUSED = "session_paused";
    /** The pause's reason when it came over HTTP ({@code POST …/pause/{id}}: the dashboard without its socket, a script). */
    public static final String PAUSED_BY_REQUEST = "paused by request";
    /** The pause's reason when it came as a socket's {@code pause} command (the dashboard's button, another program). */
    public static final String PAUSED_OVER_THE_SOCKET = "paused over the WebSocket";

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

        /**
         * A {@code progress_update} saying its group has no node left to process. (plugin) it sets the group to
         * "running" whatever the counts, so after the group's last outcome it would turn ✅/❌ back into 🔄.
         */
        public boolean closesGroup() {
            if (!isProgress() || !(json.get("data") instanceof JsonObject data)) {
                return false;
            }
            return data.getInt("nodes_completed", 0) >= data.getInt("nodes_total", Integer.MAX_VALUE);
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
     * The messages of one event, in the order they are sent, after folding the event into {@code progress} (which must
     * be at {@code event.seq() - 1}): every count and the result summary are as of the event.
     */
    public static List<Envelope> of(SessionEvent event, SessionProgress progress) {
        progress.apply(event);
        SessionId id = event.sessionId();
        List<Envelope> messages = new ArrayList<>(2);
        switch (event) {
            case SessionCreated e ->
                messages.add(primary(
                        e,
                        "session_created",
                        BUILDERS.createObjectBuilder()
                                .add("canvas_path", e.canvasPath())
                                .add("state", WireNames.state(SessionState.PENDING))
                                .add("total_nodes", e.tasks().size())
                                .add("total_groups", e.groups().size())));
            case SessionStarted e ->
                messages.add(primary(
                        e,
                        "session_started",
                        BUILDERS.createObjectBuilder()
                                .add("state", WireNames.state(progress.state()))
                                .add("total_nodes", progress.session().total())
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
                                .add("node_text", progress.textOf(e.nodeId()))
                                .add("agent_type", e.agent().wireName())
                                .add("attempt", e.attempt())));
            case TaskSucceeded e -> {
                messages.add(primary(
                        e,
                        "task_completed",
                        BUILDERS.createObjectBuilder()
                                .add("node_id", e.nodeId())
                                .add("group_id", e.groupId())
                                .add("node_text", progress.textOf(e.nodeId()))
                                .add("agent_type", e.agent().wireName())
                                .add("file_path", string(e.notePath()))
                                .add("file_size", e.fileSize())
                                .add("output", preview(e.output()))
                                .add("processing_time_seconds", decimal(e.durationMillis() / 1000.0, 3))
                                .add("execution_time_ms", e.durationMillis())
                                .add("attempt", e.attempt())
                                .add("model", string(e.model()))
                                .add("link_problem", string(e.linkProblem()))));
                messages.add(progress(e, e.groupId(), e.nodeId(), progress));
                if (progress.lastEventBroughtANewLinkProblem()) {
                    messages.add(noteNotLinked(e));
                }
            }
            case TaskFailed e -> {
                messages.add(primary(
                        e,
                        "task_failed",
                        BUILDERS.createObjectBuilder()
                                .add("node_id", e.nodeId())
                                .add("group_id", e.groupId())
                                .add("node_text", progress.textOf(e.nodeId()))
                                .add("agent_type", e.agent().wireName())
                                .add("error", string(e.errorMessage()))
                                .add("error_message", string(e.errorMessage()))
                                .add("error_type", string(e.errorType()))
                                .add("retryable", e.retryable())
                                .add("attempt", e.attempt())
                                .add("processing_time_seconds", decimal(e.durationMillis() / 1000.0, 3))));
                messages.add(progress(e, e.groupId(), e.nodeId(), progress));
            }
            case TaskRetryScheduled e ->
                messages.add(primary(
                        e,
                        "task_retrying",
                        BUILDERS.createObjectBuilder()
                                .add("node_id", e.nodeId())
                                .add("group_id", e.groupId())
                                .add("node_text", progress.textOf(e.nodeId()))
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
                                .add("node_text", progress.textOf(e.nodeId()))
                                .add("agent_type", e.agent().wireName())));
            case GroupPriorityChanged e ->
                messages.add(primary(
                        e,
                        "priority_changed",
                        BUILDERS.createObjectBuilder()
                                .add("group_id", e.groupId())
                                .add("priority", e.priority().wireName())));
            case SessionPaused e -> messages.add(primary(e, SESSION_PAUSED, stateAndReason(progress, e.reason())));
            case SessionResumed e -> messages.add(primary(e, "session_resumed", stateAndReason(progress, e.reason())));
            case SessionCancelled e -> {
                messages.add(primary(e, "session_cancelled", stateAndReason(progress, e.reason())));
                messages.add(sessionCompleted(id, e.seq(), true, e.at(), progress));
            }
            case BatchFailed e ->
                messages.add(primary(
                        e,
                        "error",
                        problemData(new Problem(e.message(), e.errorType(), false, null, null, null, null, null))));
            case SessionFinished e -> messages.add(sessionCompleted(id, e.seq(), false, e.at(), progress));
            // the status's history_damage tells of it; a client resuming inside the lost seqs is sent what follows
            case EventsLost e -> {}
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
                        .add("state", WireNames.state(state))
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
        SessionProgress progress = s.progress();
        List<Envelope> messages = new ArrayList<>();
        for (Group group : s.groups()) {
            messages.add(progressEnvelope(s.id(), s.lastSeq(), now, group.id(), null, progress));
        }
        return messages;
    }

    /** The summary the plugin ends on, for a session that is already over. */
    public static Envelope sessionCompleted(SessionSnapshot s, Instant now) {
        Instant at = s.finishedAt() != null ? s.finishedAt() : now;
        return sessionCompleted(s.id(), s.lastSeq(), true, at, s.progress());
    }

    /**
     * (plugin) The end of a batch that someone else cancelled, as the plugin's window must read it. Its notice counts
     * the task messages it received and its summary lists {@code node_results}, and it knows no "cancelled": given
     * only the processed nodes it says "✅ 全部处理完成: 1个节点" and a green "处理完成" over nodes that never ran. So
     * each node the cancellation left unprocessed gets a {@code task_failed} ({@code error_type: "cancelled"}), then the
     * {@code session_completed} lists them as failed (the summary offers to retry them); all derived, at the session's
     * last seq.
     */
    public static List<Envelope> pluginCancelledEnd(SessionSnapshot s, Instant now) {
        List<Envelope> messages = new ArrayList<>();
        var nodeResults = BUILDERS.createArrayBuilder(StatusJson.nodeResults(s.progress()));
        for (JsonObject unprocessed : StatusJson.unprocessedResults(s)) {
            messages.add(envelope(
                    s.id(),
                    "task_failed",
                    s.lastSeq(),
                    true,
                    now,
                    BUILDERS.createObjectBuilder()
                            .add("node_id", unprocessed.get("node_id"))
                            .add("group_id", unprocessed.get("group_id"))
                            .add("node_text", unprocessed.get("node_text"))
                            .add("agent_type", unprocessed.get("agent_type"))
                            .add("error", unprocessed.get("error"))
                            .add("error_message", unprocessed.get("error"))
                            .add("error_type", unprocessed.get("error_type"))
                            .add("retryable", true)
                            .add("attempt", unprocessed.get("attempts"))
                            .add("processing_time_seconds", 0)));
            nodeResults.add(unprocessed);
        }
        Envelope completed = sessionCompleted(s, now);
        JsonObject data = BUILDERS.createObjectBuilder(completed.json().getJsonObject("data"))
                .add("node_results", nodeResults)
                .build();
        JsonObject json =
                BUILDERS.createObjectBuilder(completed.json()).add("data", data).build();
        messages.add(new Envelope(completed.type(), completed.seq(), true, 0, json));
        return messages;
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

    /**
     * (plugin) it never reads a note's {@code link_problem}, and its summary says in fixed words that the canvas got
     * every note: the first note a reason leaves unlinked also sends that reason as a recoverable {@code error}, which
     * it shows as a notice ("处理错误: …") and goes on. Derived from the event, so a window that replays the history
     * gets it too; once per reason, not once per note. Stored and sent in English; a socket whose handshake prefers
     * Chinese reads it in Chinese ({@code text/FailureReasons}, by its {@code error_type}), as the plugin's notice does
     * beside its own Chinese texts.
     */
    private static Envelope noteNotLinked(TaskSucceeded e) {
        return envelope(
                e.sessionId(),
                "error",
                e.seq(),
                true,
                e.at(),
                problemData(new Problem(
                        "Notes are written but not linked into the canvas: " + e.linkProblem(),
                        NOTE_NOT_LINKED,
                        true,
                        null,
                        e.nodeId(),
                        e.groupId(),
                        null,
                        null)));
    }

    /**
     * (plugin) Its summary says in fixed words "Canvas已自动更新，添加了N个蓝色说明节点和N个文档节点" whenever a node
     * succeeded, and never reads what the server did. When the learner's own settings leave the canvas untouched
     * (write-back off) or the notes' file nodes without their blue labels (labels off), the window is told so before its
     * summary, as a recoverable {@code error} it shows as a notice ("处理错误: …"); null when the settings do what the
     * summary says. A notice, not an event: never stored, never in {@code GET …/events}; {@code seq} is that of the
     * {@code session_completed} it goes before.
     */
    public static Envelope canvasNotUpdated(
            SessionId id, long seq, boolean linksNotes, boolean labelsNotes, Instant now) {
        if (linksNotes && labelsNotes) {
            return null;
        }
        Problem problem = linksNotes
                ? Problem.of(FailureReasons.LABEL_NODES_OFF, LABEL_NODES_OFF, true)
                : Problem.of(FailureReasons.WRITE_BACK_OFF, WRITE_BACK_OFF, true);
        return error(id, seq, problem, now);
    }

    /**
     * (plugin) It ignores {@code session_paused}: a batch paused by someone else left its window spinning, its
     * percentage still, and the learner told nothing. So a plugin window is told, as a recoverable {@code error} it shows
     * as a notice ("处理错误: …") and goes on, that the batch is paused, by whom as far as {@code reason} says (the pause
     * routes are the dashboard's and any other program's alike), and how it goes on. A notice, not an event: never
     * stored, never in {@code GET …/events}, never sent to other clients (they read {@code session_paused}).
     *
     * @param reason the {@code session_paused}'s reason; null when the socket learned of the pause from a snapshot
     * @param dashboard where the window's server shows its dashboard, named where it invites its Resume; null for none
     */
    public static Envelope batchPaused(SessionId id, long seq, String reason, String dashboard, Instant now) {
        String why = reason == null ? "" : reason.strip();
        String message;
        if (why.equals(PAUSED_BY_REQUEST) || why.equals(PAUSED_OVER_THE_SOCKET)) {
            message = FailureReasons.pausedElsewhere(dashboard);
        } else if (why.isEmpty()) {
            message = FailureReasons.paused(dashboard);
        } else {
            // a pause of the server's own (a batch recovered paused at start) says why in its own words
            message = FailureReasons.pausedBecause(why);
        }
        return error(id, seq, Problem.of(message, SESSION_PAUSED, true), now);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private static Envelope primary(SessionEvent e, String type, JsonObjectBuilder data) {
        return envelope(e.sessionId(), type, e.seq(), false, e.at(), data);
    }

    private static Envelope progress(SessionEvent cause, int groupId, String nodeId, SessionProgress progress) {
        return progressEnvelope(cause.sessionId(), cause.seq(), cause.at(), groupId, nodeId, progress);
    }

    private static Envelope progressEnvelope(
            SessionId id, long seq, Instant at, int groupId, String currentNode, SessionProgress progress) {
        SessionProgress.Counts group = progress.group(groupId);
        JsonObjectBuilder data = BUILDERS.createObjectBuilder()
                .add("group_id", groupId)
                .add("progress", decimal(group.percent(), 1))
                .add("nodes_completed", group.processed())
                .add("nodes_total", group.total())
                .add("group_completed_nodes", group.succeeded())
                .add("group_failed_nodes", group.failed())
                .add("current_node", string(currentNode))
                .add("progress_percent", decimal(progress.session().percent(), 1))
                .add("completed_nodes", progress.session().succeeded())
                .add("failed_nodes", progress.session().failed())
                .add("total_nodes", progress.session().total())
                .add("state", WireNames.state(progress.state()));
        JsonObject json = envelopeBuilder(id, PROGRESS_UPDATE, seq, true, at)
                .add("data", data)
                .build();
        return new Envelope(PROGRESS_UPDATE, seq, true, groupId, json);
    }

    /** The result summary as of {@code seq}: the state, the counts, the elapsed time and every processed node. */
    private static Envelope sessionCompleted(
            SessionId id, long seq, boolean derived, Instant at, SessionProgress progress) {
        SessionProgress.Counts counts = progress.session();
        double elapsed = progress.elapsed(at).toMillis() / 1000.0;
        JsonObjectBuilder data = BUILDERS.createObjectBuilder()
                .add("state", WireNames.state(progress.state()))
                .add("status", WireNames.pluginStatus(progress.state()))
                .add("success_count", counts.succeeded())
                .add("failure_count", counts.failed())
                .add("cancelled_count", counts.cancelled())
                .add("total_nodes", counts.total())
                .add("total_duration", decimal(elapsed, 3))
                .add("elapsed_seconds", decimal(elapsed, 3))
                .add("node_results", StatusJson.nodeResults(progress));
        return envelope(id, SESSION_COMPLETED, seq, derived, at, data);
    }

    private static JsonObjectBuilder stateAndReason(SessionProgress progress, String reason) {
        return BUILDERS.createObjectBuilder()
                .add("state", WireNames.state(progress.state()))
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
}
