package org.canvasbatch.adapters.http.wire;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.adapters.http.wire.EventMessages.Envelope;
import org.canvasbatch.adapters.http.wire.EventMessages.Problem;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionCreated;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionProgress;
import org.canvasbatch.domain.session.SessionSettings;
import org.canvasbatch.domain.session.SessionState;
import org.junit.jupiter.api.Test;

class EventMessagesTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00.123Z");

    private final Session.Creation creation = Session.create(
            new SessionId("s1"),
            "数学/离散数学.canvas",
            List.of(
                    new Group(
                            1,
                            "命题",
                            List.of("命题"),
                            Category.DEFINITION,
                            AgentId.ORAL_EXPLANATION,
                            Priority.HIGH,
                            0.8,
                            List.of("a", "b")),
                    new Group(
                            2,
                            "对比",
                            List.of(),
                            Category.COMPARISON,
                            AgentId.COMPARISON_TABLE,
                            Priority.LOW,
                            0.5,
                            List.of("c"))),
            List.of(
                    new PlannedTask("a", 1, "什么是命题", AgentId.ORAL_EXPLANATION),
                    new PlannedTask("b", 1, "什么是逆否命题", AgentId.ORAL_EXPLANATION),
                    new PlannedTask("c", 2, "A和B的区别", AgentId.COMPARISON_TABLE)),
            SessionSettings.DEFAULT.withMaxConcurrent(2),
            0.41,
            2,
            T0);
    private final Session session = creation.session();
    private final SessionProgress tracker = SessionProgress.of(creation.event());
    private final List<Envelope> sent = new ArrayList<>();

    private List<Envelope> render(List<SessionEvent> events) {
        List<Envelope> messages = new ArrayList<>();
        for (SessionEvent event : events) {
            messages.addAll(EventMessages.of(event, tracker));
        }
        sent.addAll(messages);
        return messages;
    }

    private static JsonObject data(Envelope envelope) {
        return envelope.json().getJsonObject("data");
    }

    @Test
    void everyMessageHasTheEnvelopeOfTheContract() {
        List<Envelope> messages = render(session.start(null, T0.plusSeconds(1)));

        JsonObject json = messages.getFirst().json();
        assertThat(json.getString("type")).isEqualTo("session_started");
        assertThat(json.getString("task_id")).isEqualTo("s1");
        assertThat(json.getString("session_id")).isEqualTo("s1");
        assertThat(json.getInt("seq")).isEqualTo(2);
        assertThat(json.getString("timestamp")).isEqualTo("2026-11-26T12:00:01.123Z");
        assertThat(json.getBoolean("derived")).isFalse();
        assertThat(data(messages.getFirst()).getString("state")).isEqualTo("running");
    }

    @Test
    void aSucceededTaskIsOneTaskCompletedWithItsOutputCutAndADerivedProgressUpdateWithAbsoluteCounts() {
        render(session.start(null, T0.plusSeconds(1)));
        render(session.startTask("a", T0.plusSeconds(1)));
        String longNote = "# 命题\n" + "字".repeat(3_000);
        List<Envelope> messages = render(
                session.recordSuccess("a", 1, "数学/离散数学-notes/a.md", 9_001, 4_250, longNote, "m", T0.plusSeconds(5)));

        assertThat(messages).extracting(Envelope::type).containsExactly("task_completed", "progress_update");
        JsonObject completed = data(messages.get(0));
        assertThat(completed.getString("node_id")).isEqualTo("a");
        assertThat(completed.getInt("group_id")).isEqualTo(1);
        assertThat(completed.getString("node_text")).isEqualTo("什么是命题");
        assertThat(completed.getString("agent_type")).isEqualTo("oral-explanation");
        assertThat(completed.getString("file_path")).isEqualTo("数学/离散数学-notes/a.md");
        assertThat(completed.getInt("file_size")).isEqualTo(9_001);
        assertThat(completed.getString("output"))
                .hasSize(EventMessages.OUTPUT_LIMIT)
                .startsWith("# 命题");
        assertThat(completed.getJsonNumber("processing_time_seconds").doubleValue())
                .isEqualTo(4.25);
        assertThat(completed.getInt("execution_time_ms")).isEqualTo(4_250);
        assertThat(completed.getInt("attempt")).isEqualTo(1);

        Envelope progress = messages.get(1);
        assertThat(progress.seq()).isEqualTo(messages.get(0).seq());
        assertThat(progress.derived()).isTrue();
        assertThat(progress.json().getBoolean("derived")).isTrue();
        assertThat(progress.groupId()).isEqualTo(1);
        JsonObject p = data(progress);
        assertThat(p.getInt("group_id")).isEqualTo(1);
        assertThat(p.getJsonNumber("progress").doubleValue()).isEqualTo(50.0);
        assertThat(p.getInt("nodes_completed")).isEqualTo(1);
        assertThat(p.getInt("nodes_total")).isEqualTo(2);
        assertThat(p.getString("current_node")).isEqualTo("a");
        assertThat(p.getJsonNumber("progress_percent").doubleValue()).isEqualTo(33.3);
        assertThat(p.getInt("completed_nodes")).isEqualTo(1);
        assertThat(p.getInt("failed_nodes")).isZero();
        assertThat(p.getInt("total_nodes")).isEqualTo(3);
        assertThat(p.getString("state")).isEqualTo("running");
    }

    @Test
    void aFailedTaskCarriesTheErrorUnderEveryNameCallersReadAndCountsAsProcessed() {
        render(session.start(null, T0.plusSeconds(1)));
        render(session.startTask("c", T0.plusSeconds(1)));
        List<Envelope> messages = render(session.recordFailure(
                "c", 1, "The model refused", "http_400", false, 800, Optional.empty(), T0.plusSeconds(2)));

        JsonObject failed = data(messages.get(0));
        assertThat(messages.get(0).type()).isEqualTo("task_failed");
        assertThat(failed.getString("error")).isEqualTo("The model refused");
        assertThat(failed.getString("error_message")).isEqualTo("The model refused");
        assertThat(failed.getString("error_type")).isEqualTo("http_400");
        assertThat(failed.getBoolean("retryable")).isFalse();
        assertThat(failed.getInt("attempt")).isEqualTo(1);
        assertThat(failed.getString("node_text")).isEqualTo("A和B的区别");
        JsonObject p = data(messages.get(1));
        assertThat(p.getInt("group_id")).isEqualTo(2);
        assertThat(p.getJsonNumber("progress").doubleValue()).isEqualTo(100.0);
        assertThat(p.getInt("nodes_completed")).isEqualTo(1);
        assertThat(p.getInt("failed_nodes")).isEqualTo(1);
    }

    @Test
    void aTransientFailureIsATaskRetryingAndNotAnOutcome() {
        render(session.start(null, T0.plusSeconds(1)));
        render(session.startTask("a", T0.plusSeconds(1)));
        List<Envelope> messages = render(session.recordFailure(
                "a", 1, "rate limited", "http_429", true, 100, Optional.of(T0.plusSeconds(4)), T0.plusSeconds(2)));

        assertThat(messages).extracting(Envelope::type).containsExactly("task_retrying");
        assertThat(data(messages.getFirst()).getJsonNumber("retry_after").doubleValue())
                .isEqualTo(2.0);
        assertThat(tracker.group(1).processed()).isZero();
    }

    @Test
    void theFinishIsASessionCompletedWithTheResultSummaryThePluginShows() {
        render(session.start(null, T0.plusSeconds(1)));
        render(session.startTask("a", T0.plusSeconds(1)));
        render(session.startTask("c", T0.plusSeconds(1)));
        render(session.recordSuccess("a", 1, "n/a.md", 10, 1_000, "# a", "m", T0.plusSeconds(2)));
        render(session.recordFailure("c", 1, "nope", "http_400", false, 10, Optional.empty(), T0.plusSeconds(3)));
        render(session.startTask("b", T0.plusSeconds(3)));
        List<Envelope> messages =
                render(session.recordSuccess("b", 1, "n/b.md", 10, 1_000, "# b", "m", T0.plusSeconds(11)));

        Envelope completed = messages.getLast();
        assertThat(completed.type()).isEqualTo("session_completed");
        assertThat(completed.derived()).isFalse();
        assertThat(completed.endsSession()).isTrue();
        JsonObject d = data(completed);
        assertThat(d.getString("state")).isEqualTo("partial_failure");
        assertThat(d.getString("status")).isEqualTo("completed");
        assertThat(d.getInt("success_count")).isEqualTo(2);
        assertThat(d.getInt("failure_count")).isEqualTo(1);
        assertThat(d.getJsonNumber("elapsed_seconds").doubleValue()).isEqualTo(10.0);
        assertThat(d.getJsonNumber("total_duration").doubleValue()).isEqualTo(10.0);
        assertThat(d.getJsonArray("node_results"))
                .extracting(v -> v.asJsonObject().getString("node_id"))
                .containsExactly("a", "b", "c");
        assertThat(d.getJsonArray("node_results").getJsonObject(2).getString("error"))
                .isEqualTo("nope");
    }

    @Test
    void cancellingIsASessionCancelledFollowedByADerivedSessionCompleted() {
        render(session.start(null, T0.plusSeconds(1)));
        render(session.startTask("a", T0.plusSeconds(1)));
        List<Envelope> messages = render(session.cancel("user request", T0.plusSeconds(3)));

        assertThat(messages).extracting(Envelope::type).containsExactly("session_cancelled", "session_completed");
        assertThat(data(messages.get(0)).getString("state")).isEqualTo("cancelled");
        assertThat(data(messages.get(0)).getString("reason")).isEqualTo("user request");
        assertThat(messages.get(1).derived()).isTrue();
        assertThat(messages.get(1).seq()).isEqualTo(messages.get(0).seq());
        assertThat(data(messages.get(1)).getString("status")).isEqualTo("failed");
    }

    @Test
    void aBatchTimeoutIsAnErrorThenEveryUnfinishedFailureThenTheCompletion() {
        render(session.start(null, T0.plusSeconds(1)));
        render(session.startTask("a", T0.plusSeconds(1)));
        List<Envelope> messages = render(session.timeOut(T0.plusSeconds(700)));

        assertThat(messages)
                .extracting(Envelope::type)
                .containsExactly(
                        "error",
                        "task_failed",
                        "progress_update",
                        "task_failed",
                        "progress_update",
                        "task_failed",
                        "progress_update",
                        "session_completed");
        JsonObject error = data(messages.getFirst());
        assertThat(error.getString("message")).contains("timeout");
        assertThat(error.getString("error_type")).isEqualTo("timeout");
        assertThat(error.getBoolean("recoverable")).isFalse();
        assertThat(error.keySet()).contains("retry_after", "node_id", "group_id", "error_message");
    }

    @Test
    void everyJournalEventGivesExactlyOnePrimaryMessageWithItsSeq() {
        List<SessionEvent> history = new ArrayList<>();
        history.add(creation.event());
        history.addAll(session.start(null, T0.plusSeconds(1)));
        history.addAll(session.changePriority(2, Priority.URGENT, T0.plusSeconds(1)));
        history.addAll(session.startTask("c", T0.plusSeconds(1)));
        history.addAll(session.pause("lunch", T0.plusSeconds(2)));
        history.addAll(session.resume("back", T0.plusSeconds(3)));
        history.addAll(session.recordFailure("c", 1, "bad", "http_400", false, 1, Optional.empty(), T0.plusSeconds(4)));
        history.addAll(session.requeue("c", T0.plusSeconds(5)));
        history.addAll(session.cancel("stop", T0.plusSeconds(6)));
        SessionProgress fresh = SessionProgress.of((SessionCreated) history.getFirst());

        List<Envelope> messages = new ArrayList<>();
        for (SessionEvent event : history) {
            messages.addAll(EventMessages.of(event, fresh));
        }

        assertThat(messages.stream()
                        .filter(m -> !m.derived())
                        .map(Envelope::seq)
                        .toList())
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(messages.stream()
                        .filter(m -> !m.derived())
                        .map(Envelope::type)
                        .toList())
                .containsExactly(
                        "session_created",
                        "session_started",
                        "priority_changed",
                        "task_started",
                        "session_paused",
                        "session_resumed",
                        "task_failed",
                        "task_requeued",
                        "session_cancelled");
        assertThat(messages.getLast().type()).isEqualTo("session_completed");
        assertThat(data(messages.getLast()).getString("state")).isEqualTo("cancelled");
        assertThat(data(messages.get(2)).getString("priority")).isEqualTo("urgent");
    }

    @Test
    void progressTakenFromASnapshotAgreesWithOneThatFoldedTheWholeHistory() {
        render(session.start(null, T0.plusSeconds(1)));
        render(session.startTask("a", T0.plusSeconds(1)));
        render(session.startTask("b", T0.plusSeconds(1)));
        render(session.recordSuccess("a", 1, "n/a.md", 10, 1_000, "# a", "m", T0.plusSeconds(2)));

        SessionProgress fromSnapshot = session.snapshot().progress();

        assertThat(fromSnapshot.lastSeq()).isEqualTo(tracker.lastSeq());
        assertThat(fromSnapshot.group(1)).isEqualTo(tracker.group(1));
        assertThat(fromSnapshot.session()).isEqualTo(tracker.session());
        assertThat(fromSnapshot.running()).isEqualTo(1);
        List<SessionEvent> next = session.recordSuccess("b", 1, "n/b.md", 10, 1_000, "# b", "m", T0.plusSeconds(3));
        JsonObject a = data(EventMessages.of(next.getFirst(), fromSnapshot).get(1));
        JsonObject b = data(EventMessages.of(next.getFirst(), tracker).get(1));
        assertThat(a.getInt("nodes_completed")).isEqualTo(2).isEqualTo(b.getInt("nodes_completed"));
    }

    @Test
    void aSnapshotIsTheWholeStatusPrecededByOneAbsoluteProgressUpdatePerGroup() {
        render(session.start(null, T0.plusSeconds(1)));
        render(session.startTask("c", T0.plusSeconds(1)));
        render(session.recordSuccess("c", 1, "n/c.md", 10, 1_000, "# c", "m", T0.plusSeconds(2)));

        List<Envelope> progress = EventMessages.groupProgress(session.snapshot(), T0.plusSeconds(3));
        Envelope snapshot = EventMessages.snapshot(session.snapshot(), T0.plusSeconds(3));

        assertThat(progress).extracting(p -> data(p).getInt("group_id")).containsExactly(1, 2);
        assertThat(progress).extracting(p -> data(p).getInt("nodes_completed")).containsExactly(0, 1);
        assertThat(progress).allSatisfy(p -> assertThat(p.seq()).isEqualTo(session.lastSeq()));
        assertThat(data(progress.get(1)).get("current_node")).isEqualTo(JsonValue.NULL);
        assertThat(snapshot.type()).isEqualTo("snapshot");
        assertThat(snapshot.seq()).isEqualTo(session.lastSeq());
        assertThat(data(snapshot)).isEqualTo(StatusJson.of(session.snapshot(), T0.plusSeconds(3)));
    }

    @Test
    void connectedAckAndErrorsCarryWhatClientsCorrelateOn() {
        Envelope connected = EventMessages.connected(new SessionId("s1"), SessionState.RUNNING, 42, true, "e-1", T0);
        Envelope ack = EventMessages.ack(new SessionId("s1"), 42, Json.createValue("r-7"), "pause", T0);
        Envelope error = EventMessages.error(
                new SessionId("s1"),
                42,
                Problem.of("Session 's1' is paused; only a running session can be paused", "not_running", false)
                        .answering(Json.createValue(3), "pause"),
                T0);

        assertThat(data(connected).getString("session_id")).isEqualTo("s1");
        assertThat(data(connected).getString("state")).isEqualTo("running");
        assertThat(data(connected).getInt("last_seq")).isEqualTo(42);
        assertThat(data(connected).getBoolean("resumed")).isTrue();
        assertThat(data(connected).getString("epoch")).isEqualTo("e-1");
        assertThat(connected.json().getInt("seq")).isEqualTo(42);
        assertThat(data(ack).getString("request_id")).isEqualTo("r-7");
        assertThat(data(ack).getString("command")).isEqualTo("pause");
        assertThat(data(error).getString("message")).startsWith("Session 's1' is paused");
        assertThat(data(error).getBoolean("recoverable")).isFalse();
        assertThat(data(error).getInt("request_id")).isEqualTo(3);
        assertThat(data(error).get("retry_after")).isEqualTo(JsonValue.NULL);
    }
}
