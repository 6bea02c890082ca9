package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.adapters.http.ApiHarness.node;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.testsupport.EventRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Callers written against the older reference API: {@code /api/v1} paths, {@code target_color} analysis of a canvas in
 * the vault, the planned confirm with string group ids and {@code agent_type}, {@code /status/{id}} polling, and error
 * bodies read from {@code detail}.
 */
class OlderCallerFlowTest {

    private static final String CANVAS = "study/topics.canvas";

    private final ApiHarness api = new ApiHarness();

    OlderCallerFlowTest() {
        api.vault.withCanvas(new Canvas(
                CANVAS,
                List.of(
                        node("q1", "What is a contrapositive?", "1"),
                        node("q2", "Difference between TCP and UDP", "1"),
                        node("q3", "What is a proposition?", "6"),
                        node("mine", "My own understanding", "3")),
                List.of()));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void analyzeReadsTheCanvasFromTheVaultAndTakesOnlyTheTargetColour() {
        Answer answer = api.post(
                "/api/v1/canvas/intelligent-parallel",
                "{\"canvas_path\":\"" + CANVAS
                        + "\",\"target_color\":\"1\",\"max_groups\":3,\"min_nodes_per_group\":1}");

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        List<String> grouped = answer.json().getJsonArray("groups").stream()
                .flatMap(g -> g.asJsonObject().getJsonArray("nodes").stream())
                .map(n -> n.asJsonObject().getString("node_id"))
                .toList();
        assertThat(grouped).containsExactlyInAnyOrder("q1", "q2");
    }

    @Test
    void analyzeWithoutColoursTakesRedAndPurple() {
        Answer answer = api.post("/api/v1/canvas/intelligent-parallel", "{\"canvas_path\":\"" + CANVAS + "\"}");

        assertThat(answer.json().getInt("total_nodes")).isEqualTo(3);
    }

    @Test
    void thePlannedConfirmStartsANewSessionWithIntegerGroupsAndTheNamedAgents() {
        Answer confirm = api.post(
                "/api/v1/canvas/intelligent-parallel/confirm",
                "{\"canvas_path\":\"" + CANVAS + "\","
                        + "\"groups\":[{\"group_id\":\"group-1\",\"agent_type\":\"comparison-table\",\"node_ids\":[\"q1\",\"q2\"]},"
                        + "{\"group_id\":2,\"agent_type\":\"auto\",\"node_ids\":[\"q3\"]}],\"max_concurrent\":2,\"timeout\":600}");

        assertThat(confirm.status()).as(confirm.text()).isEqualTo(202);
        String id = confirm.json().getString("session_id");
        assertThat(confirm.json().getString("websocket_url")).contains("/api/v1/ws/intelligent-parallel/" + id);
        assertThat(confirm.json().getInt("total_groups")).isEqualTo(2);
        assertThat(confirm.json().getInt("max_concurrent")).isEqualTo(2);
        EventRecorder events = api.record(id);
        if (!api.get("/api/v1/canvas/intelligent-parallel/status/" + id)
                .json()
                .getString("state")
                .equals("completed")) {
            api.awaitFinished(events, 1);
        }

        JsonObject status =
                api.get("/api/v1/canvas/intelligent-parallel/status/" + id).json();
        assertThat(status.getString("status")).isEqualTo("completed");
        assertThat(status.getInt("progress_percent")).isEqualTo(100);
        assertThat(status.getJsonArray("groups"))
                .extracting(g -> g.asJsonObject().getInt("group_id"))
                .containsExactly(1, 2);
        JsonObject first = status.getJsonArray("groups").getJsonObject(0);
        assertThat(first.getString("agent_type")).isEqualTo("comparison-table");
        assertThat(first.getInt("completed_nodes")).isEqualTo(2);
        assertThat(first.getInt("total_nodes")).isEqualTo(2);
        assertThat(first.getJsonArray("results")).allSatisfy(r -> {
            assertThat(r.asJsonObject().getString("file_path")).endsWith(".md");
            assertThat(r.asJsonObject().getInt("file_size")).isPositive();
        });
        assertThat(status.getJsonArray("node_results").stream()
                        .map(JsonValue::asJsonObject)
                        .filter(r -> r.getInt("group_id") == 1))
                .allSatisfy(r -> assertThat(r.getString("agent")).isEqualTo("comparison-table"));
    }

    @Test
    void aPlannedGroupNamingANodeNotInTheCanvasIs422OnGroups() {
        Answer answer = api.post(
                "/api/v1/canvas/intelligent-parallel/confirm",
                "{\"canvas_path\":\"" + CANVAS + "\","
                        + "\"groups\":[{\"group_id\":\"g\",\"agent_type\":\"auto\",\"node_ids\":[\"ghost\"]}]}");

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.json().getJsonObject("detail").getString("message")).contains("ghost");
        assertThat(answer.json().getJsonArray("errors").getJsonObject(0).getString("field"))
                .isEqualTo("groups");
    }

    @Test
    void errorsAreReadableFromDetailMessage() {
        // an older caller: not the plugin, so no app://obsidian.md origin
        Answer missing = api.get("/api/v1/canvas/intelligent-parallel/status/gone", "Origin", null);

        assertThat(missing.status()).isEqualTo(404);
        JsonObject detail = missing.json().getJsonObject("detail");
        assertThat(detail.getString("error")).isEqualTo("SessionNotFoundError");
        assertThat(detail.getString("message")).isEqualTo("Session 'gone' not found");
        assertThat(detail.getJsonObject("details").getString("session_id")).isEqualTo("gone");
    }

    @Test
    void singleAgentTakesAgentTypeAndRunsANodeOfTheCanvasOutsideAnySession() {
        Answer answer = api.post(
                "/api/v1/canvas/single-agent",
                "{\"canvas_path\":\"" + CANVAS + "\",\"node_id\":\"q2\",\"agent_type\":\"comparison-table\"}");

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json().getString("agent_type")).isEqualTo("comparison-table");
        assertThat(answer.json().get("session_id")).isEqualTo(JsonValue.NULL);
        assertThat(api.vault.notes().keySet())
                .containsExactly("study/topics-notes/Difference between TCP and UDP (comparison-table).md");
    }
}
