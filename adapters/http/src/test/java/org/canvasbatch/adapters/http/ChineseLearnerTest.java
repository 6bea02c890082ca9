package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.util.List;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.canvasbatch.adapters.http.ops.AccessToken;
import org.canvasbatch.testsupport.EventRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a learner on a Chinese system reads: Obsidian's Chromium sends {@code Accept-Language: zh-CN,zh;q=0.9} on every
 * call of the plugin, which shows the answer's {@code message} verbatim inside its Chinese interface.
 */
class ChineseLearnerTest {

    private static final String ZH = "zh-CN,zh;q=0.9";
    private static final String ANALYZE = "/canvas/intelligent-parallel";

    private ApiHarness api;

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    /**
     * A server started with an access token refuses every call of the plugin (which sends none): the learner read the
     * refusal in English only.
     */
    @Test
    void aServerThatWantsAnAccessTokenSaysSoInChinese() {
        api = new ApiHarness(ServerSettings.onPort(0).withAccessToken(AccessToken.of("f3b1c2d4e5a6978801234567")));

        Answer missing = api.post(ANALYZE, analyzeBody("数学 笔记/离散 数学.canvas"), "Accept-Language", ZH);
        Answer wrong =
                api.post(ANALYZE, analyzeBody("a.canvas"), "Accept-Language", ZH, "Authorization", "Bearer nope");
        Answer english = api.post(ANALYZE, analyzeBody("a.canvas"), "Accept-Language", "en-US,en;q=0.9");

        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().getString("message"))
                .contains("访问令牌", "Authorization: Bearer <", "?token=<")
                .doesNotContain("This server requires");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().getString("message")).contains("访问令牌").doesNotContain("The access token is wrong");
        assertThat(english.json().getString("message"))
                .startsWith("This server requires an access token")
                .doesNotContainPattern("\\p{IsHan}");
    }

    /** The commonest mistake, a server on another vault, names the learner's CJK path with its spaces intact. */
    @Test
    void aCanvasNotInTheVaultNamesTheLearnersPathIntactInChinese() {
        api = new ApiHarness();
        String canvas = "数学 笔记/离散 数学（第 1 章）.canvas";

        Answer answer = api.post(ANALYZE, analyzeBody(canvas), "Accept-Language", ZH);

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().getString("message"))
                .startsWith("画布“" + canvas + "”不在此服务器的库")
                .contains("--vault");
        assertThat(answer.json().getJsonObject("details").getString("canvas_path"))
                .isEqualTo(canvas);
    }

    /** Whatever the header says, the answer stays whole JSON; only a preference for Chinese gives Chinese. */
    @Test
    void oddLanguageHeadersNeverBreakTheAnswerAndEnglishNeverGetsChinese() {
        api = new ApiHarness();
        record Case(String header, boolean chinese) {}
        List<Case> cases = List.of(
                new Case("en-US", false),
                new Case("en-US,en;q=0.9,zh-CN;q=0.8", false),
                new Case("*", false),
                new Case("zh;q=0", false),
                new Case("zh;q=NaN", false),
                new Case("zh;q=2", false),
                new Case(";;;,,,", false),
                new Case("zh-x-" + "a".repeat(5000), false),
                new Case("zh-Hant-TW", true),
                new Case("ZH-cn", true),
                new Case("de-DE,zh;q=0.5", true),
                new Case("en;q=0.5,zh-CN", true));
        for (Case c : cases) {
            Answer answer = api.post(ANALYZE, analyzeBody("无此画布.canvas"), "Accept-Language", c.header());

            assertThat(answer.status()).as(c.header()).isEqualTo(404);
            JsonObject json = answer.json();
            String message = json.getString("message");
            assertThat(message.contains("无此画布.canvas")).as(c.header()).isTrue();
            assertThat(message.startsWith("画布“")).as(c.header()).isEqualTo(c.chinese());
        }
    }

    /**
     * A node's failure (the model server down or refusing the key, a timeout, a note that could not be written) is
     * journalled in the core's English; the poll's {@code node_results}, which the summary's failed list shows, says it
     * in the learner's language (FailureReasonLanguageTest: the socket's messages).
     */
    @Test
    void aNodeTheModelServerRefusedSaysWhyInChinese() {
        aCanvasWhoseNodeTheModelServerRefuses();
        String id = api.post(ANALYZE, analyzeBody("学习/命题.canvas"), "Accept-Language", ZH)
                .json()
                .getString("session_id");
        EventRecorder events = api.record(id);
        api.post(ANALYZE + "/confirm", "{\"session_id\":\"" + id + "\"}", "Accept-Language", ZH);
        api.awaitFinished(events, 1);

        JsonObject failed = api.get(ANALYZE + "/" + id, "Accept-Language", ZH)
                .json()
                .getJsonArray("node_results")
                .getJsonObject(0);

        assertThat(failed.getString("status")).isEqualTo("failed");
        assertThat(failed.getString("error"))
                .isEqualTo("模型服务器拒绝了 API 密钥：the model server answered 401: invalid api key (check --api-key)");
    }

    /** The summary's retry button posts the node alone; a failure again says why in the learner's language. */
    @Test
    void aRetryTheModelServerRefusesSaysWhyInChinese() {
        aCanvasWhoseNodeTheModelServerRefuses();

        Answer retry = api.post(
                "/canvas/single-agent",
                "{\"canvas_path\":\"学习/命题.canvas\",\"node_id\":\"n1\",\"agent\":\"oral-explanation\"}",
                "Accept-Language",
                ZH);

        assertThat(retry.status()).isEqualTo(502);
        assertThat(retry.json().getString("message"))
                .isEqualTo(
                        "重新处理失败：模型服务器拒绝了 API 密钥：the model server answered 401: invalid api key (check" + " --api-key)");
    }

    private void aCanvasWhoseNodeTheModelServerRefuses() {
        api = new ApiHarness();
        api.agent.then(
                "n1",
                new org.canvasbatch.testsupport.ScriptedAgent.Fail(
                        org.canvasbatch.application.port.out.AgentFailure.permanent(
                                "http_401", "the model server answered 401: invalid api key (check --api-key)")));
        api.canvas("学习/命题.canvas", ApiHarness.nodesJson("n1", "什么是命题"));
    }

    private static String analyzeBody(String canvas) {
        return "{\"canvas_path\":\"" + canvas + "\",\"nodes\":" + ApiHarness.nodesJson("n1", "什么是命题")
                + ",\"options\":{\"grouping_mode\":\"intelligent\",\"max_groups\":6,\"auto_execute\":false}}";
    }
}
