package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/asyncapi.yaml} against the channel: a batch that goes through every kind of event (retry, failure,
 * pause, resume, priority, requeue, cancel) is watched over a real socket and read back over the events endpoint; every
 * message the document describes must be sent, and every one sent must carry the documented fields.
 */
class AsyncApiDocumentTest {

    private final ApiDocuments docs = new ApiDocuments();
    private final DocumentedServer api = new DocumentedServer();

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void everyDocumentedMessageIsSentWithEveryDocumentedField() throws Exception {
        List<JsonObject> sent = new ArrayList<>(watchABatchThroughEverything());
        String cancelled = api.analyze("c1", "什么是命题").json().getString("session_id");
        api.post("/canvas/intelligent-parallel/cancel/" + cancelled, null);
        sent.addAll(events(cancelled));

        Map<String, Object> documented = serverMessages();
        Set<String> sentTypes = new TreeSet<>();
        sent.forEach(m -> sentTypes.add(m.getString("type")));
        assertThat(sentTypes).as("every message the server sent is documented").isSubsetOf(documented.keySet());
        assertThat(documented.keySet()).as("every documented message was seen").isSubsetOf(sentTypes);
        for (JsonObject message : sent) {
            var payload = new ApiDocuments.Located(
                    "asyncapi.yaml",
                    ApiDocuments.map(documented.get(message.getString("type"))).get("payload"));
            assertThat(docs.problems(payload, message)).as(message.toString()).isEmpty();
        }
    }

    @Test
    void everyDocumentedCommandIsUnderstood() throws Exception {
        String id = api.analyze("k1", "什么是命题", "k2", "命题和逆命题的区别").json().getString("session_id");
        TestSocket socket = api.socket("/ws/intelligent-parallel/" + id);
        socket.await(m -> m.getString("type").equals("snapshot"));
        List<JsonObject> examples = commandExamples();
        // cancel ends the session and the socket, so it goes last
        examples.sort((a, b) -> Boolean.compare(
                a.getString("type").equals("cancel"), b.getString("type").equals("cancel")));
        assertThat(examples)
                .extracting(e -> e.getString("type"))
                .containsExactlyInAnyOrder("cancel", "pause", "resume", "resume", "set_priority", "retry", "ping");

        for (JsonObject example : examples) {
            String type = example.getString("type");
            if (type.equals("cancel")) {
                socket.send(example.toString());
                continue;
            }
            int before = socket.messages().size();
            socket.send(example.toString());
            // one at a time: every command gets its own answer (a refusal is an answer too)
            socket.await(m -> socket.messages().indexOf(m) >= before && answers(m, type));
        }

        assertThat(socket.awaitClose()).as("the cancel ended the session").isEqualTo(1000);
        List<JsonObject> replies = socket.messages();
        assertThat(replies)
                .anyMatch(m -> m.getString("type").equals("pong"))
                .anyMatch(m -> m.getString("type").equals("session_cancelled"));
        assertThat(replies)
                .filteredOn(m -> m.getString("type").equals("error"))
                .as("refusals are fine (pause of a pending batch), not understanding a command is not")
                .noneMatch(m -> m.getJsonObject("data").getString("error_type").matches("unknown_type|malformed.*"));
    }

    private static boolean answers(JsonObject message, String command) {
        return switch (message.getString("type")) {
            case "pong" -> command.equals("ping");
            case "ack", "error" -> command.equals(message.getJsonObject("data").getString("command", ""));
            default -> false;
        };
    }

    @Test
    void theDocumentedCloseCodesIncludeTheOnesTheChannelUses() {
        Map<String, Object> info = ApiDocuments.map(docs.asyncApi().get("info"));
        Map<?, ?> codes = (Map<?, ?>) info.get("x-close-codes");

        assertThat(codes.keySet())
                .extracting(String::valueOf)
                .containsExactlyInAnyOrder(
                        "1000", "1001", "1002", "1007", "1008", "1009", "4401", "4404", "4408", "4409", "4429");
        // 4404 is for a session forgotten after its socket opened; an unknown one is refused at the handshake
        assertThat(api.socketRefusal("/ws/intelligent-parallel/no-such-session"))
                .isEqualTo(404);
    }

    /** One batch through every kind of event, watched over a socket; returns what the socket and history carried. */
    private List<JsonObject> watchABatchThroughEverything() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        api.agent.then("w1", new ScriptedAgent.WaitFor(gate));
        api.agent.then("w2", ScriptedAgent.transientFailure("busy, try again", Duration.ZERO));
        api.agent.then("w3", ScriptedAgent.permanent("The model refused: content policy"));
        String id = api.analyze("w1", "什么是命题", "w2", "什么是逆否命题", "w3", "命题和逆命题的区别")
                .json()
                .getString("session_id");
        EventRecorder events = api.record(id);
        TestSocket socket = api.socket("/api/v1/ws/intelligent-parallel/" + id);
        socket.await(m -> m.getString("type").equals("snapshot"));

        api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\"}");
        events.await(TaskFailed.class, e -> e.nodeId().equals("w3"));
        events.await(TaskSucceeded.class, e -> e.nodeId().equals("w2"));
        int group = socket.await(m -> m.getString("type").equals("progress_update"))
                .getJsonObject("data")
                .getInt("group_id");
        command(socket, "{\"type\":\"ping\",\"request_id\":7}", "pong");
        command(socket, "{\"type\":\"pause\",\"request_id\":\"p\"}", "ack");
        command(socket, "{\"type\":\"resume\"}", "ack");
        command(socket, "{\"type\":\"set_priority\",\"group_id\":" + group + ",\"priority\":\"urgent\"}", "ack");
        command(socket, "{\"type\":\"retry\",\"node_id\":\"w3\"}", "ack");
        command(socket, "{\"type\":\"no-such-command\"}", "error");
        events.await(TaskSucceeded.class, e -> e.nodeId().equals("w3"));
        gate.countDown();
        events.await(SessionFinished.class);
        assertThat(socket.awaitClose()).isEqualTo(1000);

        List<JsonObject> seen = new ArrayList<>(socket.messages());
        seen.addAll(events(id));
        return seen;
    }

    private static void command(TestSocket socket, String command, String answerType) {
        int before = socket.messages().size();
        socket.send(command);
        socket.await(
                m -> m.getString("type").equals(answerType) && socket.messages().indexOf(m) >= before);
    }

    private List<JsonObject> events(String sessionId) {
        var page = api.get("/canvas/intelligent-parallel/" + sessionId + "/events?after_seq=0&limit=500")
                .json();
        assertThat(page.getBoolean("has_more")).isFalse();
        return page.getJsonArray("events").getValuesAs(JsonObject.class);
    }

    /** The messages the server sends, by name, as the receive operation lists them. */
    private Map<String, Object> serverMessages() {
        return operationMessages("receiveProgress");
    }

    private Map<String, Object> operationMessages(String operation) {
        Map<String, Object> op = ApiDocuments.map(
                ApiDocuments.map(docs.asyncApi().get("operations")).get(operation));
        Map<String, Object> messages = new LinkedHashMap<>();
        for (Object ref : (List<?>) op.get("messages")) {
            Map<String, Object> message =
                    ApiDocuments.map(docs.resolve("asyncapi.yaml", ref).node());
            messages.put(String.valueOf(message.get("name")), message);
        }
        return messages;
    }

    /** Every example payload of every command a client may send. */
    private List<JsonObject> commandExamples() {
        List<JsonObject> examples = new ArrayList<>();
        operationMessages("sendCommand").forEach((name, message) -> {
            Object listed = ApiDocuments.map(message).get("examples");
            assertThat(listed).as(name + " has an example").isNotNull();
            for (Object example : (List<?>) listed) {
                examples.add((JsonObject) toJson(ApiDocuments.map(example).get("payload")));
            }
        });
        return examples;
    }

    private static JsonValue toJson(Object yaml) {
        if (yaml instanceof Map<?, ?> map) {
            var object = Json.createObjectBuilder();
            map.forEach((k, v) -> object.add(String.valueOf(k), toJson(v)));
            return object.build();
        }
        if (yaml instanceof List<?> list) {
            var array = Json.createArrayBuilder();
            list.forEach(v -> array.add(toJson(v)));
            return array.build();
        }
        if (yaml instanceof Integer i) {
            return Json.createValue(i);
        }
        if (yaml instanceof Boolean b) {
            return b ? JsonValue.TRUE : JsonValue.FALSE;
        }
        return yaml == null ? JsonValue.NULL : Json.createValue(String.valueOf(yaml));
    }
}
