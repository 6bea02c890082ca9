package org.canvasbatch.adapters.http.wire;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
import org.junit.jupiter.api.Test;

class StatusJsonTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00.123Z");

    private final Session session = Session.create(
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
                    T0)
            .session();

    @Test
    void aPendingSessionHasEveryFieldWithNullForWhatHasNotHappened() {
        JsonObject status = StatusJson.of(session.snapshot(), T0.plusSeconds(5));

        assertThat(status.getString("session_id")).isEqualTo("s1");
        assertThat(status.getString("canvas_path")).isEqualTo("数学/离散数学.canvas");
        assertThat(status.getString("status")).isEqualTo("pending");
        assertThat(status.getString("state")).isEqualTo("pending");
        assertThat(status.getString("created_at")).isEqualTo("2026-11-26T12:00:00.123Z");
        assertThat(status.get("started_at")).isEqualTo(JsonValue.NULL);
        assertThat(status.get("completed_at")).isEqualTo(JsonValue.NULL);
        assertThat(status.get("batch_error")).isEqualTo(JsonValue.NULL);
        assertThat(status.getJsonNumber("elapsed_seconds").doubleValue()).isZero();
        assertThat(status.getInt("total_nodes")).isEqualTo(3);
        assertThat(status.getInt("total_groups")).isEqualTo(2);
        assertThat(status.getInt("completed_groups")).isZero();
        assertThat(status.getInt("last_seq")).isEqualTo(1);
        assertThat(status.getJsonArray("node_results")).isEmpty();
        JsonObject group = status.getJsonArray("groups").getJsonObject(0);
        assertThat(group.getInt("group_id")).isEqualTo(1);
        assertThat(group.getString("status")).isEqualTo("pending");
        assertThat(group.getString("priority")).isEqualTo("high");
        assertThat(group.getString("agent_type")).isEqualTo("oral-explanation");
        assertThat(group.getInt("nodes_total")).isEqualTo(2);
        assertThat(group.getInt("nodes_completed")).isZero();
        assertThat(group.getJsonArray("results")).isEmpty();
        assertThat(group.getJsonArray("errors")).isEmpty();
        JsonObject metrics = status.getJsonObject("performance_metrics");
        assertThat(metrics.keySet())
                .contains(
                        "total_duration_seconds",
                        "average_duration_per_node",
                        "parallel_efficiency",
                        "peak_concurrent");
        assertThat(metrics.getJsonNumber("parallel_efficiency").doubleValue()).isZero();
    }

    @Test
    void aPartialFailureReadsCompletedForThePluginAndListsEveryProcessedNode() {
        session.start(null, T0.plusSeconds(1));
        session.startTask("a", T0.plusSeconds(1));
        session.startTask("c", T0.plusSeconds(1));
        session.recordSuccess("a", 1, "数学/离散数学-notes/a.md", 120, 4_000, "# a", "m", T0.plusSeconds(5));
        session.startTask("b", T0.plusSeconds(5));
        session.recordFailure(
                "c", 1, "The model refused", "http_400", false, 2_000, Optional.empty(), T0.plusSeconds(3));
        session.recordSuccess("b", 1, "数学/离散数学-notes/b.md", 80, 4_000, "# b", "m", T0.plusSeconds(9));

        JsonObject status = StatusJson.of(session.snapshot(), T0.plusSeconds(60));

        assertThat(status.getString("state")).isEqualTo("partial_failure");
        assertThat(status.getString("status")).isEqualTo("completed");
        assertThat(status.getString("started_at")).isEqualTo("2026-11-26T12:00:01.123Z");
        assertThat(status.getString("completed_at")).isEqualTo("2026-11-26T12:00:09.123Z");
        assertThat(status.getJsonNumber("elapsed_seconds").doubleValue())
                .as("frozen at the end")
                .isEqualTo(8.0);
        assertThat(status.getJsonNumber("progress").doubleValue()).isEqualTo(100.0);
        assertThat(status.getInt("progress_percent")).isEqualTo(66);
        assertThat(status.getInt("completed_nodes")).isEqualTo(2);
        assertThat(status.getInt("failed_nodes")).isEqualTo(1);
        assertThat(status.getInt("completed_groups")).isEqualTo(2);

        JsonObject second = status.getJsonArray("groups").getJsonObject(1);
        assertThat(second.getString("status")).as("every node failed").isEqualTo("failed");
        assertThat(second.getJsonArray("errors").getJsonObject(0).getString("error_message"))
                .isEqualTo("The model refused");
        assertThat(second.getJsonArray("results").getJsonObject(0).getString("status"))
                .isEqualTo("failed");
        JsonObject first = status.getJsonArray("groups").getJsonObject(0);
        assertThat(first.getString("status")).isEqualTo("completed");
        assertThat(first.getJsonArray("results").getJsonObject(1).getString("file_path"))
                .isEqualTo("数学/离散数学-notes/b.md");
        assertThat(first.getJsonArray("results").getJsonObject(1).getInt("file_size"))
                .isEqualTo(80);

        assertThat(status.getJsonArray("node_results"))
                .extracting(v -> v.asJsonObject().getString("node_id"))
                .containsExactly("a", "b", "c");
        JsonObject failed = status.getJsonArray("node_results").getJsonObject(2);
        assertThat(failed.getString("status")).isEqualTo("failed");
        assertThat(failed.getInt("group_id")).isEqualTo(2);
        assertThat(failed.getString("agent")).isEqualTo("comparison-table");
        assertThat(failed.getString("error")).isEqualTo("The model refused");
        assertThat(failed.getInt("attempts")).isEqualTo(1);
        assertThat(failed.getJsonNumber("processing_time_seconds").doubleValue())
                .isEqualTo(2.0);
        assertThat(status.getJsonArray("node_results").getJsonObject(0).get("error"))
                .isEqualTo(JsonValue.NULL);

        JsonObject metrics = status.getJsonObject("performance_metrics");
        assertThat(metrics.getInt("peak_concurrent")).isEqualTo(2);
        assertThat(metrics.getJsonNumber("total_duration_seconds").doubleValue())
                .isEqualTo(8.0);
        assertThat(metrics.getJsonNumber("average_duration_per_node").doubleValue())
                .isEqualTo(10.0 / 3, within());
        assertThat(metrics.getJsonNumber("parallel_efficiency").doubleValue())
                .as("10 s busy / (8 s × 2 slots)")
                .isEqualTo(0.625);
    }

    @Test
    void aCancelledSessionIsFailedForThePluginAndItsRunningTimeStopsAtTheCancel() {
        session.start(null, T0);
        session.startTask("a", T0);
        session.cancel("user", T0.plusSeconds(2));

        JsonObject status = StatusJson.of(session.snapshot(), T0.plusSeconds(100));

        assertThat(status.getString("state")).isEqualTo("cancelled");
        assertThat(status.getString("status")).isEqualTo("failed");
        assertThat(status.getJsonNumber("elapsed_seconds").doubleValue()).isEqualTo(2.0);
        assertThat(status.getInt("cancelled_nodes")).isEqualTo(3);
        assertThat(status.getJsonArray("node_results"))
                .as("cancelled nodes were never processed")
                .isEmpty();
    }

    @Test
    void aRunningSessionsElapsedTimeGrowsWithTheClock() {
        session.start(null, T0);
        assertThat(StatusJson.of(session.snapshot(), T0.plusMillis(1500))
                        .getJsonNumber("elapsed_seconds")
                        .doubleValue())
                .isEqualTo(1.5);
        assertThat(StatusJson.of(session.snapshot(), T0.plusMillis(1500)).get("completed_at"))
                .isEqualTo(JsonValue.NULL);
    }

    @Test
    void timestampsAreUtcWithMillisAndZ() {
        assertThat(Timestamps.format(Instant.parse("2026-01-02T03:04:05Z"))).isEqualTo("2026-01-02T03:04:05.000Z");
        assertThat(Timestamps.format(Instant.parse("2026-01-02T03:04:05.123456Z")))
                .isEqualTo("2026-01-02T03:04:05.123Z");
        assertThat(Timestamps.format(null)).isNull();
        assertThat(Timestamps.json(null)).isEqualTo(JsonValue.NULL);
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(0.001);
    }
}
