package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.adapters.http.ApiHarness.PLUGIN_ORIGIN;
import static org.canvasbatch.adapters.http.ApiHarness.nodesJson;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The REST calls of the Obsidian plugin, step by step, as its source makes them (reference §1). */
class PluginRestFlowTest {

    private static final String CANVAS = "数学/离散数学.canvas";

    private final ApiHarness api = new ApiHarness();

    @AfterEach
    void stop() {
        api.close();
    }

    private String analyzeBody(String nodes) {
        return "{\"canvas_path\":\"" + CANVAS + "\",\"nodes\":" + nodes
                + ",\"options\":{\"grouping_mode\":\"intelligent\",\"max_groups\":6,\"auto_execute\":false}}";
    }

    private JsonObject analyze(String... idsAndTexts) {
        api.canvas(CANVAS, nodesJson(idsAndTexts));
        Answer answer = api.post("/canvas/intelligent-parallel", analyzeBody(nodesJson(idsAndTexts)));
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        return answer.json();
    }

    @Test
    void preflightFromObsidianIsAnsweredWithTheOriginMethodsAndRequestedHeaders() {
        Answer preflight = api.send(
                "OPTIONS",
                "/canvas/intelligent-parallel",
                java.net.http.HttpRequest.BodyPublishers.noBody(),
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "content-type,user-agent",
                "Content-Type",
                null);

        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.allowOrigin()).isEqualTo(PLUGIN_ORIGIN);
        assertThat(preflight.header("Access-Control-Allow-Methods")).contains("GET", "POST", "OPTIONS");
        assertThat(preflight.header("Access-Control-Allow-Headers")).contains("content-type", "user-agent");
        assertThat(preflight.header("Access-Control-Max-Age")).isNotBlank();
    }

    @Test
    void analyzeGroupsTheGivenNodesWithIntegerGroupIdsAndEveryFieldThePluginReads() {
        JsonObject analysis = analyze(
                "n1",
                "什么是逆否命题",
                "n2",
                "什么是命题",
                "n3",
                "什么是否命题",
                "n4",
                "充分条件和必要条件的区别",
                "n5",
                "对比充分条件与必要条件",
                "n6",
                "如何理解数学归纳法");

        assertThat(analysis.getBoolean("success")).isTrue();
        assertThat(analysis.getString("session_id")).matches("[A-Za-z0-9_-]+");
        assertThat(analysis.getString("canvas_path")).isEqualTo(CANVAS);
        assertThat(analysis.getInt("total_nodes")).isEqualTo(6);
        assertThat(analysis.getInt("total_groups"))
                .isEqualTo(analysis.getJsonArray("groups").size())
                .isPositive();
        assertThat(analysis.getJsonNumber("total_estimated_time_seconds").longValue())
                .isPositive();
        assertThat(analysis.getString("estimated_duration")).matches("\\d+(秒|分钟)|\\d+小时(\\d+分钟)?");
        assertThat(analysis.get("silhouette_score")).isInstanceOf(JsonNumber.class);
        assertThat(analysis.getInt("recommended_k")).isPositive();
        assertThat(analysis.get("resource_warning")).isEqualTo(JsonValue.NULL);
        int expectedId = 1;
        int nodesSeen = 0;
        for (JsonValue value : analysis.getJsonArray("groups")) {
            JsonObject group = value.asJsonObject();
            assertThat(group.get("group_id")).isInstanceOf(JsonNumber.class);
            assertThat(group.getInt("group_id")).isEqualTo(expectedId++);
            assertThat(group.getString("priority")).isIn("urgent", "high", "medium", "low");
            assertThat(group.getString("group_name")).isNotBlank();
            assertThat(group.getString("group_emoji")).isNotBlank();
            assertThat(group.getString("category")).isNotBlank();
            assertThat(group.getString("recommended_agent"))
                    .isIn(
                            "oral-explanation",
                            "comparison-table",
                            "clarification-path",
                            "deep-decomposition",
                            "memory-anchor",
                            "example-teaching");
            assertThat(group.getJsonNumber("confidence").doubleValue()).isBetween(0.0, 1.0);
            assertThat(group.getJsonNumber("estimated_time_seconds").longValue())
                    .isPositive();
            for (JsonValue node : group.getJsonArray("nodes")) {
                assertThat(node.asJsonObject().getString("id"))
                        .isEqualTo(node.asJsonObject().getString("node_id"));
                assertThat(node.asJsonObject().getString("text")).isNotBlank();
                nodesSeen++;
            }
        }
        assertThat(nodesSeen).isEqualTo(6);
    }

    @Test
    void fileAndLinkNodesWithoutTextAreGroupedToo() {
        String nodes = "[{\"id\":\"f1\",\"type\":\"file\",\"file\":\"notes/命题.md\",\"color\":\"1\",\"x\":0,\"y\":0,"
                + "\"width\":400,\"height\":400},{\"id\":\"l1\",\"type\":\"link\",\"url\":\"https://example.org\","
                + "\"color\":\"6\",\"x\":0,\"y\":500,\"width\":400,\"height\":400}]";
        api.canvas(CANVAS, nodes);

        Answer answer = api.post("/canvas/intelligent-parallel", analyzeBody(nodes));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json().getInt("total_nodes")).isEqualTo(2);
    }

    @Test
    void confirmWithOnlyTheSessionIdAnswers202WhileTheWorkRunsInTheBackgroundThenStatusReachesCompleted() {
        CountDownLatch gate = new CountDownLatch(1);
        api.agent.then("c1", new ScriptedAgent.WaitFor(gate));
        String id = analyze("c1", "什么是命题", "c2", "什么是逆否命题").getString("session_id");
        EventRecorder events = api.record(id);

        Answer confirm = api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\"}");

        assertThat(confirm.status()).as(confirm.text()).isEqualTo(202);
        assertThat(confirm.allowOrigin()).isEqualTo(PLUGIN_ORIGIN);
        JsonObject started = confirm.json();
        assertThat(started.getString("session_id")).isEqualTo(id);
        assertThat(started.getString("status")).isEqualTo("running");
        assertThat(started.getInt("total_groups")).isPositive();
        assertThat(started.getInt("total_nodes")).isEqualTo(2);
        assertThat(started.getString("created_at")).endsWith("Z");
        assertThat(started.getString("estimated_completion")).endsWith("Z");
        assertThat(started.getString("websocket_url"))
                .isEqualTo("ws://127.0.0.1:" + api.server.port() + "/ws/intelligent-parallel/" + id);

        events.await(TaskStarted.class, e -> e.nodeId().equals("c1"));
        JsonObject running = api.get("/canvas/intelligent-parallel/" + id).json();
        assertThat(running.getString("status")).as("c1 is held by the agent").isEqualTo("running");
        assertThat(running.getJsonArray("groups").getJsonObject(0).getInt("group_id"))
                .isEqualTo(1);

        gate.countDown();
        api.awaitFinished(events, 1);
        Answer done = api.get("/canvas/intelligent-parallel/" + id);
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.allowOrigin()).isEqualTo(PLUGIN_ORIGIN);
        JsonObject status = done.json();
        assertThat(status.getString("status")).isEqualTo("completed");
        assertThat(status.getString("state")).isEqualTo("completed");
        assertThat(status.getInt("completed_nodes")).isEqualTo(2);
        assertThat(status.getJsonNumber("progress").doubleValue()).isEqualTo(100.0);
        assertThat(status.getJsonArray("node_results"))
                .hasSize(2)
                .allSatisfy(
                        r -> assertThat(r.asJsonObject().getString("status")).isEqualTo("success"));
        for (JsonValue group : status.getJsonArray("groups")) {
            JsonObject g = group.asJsonObject();
            assertThat(g.getInt("nodes_completed")).isEqualTo(g.getInt("nodes_total"));
            assertThat(g.getString("status")).isEqualTo("completed");
        }
        assertThat(status.getJsonNumber("elapsed_seconds").doubleValue()).isPositive();
        assertThat(api.vault.notes()).hasSize(2);
    }

    @Test
    void aPartialFailureEndsCompletedForThePollerAndTheRetryWithAgentThenMovesTheSession() {
        api.agent.then("p2", ScriptedAgent.permanent("The model refused: content policy"));
        String id = analyze("p1", "什么是命题", "p2", "什么是逆否命题", "p3", "什么是否命题").getString("session_id");
        EventRecorder events = api.record(id);
        api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\"}");
        api.awaitFinished(events, 1);

        JsonObject status = api.get("/canvas/intelligent-parallel/" + id).json();
        assertThat(status.getString("status"))
                .as("the plugin stops polling only on completed/failed")
                .isEqualTo("completed");
        assertThat(status.getString("state")).isEqualTo("partial_failure");
        assertThat(status.getInt("failed_nodes")).isEqualTo(1);
        JsonObject failed = status.getJsonArray("node_results").stream()
                .map(JsonValue::asJsonObject)
                .filter(r -> r.getString("node_id").equals("p2"))
                .findFirst()
                .orElseThrow();
        assertThat(failed.getString("status")).isEqualTo("failed");
        assertThat(failed.getString("error")).isEqualTo("The model refused: content policy");
        String agent = failed.getString("agent");

        Answer retry = api.post(
                "/canvas/single-agent",
                "{\"canvas_path\":\"" + CANVAS + "\",\"node_id\":\"p2\",\"agent\":\"" + agent + "\"}");

        assertThat(retry.status()).as(retry.text()).isEqualTo(200);
        JsonObject result = retry.json();
        assertThat(result.getString("node_id")).isEqualTo("p2");
        assertThat(result.getString("status")).isEqualTo("success");
        assertThat(result.getString("file_path")).endsWith(".md");
        assertThat(result.getJsonNumber("file_size").longValue()).isPositive();
        assertThat(result.getString("agent")).isEqualTo(agent);
        assertThat(result.get("processing_time_seconds")).isInstanceOf(JsonNumber.class);
        api.awaitFinished(events, 2);
        JsonObject after = api.get("/canvas/intelligent-parallel/" + id).json();
        assertThat(after.getString("state")).isEqualTo("completed");
        assertThat(after.getInt("failed_nodes")).isZero();
        assertThat(after.getInt("completed_nodes")).isEqualTo(3);
    }

    @Test
    void aRetryWhoseAgentFailsAgainIs502WithTheReasonAndTheNodeStaysFailed() {
        api.agent
                .then("r2", ScriptedAgent.permanent("first refusal"))
                .then("r2", ScriptedAgent.permanent("The model refused again"));
        String id = analyze("r1", "什么是命题", "r2", "什么是逆否命题").getString("session_id");
        EventRecorder events = api.record(id);
        api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\"}");
        api.awaitFinished(events, 1);

        Answer retry = api.post(
                "/canvas/single-agent",
                "{\"canvas_path\":\"" + CANVAS + "\",\"node_id\":\"r2\",\"agent\":\"oral-explanation\"}");

        assertThat(retry.status()).isEqualTo(502);
        assertThat(retry.allowOrigin()).isEqualTo(PLUGIN_ORIGIN);
        assertThat(retry.json().getString("error")).isEqualTo("AgentFailedError");
        assertThat(retry.json().getString("message")).contains("The model refused again");
        events.await(TaskFailed.class, e -> e.nodeId().equals("r2") && e.attempt() == 2);
        JsonObject status = api.get("/canvas/intelligent-parallel/" + id).json();
        assertThat(status.getInt("failed_nodes")).isEqualTo(1);
        assertThat(status.getString("state")).isEqualTo("partial_failure");
        JsonObject node = status.getJsonArray("node_results").getJsonObject(1);
        assertThat(node.getString("error")).isEqualTo("The model refused again");
        assertThat(node.getInt("attempts")).isEqualTo(2);
    }

    @Test
    void cancelWithAnEmptyBodyStopsTheBatchAndTheStatusEndsFailedForOtherPollers() {
        CountDownLatch gate = new CountDownLatch(1);
        api.agent.then("k1", new ScriptedAgent.WaitFor(gate));
        String id = analyze("k1", "什么是命题", "k2", "什么是逆否命题").getString("session_id");
        EventRecorder events = api.record(id);
        api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\",\"max_concurrent\":1}");
        events.await(TaskStarted.class, e -> e.nodeId().equals("k1"));

        Answer cancel = api.post("/canvas/intelligent-parallel/cancel/" + id, null);

        assertThat(cancel.status()).as(cancel.text()).isEqualTo(200);
        assertThat(cancel.allowOrigin()).isEqualTo(PLUGIN_ORIGIN);
        JsonObject body = cancel.json();
        assertThat(body.getBoolean("success")).isTrue();
        assertThat(body.getString("session_id")).isEqualTo(id);
        assertThat(body.getString("state")).isEqualTo("cancelled");
        assertThat(body.getInt("completed_count")).isZero();
        assertThat(body.getString("message")).isNotBlank();
        gate.countDown();
        // the plugin's window that cancelled ended on the answer: a poll of its in flight must not end it again
        JsonObject polled = api.get("/canvas/intelligent-parallel/" + id).json();
        assertThat(polled.getString("status")).isEqualTo("cancelled");
        assertThat(polled.getString("state")).isEqualTo("cancelled");
        JsonObject status =
                api.get("/canvas/intelligent-parallel/" + id, "Origin", null).json();
        assertThat(status.getString("status")).isEqualTo("failed");
        assertThat(status.getString("state")).isEqualTo("cancelled");
        assertThat(api.agent.calls()).as("k2 was never dispatched").doesNotContain("k2");

        Answer again = api.post("/canvas/intelligent-parallel/cancel/" + id, "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().getString("error")).isEqualTo("SessionAlreadyCompletedError");
    }

    @Test
    void confirmingTwiceIsAConflictThatNamesTheSession() {
        String id = analyze("d1", "什么是命题").getString("session_id");
        EventRecorder events = api.record(id);
        api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\"}");
        api.awaitFinished(events, 1);

        Answer again = api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\"}");

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().getString("error")).isEqualTo("SessionAlreadyStartedError");
        assertThat(again.json().getString("message")).contains(id);
        assertThat(again.allowOrigin()).isEqualTo(PLUGIN_ORIGIN);
    }

    /**
     * The plugin's preview shows one agent per group, and its summary and retry assume it (issue 9, item 4): so every
     * node runs its group's agent, and each node's agent is in the answer. A caller that shows per-node agents asks
     * for them with {@code node_agents: "per_node"}.
     */
    @Test
    void everyNodeRunsItsGroupsAgentUnlessTheCallerAsksForPerNodeAgents() {
        String[] nodes = {"c1", "集合和关系的区别", "c2", "对比函数与映射", "c3", "比较图和树的异同", "d1", "什么是集合"};
        api.canvas(CANVAS, nodesJson(nodes));
        String oneGroup =
                "{\"canvas_path\":\"" + CANVAS + "\",\"nodes\":" + nodesJson(nodes) + ",\"options\":{\"max_groups\":1";

        JsonObject asPreviewed =
                api.post("/canvas/intelligent-parallel", oneGroup + "}}").json();
        JsonObject perNode = api.post("/canvas/intelligent-parallel", oneGroup + ",\"node_agents\":\"per_node\"}}")
                .json();

        assertThat(asPreviewed.getString("node_agents")).isEqualTo("group");
        JsonObject group = asPreviewed.getJsonArray("groups").getJsonObject(0);
        assertThat(group.getString("recommended_agent")).isEqualTo("comparison-table");
        assertThat(group.getJsonArray("nodes"))
                .allSatisfy(n -> assertThat(n.asJsonObject().getString("agent")).isEqualTo("comparison-table"));
        assertThat(perNode.getString("node_agents")).isEqualTo("per_node");
        assertThat(agentOf(perNode, "d1")).isEqualTo("oral-explanation");
        assertThat(agentOf(perNode, "c1")).isEqualTo("comparison-table");

        String id = perNode.getString("session_id");
        EventRecorder events = api.record(id);
        api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\"}");
        api.awaitFinished(events, 1);
        JsonObject status = api.get("/canvas/intelligent-parallel/" + id).json();
        assertThat(status.getJsonArray("node_results"))
                .allSatisfy(r -> assertThat(r.asJsonObject().getString("agent"))
                        .isEqualTo(agentOf(perNode, r.asJsonObject().getString("node_id"))));
    }

    @Test
    void anUnknownNodeAgentsChoiceIsAFieldError() {
        api.canvas(CANVAS, nodesJson("a1", "什么是命题"));

        Answer answer = api.post(
                "/canvas/intelligent-parallel",
                "{\"canvas_path\":\"" + CANVAS + "\",\"nodes\":" + nodesJson("a1", "什么是命题")
                        + ",\"options\":{\"node_agents\":\"mine\"}}");

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.json().getJsonArray("errors").getJsonObject(0).getString("field"))
                .isEqualTo("options.node_agents");
        assertThat(answer.json().getString("message")).contains("\"group\" or \"per_node\"");
    }

    /**
     * The plugin ignores every non-2xx answer of its poll and polls for ever (issue 9, item 6): for the plugin's origin
     * an unknown session is a terminal failed status whose one result says what happened; everyone else gets 404.
     */
    @Test
    void thePluginsPollOfASessionThisServerDoesNotHaveEndsWithTheReason() {
        for (String path : List.of("/canvas/intelligent-parallel/gone", "/canvas/intelligent-parallel/status/gone")) {
            Answer poll = api.get(path, "Accept-Language", "zh-CN,zh;q=0.9");

            assertThat(poll.status()).as(path).isEqualTo(200);
            JsonObject status = poll.json();
            assertThat(status.getString("status")).isEqualTo("failed");
            assertThat(status.getString("state")).isEqualTo("not_found");
            assertThat(status.getJsonArray("groups")).isEmpty();
            JsonObject lost = status.getJsonArray("node_results").getJsonObject(0);
            assertThat(lost.getString("status")).isEqualTo("failed");
            assertThat(lost.getString("error")).startsWith("服务器上没有批处理会话“gone”");
            assertThat(poll.allowOrigin()).isEqualTo(PLUGIN_ORIGIN);
        }
        assertThat(api.get("/canvas/intelligent-parallel/gone", "Origin", null).status())
                .as("a caller that is not the plugin")
                .isEqualTo(404);
    }

    private static String agentOf(JsonObject analysis, String nodeId) {
        return analysis.getJsonArray("groups").stream()
                .flatMap(g -> g.asJsonObject().getJsonArray("nodes").stream())
                .map(n -> n.asJsonObject())
                .filter(n -> n.getString("id").equals(nodeId))
                .findFirst()
                .orElseThrow()
                .getString("agent");
    }

    @Test
    void autoExecuteStartsAtOnceAndTheSessionListShowsIt() {
        api.canvas(CANVAS, nodesJson("a1", "什么是命题"));
        Answer answer = api.post(
                "/canvas/intelligent-parallel",
                "{\"canvas_path\":\"" + CANVAS + "\",\"nodes\":" + nodesJson("a1", "什么是命题")
                        + ",\"options\":{\"auto_execute\":true}}");
        String id = answer.json().getString("session_id");
        assertThat(answer.json().getString("websocket_url")).endsWith("/ws/intelligent-parallel/" + id);

        JsonObject list = api.get("/canvas/intelligent-parallel").json();
        assertThat(list.getJsonArray("sessions"))
                .extracting(s -> s.asJsonObject().getString("session_id"))
                .contains(id);
        assertThat(List.of("running", "completed"))
                .contains(list.getJsonArray("sessions").getJsonObject(0).getString("status"));
    }
}
