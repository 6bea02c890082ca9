package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.canvasbatch.testsupport.socket.TestSocket.primarySeqs;

import jakarta.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.stream.LongStream;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.ScriptedAgent.WaitForPermit;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the Obsidian plugin and other watchers of a batch see on the socket, end to end over a real server. */
class SessionSocketFlowTest {

    private final TestServer server = new TestServer(WsSettings.DEFAULT);

    @AfterEach
    void stop() {
        server.close();
    }

    private static JsonObject data(JsonObject message) {
        return message.getJsonObject("data");
    }

    private static List<JsonObject> ofType(List<JsonObject> messages, String type) {
        return messages.stream().filter(m -> m.getString("type").equals(type)).toList();
    }

    @Test
    void aClientSeesConnectedASnapshotEveryOutcomeOnceAndTheCompletionThenAClose1000() {
        SessionId id = server.analyze(12);
        server.agent.always("n5", ScriptedAgent.permanent("The model refused: content policy"));
        TestSocket plugin = TestSocket.connect(server.socket(id));
        JsonObject snapshot = plugin.await("snapshot");

        server.start(id);
        JsonObject completed = plugin.await("session_completed");
        assertThat(plugin.awaitClose()).isEqualTo(1000);
        assertThat(plugin.closeReason()).isEqualTo("session completed");

        List<JsonObject> messages = plugin.messages();
        int groups = data(snapshot).getJsonArray("groups").size();
        assertThat(messages.getFirst().getString("type")).isEqualTo("connected");
        assertThat(data(messages.getFirst()).getBoolean("resumed")).isFalse();
        assertThat(data(messages.getFirst()).getString("state")).isEqualTo("pending");
        assertThat(messages.subList(1, 1 + groups))
                .extracting(m -> m.getString("type"))
                .containsOnly("progress_update");
        assertThat(messages.get(1 + groups).getString("type")).isEqualTo("snapshot");
        assertThat(messages).allSatisfy(m -> {
            assertThat(m.getString("task_id")).isEqualTo(id.value());
            assertThat(m.getString("session_id")).isEqualTo(id.value());
            assertThat(m.getString("timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        });

        Map<Integer, Integer> outcomesPerGroup = new HashMap<>();
        for (JsonObject m : messages) {
            if (m.getString("type").equals("task_completed")
                    || m.getString("type").equals("task_failed")) {
                outcomesPerGroup.merge(data(m).getInt("group_id"), 1, Integer::sum);
            }
        }
        for (JsonObject group : data(snapshot).getJsonArray("groups").getValuesAs(JsonObject.class)) {
            assertThat(outcomesPerGroup.get(group.getInt("group_id")))
                    .as("outcomes of group %d", group.getInt("group_id"))
                    .isEqualTo(group.getInt("nodes_total"));
        }
        List<Long> seqs = primarySeqs(messages);
        assertThat(seqs)
                .doesNotHaveDuplicates()
                .isSorted()
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(2, seqs.getLast()).boxed().toList());
        assertThat(ofType(messages, "task_failed"))
                .singleElement()
                .satisfies(m -> assertThat(data(m).getString("error")).isEqualTo("The model refused: content policy"));
        assertThat(data(completed).getString("status")).isEqualTo("completed");
        assertThat(data(completed).getString("state")).isEqualTo("partial_failure");
        assertThat(data(completed).getJsonArray("node_results")).hasSize(12);
        assertThat(data(completed).getInt("success_count")).isEqualTo(11);
        JsonObject lastProgress = ofType(messages, "progress_update").getLast();
        assertThat(data(lastProgress).getInt("nodes_completed"))
                .isEqualTo(data(lastProgress).getInt("nodes_total"));
        EventRecorder.awaitCondition(() -> server.channel.connectionCount() == 0, "the socket was removed");
    }

    @Test
    void thePluginsSocketWithoutLastSeqGetsTheWholeHistoryAndNoProgressThatReopensAFinishedGroup() {
        SessionId id = server.analyze(6);
        server.agent.always("n2", ScriptedAgent.permanent("The model refused: content policy"));
        server.runToEnd(id);

        TestSocket plugin = TestSocket.connectAsPlugin(server.socket(id));
        plugin.await("session_completed");
        assertThat(plugin.awaitClose()).isEqualTo(1000);

        List<JsonObject> messages = plugin.messages();
        assertThat(data(messages.getFirst()).getBoolean("resumed")).isTrue();
        assertThat(ofType(messages, "snapshot"))
                .as("the plugin counts task messages, not a snapshot")
                .isEmpty();
        assertThat(messages.stream()
                        .filter(m -> m.getString("type").startsWith("task_"))
                        .filter(m -> !m.getString("type").equals("task_started"))
                        .map(m -> data(m).getString("node_id")))
                .containsExactlyInAnyOrder("n1", "n2", "n3", "n4", "n5", "n6");
        assertThat(ofType(messages, "progress_update"))
                .as("(plugin) a progress_update sets its group running again")
                .allSatisfy(
                        m -> assertThat(data(m).getInt("nodes_completed")).isLessThan(data(m).getInt("nodes_total")));

        TestSocket script = TestSocket.connect(server.socket(id));
        script.await("session_completed");
        assertThat(ofType(script.messages(), "snapshot"))
                .as("other clients keep the snapshot")
                .hasSize(1);
    }

    @Test
    void joiningMidRunGivesTheSnapshotThenOnlyNewerEvents() {
        SessionId id = server.analyze(9);
        Semaphore permits = new Semaphore(0);
        for (int i = 1; i <= 9; i++) {
            server.agent.always("n" + i, new WaitForPermit(permits));
        }
        EventRecorder core = server.record(id);
        server.start(id);
        permits.release(4);
        core.await(
                TaskSucceeded.class,
                e -> core.events().stream()
                                .filter(TaskSucceeded.class::isInstance)
                                .count()
                        >= 4);

        TestSocket late = TestSocket.connect(server.socket(id));
        JsonObject snapshot = late.await("snapshot");
        long snapshotSeq = snapshot.getJsonNumber("seq").longValue();
        assertThat(data(snapshot).getInt("completed_nodes")).isGreaterThanOrEqualTo(4);
        permits.release(5);
        late.await("session_completed");

        List<Long> seqs = primarySeqs(late.messages());
        assertThat(seqs).isNotEmpty().allSatisfy(seq -> assertThat(seq).isGreaterThan(snapshotSeq));
        assertThat(seqs)
                .containsExactlyElementsOf(LongStream.rangeClosed(snapshotSeq + 1, seqs.getLast())
                        .boxed()
                        .toList());
        long outcomes = late.messages().stream()
                .filter(m -> m.getString("type").equals("task_completed"))
                .count();
        assertThat(outcomes + data(snapshot).getInt("completed_nodes")).isEqualTo(9);
    }

    @Test
    void aFinishedSessionAnswersWithItsSnapshotAndCompletionAtOnceThenCloses() {
        SessionId id = server.analyze(5);
        server.runToEnd(id);

        TestSocket plugin = TestSocket.connect(server.socket(id));

        assertThat(plugin.awaitClose()).isEqualTo(1000);
        List<String> types =
                plugin.messages().stream().map(m -> m.getString("type")).toList();
        assertThat(types.getFirst()).isEqualTo("connected");
        assertThat(types.subList(types.size() - 2, types.size())).containsExactly("snapshot", "session_completed");
        JsonObject completed = plugin.messages().getLast();
        assertThat(data(completed).getJsonArray("node_results")).hasSize(5);
        assertThat(data(completed).getString("status")).isEqualTo("completed");
        assertThat(data(completed).containsKey("elapsed_seconds")).isTrue();
    }

    /**
     * An unknown session's handshake is refused with 404, not accepted and closed with 4404: the plugin resets its
     * reconnect counter on every open and reconnected every second for ever (issue 9, item 6). A refused handshake
     * counts against it, so it falls back to polling, whose answer ends its window (PluginLostSessionTest).
     */
    @Test
    void anUnknownSessionIsRefusedAtTheHandshakeWith404AndAPlainRequestSaysWhy() throws Exception {
        for (String path : List.of(
                "/ws/intelligent-parallel/no-such-session",
                "/ws/intelligent-parallel/not%20an%20id",
                "/api/v1/ws/intelligent-parallel/no-such-session/")) {
            var handshake = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .header("Origin", "app://obsidian.md")
                    .buildAsync(server.socket(path), new WebSocket.Listener() {});

            assertThatThrownBy(handshake::join)
                    .as(path)
                    .hasCauseInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause())
                                    .getResponse()
                                    .statusCode())
                            .isEqualTo(404));
        }
        HttpResponse<String> plain = getAsAPage("/ws/intelligent-parallel/no-such-session", "zh-CN,zh;q=0.9");
        assertThat(plain.statusCode()).isEqualTo(404);
        assertThat(plain.body()).contains("SessionNotFoundError", "找不到批处理会话“no-such-session”");
        assertThat(server.channel.connectionCount()).isZero();
    }

    @Test
    void aKnownSessionsSocketPathWithoutAnUpgradeSaysToUseAWebSocket() throws Exception {
        SessionId id = server.analyze(2);

        HttpResponse<String> plain = getAsAPage("/ws/intelligent-parallel/" + id.value(), "en-US");

        assertThat(plain.statusCode()).isEqualTo(426);
        assertThat(plain.headers().firstValue("Upgrade")).hasValue("websocket");
        assertThat(plain.body()).contains("UpgradeRequiredError", "\"status_code\":426");
    }

    @Test
    void aChineseBrowserOpeningTheSocketAddressAsAPageReadsWhyInChinese() throws Exception {
        SessionId id = server.analyze(2);

        HttpResponse<String> plain = getAsAPage("/ws/intelligent-parallel/" + id.value(), "zh-CN,zh;q=0.9");

        assertThat(plain.statusCode()).isEqualTo(426);
        assertThat(plain.body()).contains("这是批处理会话“" + id.value() + "”的 WebSocket 地址：请用 WebSocket 客户端连接");
    }

    @Test
    void twoSocketsOnOneSessionBothGetEverythingOnEitherPathEvenWithStraySlashes() {
        SessionId id = server.analyze(10);
        TestSocket first = TestSocket.connect(server.socket(id));
        TestSocket second = TestSocket.connect(server.socket("//api/v1/ws/intelligent-parallel/" + id.value() + "/"));
        first.await("snapshot");
        second.await("snapshot");

        server.start(id);
        first.await("session_completed");
        second.await("session_completed");

        assertThat(primarySeqs(first.messages())).isNotEmpty().isEqualTo(primarySeqs(second.messages()));
        assertThat(first.awaitClose()).isEqualTo(1000);
        assertThat(second.awaitClose()).isEqualTo(1000);
    }

    /** A socket's address fetched as a page is, as a browser's address bar or curl does. */
    private HttpResponse<String> getAsAPage(String path, String acceptLanguage) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(server.http(path))
                                .header("Accept-Language", acceptLanguage)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
