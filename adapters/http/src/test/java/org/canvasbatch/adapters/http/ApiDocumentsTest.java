package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** The document checker itself: it must see a missing field and a mistyped one, or the document tests prove nothing. */
class ApiDocumentsTest {

    private final ApiDocuments docs = new ApiDocuments();

    @Test
    void aMissingDocumentedFieldAndAStringGroupIdAreBothReported() {
        var schema = docs.responseSchema("/canvas/intelligent-parallel", "POST", 200, "application/json");
        JsonObject answer = json("""
                {"success": true, "session_id": "s", "canvas_path": "a.canvas", "status": "pending", "state": "pending",
                 "created_at": "2026-11-26T12:00:00.123Z", "total_nodes": 1, "total_groups": 1,
                 "total_estimated_time_seconds": 20, "estimated_duration": "20秒", "silhouette_score": 0,
                 "recommended_k": 1, "max_concurrent": 12, "resource_warning": null,
                 "node_agents": "group", "skipped_nodes": [],
                 "groups": [{"group_id": "1", "group_name": "g", "group_emoji": "📖", "category": "definition",
                             "recommended_agent": "oral-explanation", "agent_type": "oral-explanation",
                             "confidence": 0.9, "priority": "HIGH", "estimated_time_seconds": 20, "node_count": 1,
                             "keywords": [], "nodes": [{"id": "n", "text": "t", "agent": "oral-explanation"}]}]}
                """);

        assertThat(docs.problems(schema, answer))
                .containsExactlyInAnyOrder(
                        "$.websocket_url is documented but missing",
                        "$.groups[0].group_id should be integer but is string \"1\"",
                        "$.groups[0].priority is \"HIGH\", not one of [urgent, high, medium, low]",
                        "$.groups[0].nodes[0].node_id is documented but missing");
    }

    @Test
    void aStatusAnswerMustFitExactlyOneOfItsDocumentedShapes() {
        var schema = docs.responseSchema("/canvas/intelligent-parallel/{session_id}", "GET", 200, "application/json");
        JsonObject lost = json("""
                {"session_id": "s", "status": "failed", "state": "not_found", "error": "SessionNotFoundError",
                 "message": "gone", "progress": 0, "groups": [], "elapsed_seconds": 0,
                 "node_results": [{"node_id": "s", "group_id": null, "status": "failed", "error": "gone",
                                   "error_type": "session_not_found"}]}
                """);
        JsonObject neither = json("""
                {"session_id": "s", "status": "failed", "state": "not_found"}
                """);

        assertThat(docs.problems(schema, lost)).isEmpty();
        assertThat(docs.problems(schema, neither))
                .singleElement()
                .asString()
                .startsWith("$ fits 0 of its 2 alternatives");
    }

    @Test
    void refsIntoTheOtherDocumentAreFollowed() {
        var snapshot =
                docs.resolve("asyncapi.yaml", ApiDocuments.map(docs.asyncApi().get("components")));
        var status = docs.resolve("asyncapi.yaml", java.util.Map.of("$ref", "openapi.yaml#/components/schemas/Status"));

        assertThat(snapshot.node()).isNotNull();
        assertThat(status.document()).isEqualTo("openapi.yaml");
        assertThat(ApiDocuments.map(status.node()).get("required")).asList().contains("last_seq", "node_results");
    }

    private static JsonObject json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }
}
