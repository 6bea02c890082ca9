package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.adapters.http.ApiHarness.nodesJson;
import static org.canvasbatch.testsupport.EventRecorder.awaitCondition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.ScriptedAgent.WaitForPermit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /canvas/single-agent} under load and under transient model errors (issue 14 item 7, issue 9 item 8):
 * the calls share the server-wide limit with the batches and follow the batch's retry policy.
 */
class SingleAgentLimitsTest {

    private static final String LOOSE_CANVAS = "复习/散题.canvas";
    private static final int GLOBAL_LIMIT = CoreSettings.DEFAULT.globalConcurrency();

    private final ApiHarness api = new ApiHarness();
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        callers.shutdownNow();
        api.close();
    }

    private CompletableFuture<Answer> singleAgent(String canvas, String nodeId) {
        String body =
                "{\"canvas_path\":\"" + canvas + "\",\"node_id\":\"" + nodeId + "\",\"agent\":\"oral-explanation\"}";
        return CompletableFuture.supplyAsync(() -> api.post("/canvas/single-agent", body), callers);
    }

    @Test
    void manySingleAgentCallsAtOnceNeverExceedTheGlobalLimitAndABatchStartedMeanwhileGetsItsShare() {
        int calls = 145;
        Semaphore modelAnswers = new Semaphore(0);
        List<CanvasNode> looseNodes = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            looseNodes.add(ApiHarness.node("q" + i, "什么是第 " + i + " 个概念", "1"));
            api.agent.always("q" + i, new WaitForPermit(modelAnswers));
        }
        api.vault.withCanvas(new Canvas(LOOSE_CANVAS, looseNodes, List.of()));
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            answers.add(singleAgent(LOOSE_CANVAS, "q" + i));
        }
        awaitCondition(() -> api.agent.inFlight() == GLOBAL_LIMIT, "the single-node calls fill the global limit");

        String[] batchNodes = new String[60];
        for (int i = 0; i < 30; i++) {
            batchNodes[2 * i] = "b" + i;
            batchNodes[2 * i + 1] = "什么是批量问题 " + i;
            api.agent.always("b" + i, new WaitForPermit(modelAnswers));
        }
        api.canvas("复习/批量.canvas", nodesJson(batchNodes));
        String batch = api.post(
                        "/canvas/intelligent-parallel",
                        "{\"canvas_path\":\"复习/批量.canvas\",\"nodes\":" + nodesJson(batchNodes) + "}")
                .json()
                .getString("session_id");
        EventRecorder batchEvents = api.record(batch);
        assertThat(api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + batch + "\"}")
                        .status())
                .isEqualTo(202);
        assertThat(api.core.useCases().status().status(new SessionId(batch)).running())
                .as("every slot is taken")
                .isZero();

        // each model answer frees one slot; the batch, with fewer calls in flight, gets it until both hold the same
        int half = GLOBAL_LIMIT / 2;
        for (int released = 1;
                api.core.useCases().status().status(new SessionId(batch)).running() < half
                        && released <= 5 * GLOBAL_LIMIT;
                released++) {
            modelAnswers.release();
            int answered = released;
            awaitCondition(
                    () -> api.agent.calls().size() - api.agent.inFlight() == answered
                            && api.agent.inFlight() == GLOBAL_LIMIT,
                    "the model answered once more and the freed slot is taken again");
        }
        assertThat(api.core.useCases().status().status(new SessionId(batch)).running())
                .as("the batch's fair share of the global limit")
                .isEqualTo(half);

        modelAnswers.release(10_000);
        assertThat(answers)
                .allSatisfy(
                        a -> assertThat(a.join().status()).as(a.join().text()).isEqualTo(200));
        api.awaitFinished(batchEvents, 1);
        assertThat(api.get("/canvas/intelligent-parallel/" + batch).json().getString("state"))
                .isEqualTo("completed");
        assertThat(api.agent.peakInFlight())
                .as("model calls in flight at once, against the global limit of %d", GLOBAL_LIMIT)
                .isEqualTo(GLOBAL_LIMIT);
    }

    @Test
    void aSingleAgentCallWhoseModelFailsTransientlyIsTriedThreeTimesLikeABatchNode() {
        api.vault.withCanvas(new Canvas(LOOSE_CANVAS, List.of(ApiHarness.node("t", "什么是重试", "1")), List.of()));
        api.agent
                .then("t", ScriptedAgent.transientFailure("HTTP 503: the model is overloaded", null))
                .then("t", ScriptedAgent.transientFailure("timeout after 120 s", null));

        Answer answer = singleAgent(LOOSE_CANVAS, "t").join();

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(api.agent.callsOf("t")).isEqualTo(3);
    }

    @Test
    void aSingleAgentCallWhoseNodeKeepsFailingTransientlyIs502AfterThreeAttempts() {
        api.vault.withCanvas(new Canvas(LOOSE_CANVAS, List.of(ApiHarness.node("t", "什么是重试", "1")), List.of()));
        api.agent.always("t", ScriptedAgent.transientFailure("HTTP 503: the model is overloaded", null));

        Answer answer = singleAgent(LOOSE_CANVAS, "t").join();

        assertThat(answer.status()).isEqualTo(502);
        assertThat(answer.json().getString("error")).isEqualTo("AgentFailedError");
        assertThat(answer.json().getString("message")).isEqualTo("HTTP 503: the model is overloaded");
        assertThat(api.agent.callsOf("t")).isEqualTo(3);
    }

    @Test
    void aModelAskingToWaitLongerThanTheCallMayIs503WithThatRetryAfter() {
        api.vault.withCanvas(new Canvas(LOOSE_CANVAS, List.of(ApiHarness.node("t", "什么是限流", "1")), List.of()));
        api.agent.then("t", ScriptedAgent.transientFailure("HTTP 429: quota exceeded", Duration.ofHours(1)));

        Answer answer = singleAgent(LOOSE_CANVAS, "t").join();

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.header("Retry-After")).isEqualTo("3600");
        assertThat(answer.allowOrigin()).isEqualTo(ApiHarness.PLUGIN_ORIGIN);
        assertThat(answer.json().getString("error")).isEqualTo("ServerBusyError");
        assertThat(answer.json().getString("message")).contains("HTTP 429: quota exceeded");
        assertThat(answer.json().getJsonObject("details").getInt("retry_after")).isEqualTo(3600);
        assertThat(api.agent.callsOf("t")).isEqualTo(1);
    }
}
