package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.util.List;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * (plugin) The summary lists each failed node with its reason, inside a Chinese interface; Obsidian on a Chinese system
 * asks for Chinese on the socket's handshake. One session's events are rendered once for every socket, so the Chinese
 * reader's copy must not reach the English one, nor the other way round.
 */
class FailureReasonLanguageTest {

    private static final String CHINESE = "zh-CN,zh;q=0.9";
    private static final String REFUSED = "the model server answered 401: invalid api key (check --api-key)";

    private final TestServer server = new TestServer(WsSettings.DEFAULT);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aChineseWindowReadsWhyANodeFailedInChineseWhileAnEnglishClientOfTheSameBatchReadsEnglish() {
        SessionId id = twoNodesTheFirstRefusedByTheModelServer();
        TestSocket chinese = TestSocket.connectAsPlugin(server.socket(id), CHINESE);
        TestSocket english = TestSocket.connect(server.socket(id));
        chinese.await(TestSocket::isPrimaryEvent);
        english.await("snapshot");

        server.start(id);
        JsonObject chineseEnd = chinese.await("session_completed");
        JsonObject englishEnd = english.await("session_completed");

        String inChinese = "模型服务器拒绝了 API 密钥：" + REFUSED;
        assertThat(chinese.await("task_failed").getJsonObject("data").getString("error"))
                .isEqualTo(inChinese);
        assertThat(failedReason(chineseEnd)).as("the summary's failed list").isEqualTo(inChinese);
        assertThat(english.await("task_failed").getJsonObject("data").getString("error"))
                .isEqualTo(REFUSED);
        assertThat(failedReason(englishEnd)).isEqualTo(REFUSED);
    }

    /** A window that opens after the batch ended is sent the session's end at once, a frame shared per language. */
    @Test
    void theEndSentToSocketsThatOpenAfterTheBatchIsInEachReadersLanguage() {
        SessionId id = twoNodesTheFirstRefusedByTheModelServer();
        server.runToEnd(id);

        TestSocket chinese = TestSocket.connectAsPlugin(server.socket(id), CHINESE);
        JsonObject chineseEnd = chinese.await("session_completed");
        TestSocket english = TestSocket.connectAsPlugin(server.socket(id), "en-US,en;q=0.9");
        JsonObject englishEnd = english.await("session_completed");
        TestSocket secondChinese = TestSocket.connectAsPlugin(server.socket(id), CHINESE);
        JsonObject secondChineseEnd = secondChinese.await("session_completed");

        assertThat(failedReason(chineseEnd)).startsWith("模型服务器拒绝了 API 密钥：");
        assertThat(failedReason(englishEnd)).isEqualTo(REFUSED);
        assertThat(failedReason(secondChineseEnd)).isEqualTo(failedReason(chineseEnd));
    }

    private SessionId twoNodesTheFirstRefusedByTheModelServer() {
        SessionId id = server.analyze(2);
        server.agent.always("n1", new ScriptedAgent.Fail(AgentFailure.permanent("http_401", REFUSED)));
        return id;
    }

    private static String failedReason(JsonObject sessionCompleted) {
        List<JsonObject> failed = sessionCompleted.getJsonObject("data").getJsonArray("node_results").stream()
                .map(JsonObject.class::cast)
                .filter(result -> result.getString("status").equals("failed"))
                .toList();
        assertThat(failed).extracting(result -> result.getString("node_id")).containsExactly("n1");
        return failed.getFirst().getString("error");
    }
}
