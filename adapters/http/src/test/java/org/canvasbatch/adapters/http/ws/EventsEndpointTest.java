package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.LongStream;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.CapturedLogs;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET …/{id}/events}: the socket's history over plain HTTP (CONTRACT §3.3). */
class EventsEndpointTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final TestServer server = new TestServer(WsSettings.DEFAULT);

    @AfterEach
    void stop() {
        server.close();
    }

    private record Answer(int status, JsonObject body, String contentType) {}

    private Answer get(String path) {
        return get(path, "en-US");
    }

    private Answer get(String path, String acceptLanguage) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(server.http(path))
                            .header("Content-Type", "application/json")
                            .header("Accept-Language", acceptLanguage)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    response.statusCode(),
                    Json.createReader(new StringReader(response.body())).readObject(),
                    response.headers().firstValue("Content-Type").orElse(""));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<Long> primarySeqs(JsonObject body) {
        return TestSocket.primarySeqs(body.getJsonArray("events").getValuesAs(JsonObject.class));
    }

    @Test
    void theWholeHistoryIsTheSameMessagesTheSocketSends() {
        SessionId id = server.analyze(5);
        server.runToEnd(id);
        long lastSeq = server.core.useCases().status().status(id).lastSeq();
        TestSocket socket = TestSocket.connect(server.socket(id, "?last_seq=0"));
        socket.awaitClose();

        Answer answer = get("/canvas/intelligent-parallel/" + id.value() + "/events");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(primarySeqs(answer.body()))
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, lastSeq).boxed().toList());
        assertThat(answer.body().getInt("last_seq")).isEqualTo((int) lastSeq);
        assertThat(answer.body().getBoolean("has_more")).isFalse();
        assertThat(answer.body().getString("epoch"))
                .isEqualTo(socket.messages().getFirst().getJsonObject("data").getString("epoch"));
        List<JsonObject> events = answer.body().getJsonArray("events").getValuesAs(JsonObject.class);
        List<JsonObject> sent =
                socket.messages().stream().filter(m -> m.containsKey("derived")).toList();
        assertThat(events)
                .extracting(e -> e.getString("type") + "#" + e.getInt("seq"))
                .containsExactlyElementsOf(sent.stream()
                        .map(e -> e.getString("type") + "#" + e.getInt("seq"))
                        .toList());
        assertThat(events.stream()
                        .filter(e -> e.getString("type").equals("progress_update"))
                        .toList())
                .extracting(e -> e.getJsonObject("data").getInt("nodes_completed"))
                .isNotEmpty();
    }

    @Test
    void aPageStartsAfterTheGivenSeqAndSaysWhereToContinue() {
        SessionId id = server.analyze(5);
        server.runToEnd(id);

        Answer page = get("/api/v1/canvas/intelligent-parallel/" + id.value() + "/events/?after_seq=3&limit=2");

        assertThat(page.status()).isEqualTo(200);
        assertThat(primarySeqs(page.body())).containsExactly(4L, 5L);
        assertThat(page.body().getInt("next_after_seq")).isEqualTo(5);
        assertThat(page.body().getBoolean("has_more")).isTrue();
    }

    @Test
    void anUnknownSessionIs404AndBadParametersAre422InTheErrorEnvelope() {
        SessionId id = server.analyze(2);

        Answer unknown = get("/canvas/intelligent-parallel/nope/events");
        Answer negative = get("/canvas/intelligent-parallel/" + id.value() + "/events?after_seq=-1");
        Answer tooMany = get("/canvas/intelligent-parallel/" + id.value() + "/events?limit=5000&after_seq=x");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().getString("error")).isEqualTo("SessionNotFoundError");
        assertThat(unknown.body().getString("message")).isEqualTo("Session 'nope' not found");
        assertThat(unknown.body().getJsonObject("detail").getString("message")).isEqualTo("Session 'nope' not found");
        assertThat(unknown.body().getJsonObject("details").getString("session_id"))
                .isEqualTo("nope");
        assertThat(negative.status()).isEqualTo(422);
        assertThat(negative.body().getString("error")).isEqualTo("ValidationError");
        assertThat(negative.body().getJsonArray("errors").getJsonObject(0).getString("field"))
                .isEqualTo("after_seq");
        assertThat(tooMany.status()).isEqualTo(422);
        assertThat(tooMany.body().getJsonArray("errors"))
                .extracting(e -> e.asJsonObject().getString("field"))
                .containsExactly("after_seq", "limit");
        assertThat(tooMany.body().getString("message")).contains("limit").contains("1000");
        Answer beyond = get("/canvas/intelligent-parallel/" + id.value() + "/events?after_seq=" + Long.MAX_VALUE);
        assertThat(beyond.status()).isEqualTo(422);
        assertThat(beyond.body().getString("message"))
                .as("the number is whole and not below 0: the message names what is wrong with it (found by a hostile"
                        + " test)")
                .contains("at most " + (Long.MAX_VALUE - 1))
                .doesNotContain("or more");
        assertThat(List.of(unknown, negative, tooMany))
                .as("every refusal repeats its status, as the API's do")
                .extracting(a -> a.body().getInt("status_code"))
                .containsExactly(404, 422, 422);
    }

    /**
     * A refusal is worth one INFO line, and only one: a session id or a parameter a caller percent-encodes a line
     * break into ({@code %0A}) is decoded into the message that is logged, where it starts a line of its own that
     * reads like the server's ("INFO … session 42 completed"), and a parameter of a few kilobytes is logged whole.
     */
    @Test
    void aRefusalLogsOneBoundedLineWhateverThePathHolds() {
        SessionId id = server.analyze(2);
        String forged = "%0AINFO%20org.canvasbatch:%20session%2042%20completed";
        String longValue = "9".repeat(4_000);

        try (CapturedLogs logs = CapturedLogs.of(EventsEndpoint.class.getName())) {
            Answer unknown = get("/canvas/intelligent-parallel/x" + forged + "/events");
            Answer invalid = get("/canvas/intelligent-parallel/" + id.value() + "/events?after_seq=1" + forged);
            Answer tooLong = get("/canvas/intelligent-parallel/" + id.value() + "/events?limit=" + longValue);

            assertThat(List.of(unknown, invalid, tooLong))
                    .extracting(Answer::status)
                    .containsExactly(404, 422, 422);
            assertThat(logs.visibleLines()).hasSize(3);
            assertThat(logs.visibleLines())
                    .as("no line break or control character of the caller's reaches the log")
                    .allSatisfy(line -> assertThat(line).doesNotContain("\n").doesNotContain("\r"));
            assertThat(logs.visibleLines())
                    .as("a client's mistake writes a line, not kilobytes")
                    .allSatisfy(line -> assertThat(line.length()).isLessThan(1_000));
        }
    }

    /** Obsidian on a Chinese system asks for Chinese on every request; the other refusals of this route answer in it. */
    @Test
    void aCallerThatPrefersChineseReadsTheRefusalsInChinese() {
        SessionId id = server.analyze(2);
        String chinese = "zh-CN,zh;q=0.9";

        Answer unknown = get("/canvas/intelligent-parallel/nope/events", chinese);
        Answer negative = get("/canvas/intelligent-parallel/" + id.value() + "/events?after_seq=-1", chinese);

        assertThat(unknown.body().getString("message")).isEqualTo("找不到批处理会话“nope”");
        assertThat(negative.body().getString("message")).startsWith("请求有误：after_seq");
        assertThat(negative.body().getInt("status_code")).isEqualTo(422);
    }

    /**
     * A summary read back later tells the batch as it ended at that point: a node retried after the end does not turn
     * the first summary's failure into a success (the second summary, after the retry, says so).
     */
    @Test
    void eachReplayedSummaryTellsTheBatchAsItWasWhenItWasSent() {
        SessionId id = server.analyze(2);
        server.agent.then("n2", org.canvasbatch.testsupport.ScriptedAgent.permanent("The model refused"));
        var events = server.record(id);
        server.runToEnd(id);
        server.core.useCases().retryNode().retry(id, "n2");
        events.await(
                org.canvasbatch.domain.session.SessionEvent.SessionFinished.class,
                e -> e.state() == org.canvasbatch.domain.session.SessionState.COMPLETED);

        Answer answer = get("/canvas/intelligent-parallel/" + id.value() + "/events");

        List<JsonObject> summaries = answer.body().getJsonArray("events").getValuesAs(JsonObject.class).stream()
                .filter(e -> e.getString("type").equals("session_completed"))
                .map(e -> e.getJsonObject("data"))
                .toList();
        assertThat(summaries).extracting(d -> d.getString("state")).containsExactly("partial_failure", "completed");
        assertThat(summaries.getFirst().getJsonArray("node_results"))
                .extracting(r -> r.asJsonObject().getString("node_id") + ":"
                        + r.asJsonObject().getString("status"))
                .containsExactly("n1:success", "n2:failed");
        assertThat(summaries.getLast().getJsonArray("node_results"))
                .extracting(r -> r.asJsonObject().getString("status"))
                .containsExactly("success", "success");
    }
}
