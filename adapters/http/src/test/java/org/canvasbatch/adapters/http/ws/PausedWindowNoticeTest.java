package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.canvasbatch.adapters.http.text.FailureReasons;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * (plugin) It ignores {@code session_paused}, so its window looked hung while someone else had paused the batch. Its
 * sockets get a recoverable {@code error} (error_type {@code session_paused}) that it shows as a notice: a notice of
 * the plugin's sockets only, not an event — not in the history, not to any other client.
 */
class PausedWindowNoticeTest {

    private static final String CHINESE = "zh-CN,zh;q=0.9";
    private static final int NODES = 3;

    private final TestServer server = new TestServer(WsSettings.DEFAULT);
    private final Semaphore permits = new Semaphore(0);

    @AfterEach
    void stop() {
        permits.release(100);
        server.close();
    }

    @Test
    void thePluginsSocketIsToldInARecoverableErrorThatNoOtherClientGetsAndNoHistoryHolds() throws Exception {
        SessionId id = waitingBatch();
        TestSocket other = TestSocket.connect(server.socket(id));
        other.await("snapshot");
        TestSocket window = TestSocket.connectAsPlugin(server.socket(id), CHINESE);
        window.await("connected");
        server.start(id);
        window.await("session_started");

        other.send("{\"type\":\"pause\",\"request_id\":1}");

        JsonObject notice = window.await("error");
        JsonObject data = notice.getJsonObject("data");
        String chinese = "批处理已暂停（在仪表板上或由其他程序暂停）；在仪表板（http://127.0.0.1:" + server.port() + "/）上点 Resume 后会接着处理。";
        assertThat(data.getString("message")).isEqualTo(chinese);
        assertThat(data.getString("error_message")).isEqualTo(chinese);
        assertThat(data.getString("error_type")).isEqualTo("session_paused");
        assertThat(data.getBoolean("recoverable")).isTrue();
        assertThat(data.get("retry_after")).isEqualTo(JsonValue.NULL);
        assertThat(data.get("node_id")).isEqualTo(JsonValue.NULL);
        assertThat(data.get("group_id")).isEqualTo(JsonValue.NULL);
        assertThat(notice.containsKey("derived")).as("a notice, not an event").isFalse();
        List<JsonObject> got = window.messages();
        assertThat(got.indexOf(window.await("session_paused"))).isLessThan(got.indexOf(notice));

        other.send("{\"type\":\"resume\",\"request_id\":2}");
        // resumed before the nodes may answer: a batch whose last running node ends while it is paused ends there
        other.await("session_resumed");
        permits.release(NODES);
        window.await("session_completed");
        other.await("session_completed");

        assertThat(window.messages()).filteredOn(m -> type(m).equals("error")).hasSize(1);
        assertThat(other.messages()).anyMatch(m -> type(m).equals("session_paused"));
        assertThat(other.messages()).noneMatch(m -> type(m).equals("error"));
        assertThat(history(id)).noneMatch(m -> type(m).equals("error"));
    }

    /**
     * A plugin socket whose history cannot be replayed (here: a {@code last_seq} beyond it) gets a snapshot, which says
     * that the batch stands paused but not why: told so, without a "by whom".
     */
    @Test
    void aPluginSocketSentASnapshotOfAPausedBatchIsToldWithoutSayingByWhom() {
        SessionId id = waitingBatch();
        server.start(id);
        server.core.useCases().pause().pause(id, "paused over the WebSocket");

        TestSocket window = TestSocket.connectAsPlugin(server.socket(id, "?last_seq=1000000"), "en-US,en;q=0.9");
        window.await("snapshot");

        assertThat(window.await("error").getJsonObject("data").getString("message"))
                .isEqualTo(FailureReasons.paused("http://127.0.0.1:" + server.port() + "/"))
                .isEqualTo("The batch is paused; press Resume on the dashboard, http://127.0.0.1:" + server.port()
                        + "/, and it goes on.");
    }

    /**
     * A batch the server paused itself (found running at start with its canvas not in this vault) says why, in the
     * server's words after a Chinese lead, as a node's reason does; a later socket of the same window is not told again.
     */
    @Test
    void aPauseOfTheServersOwnSaysWhyAndIsToldToAWindowOnce() {
        SessionId id = waitingBatch();
        server.start(id);
        server.core.useCases().pause().pause(id, CanvasBatchCore.NOT_IN_THIS_VAULT);

        TestSocket window = TestSocket.connectAsPlugin(server.socket(id), CHINESE);

        assertThat(window.await("error").getJsonObject("data").getString("message"))
                .isEqualTo("批处理已暂停：这个库里没有它的画布（也许是共用数据文件夹的另一个库的批处理）；用它的画布运行 canvas-batch run，" + "或在确认后继续它，才会接着处理。");
        // long after the notice, the learner minimizes the window (the plugin closes its socket) and reopens it
        server.moveChannelClockAhead(Duration.ofSeconds(2));
        window.closeFromClient();
        window.awaitClose();
        EventRecorder.awaitCondition(() -> server.channel.connectionCount() == 0, "the window's socket gone");
        TestSocket again = TestSocket.connectAsPlugin(server.socket(id), CHINESE);
        again.await("connected");
        server.core.useCases().resume().resume(id, "resumed by request");
        permits.release(NODES);
        again.await("session_completed");
        assertThat(again.messages()).noneMatch(m -> type(m).equals("error"));
        assertThat(server.core.useCases().status().status(id).state()).isEqualTo(SessionState.COMPLETED);
    }

    private SessionId waitingBatch() {
        SessionId id = server.analyze(NODES);
        for (int i = 1; i <= NODES; i++) {
            server.agent.always("n" + i, new ScriptedAgent.WaitForPermit(permits));
        }
        return id;
    }

    private List<JsonObject> history(SessionId id) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(server.http(
                                        "/canvas/intelligent-parallel/" + id.value() + "/events?limit=1000"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        try (var reader = Json.createReader(new StringReader(answer.body()))) {
            return reader.readObject().getJsonArray("events").getValuesAs(JsonObject.class);
        }
    }

    private static String type(JsonObject message) {
        return message.getString("type", "");
    }
}
