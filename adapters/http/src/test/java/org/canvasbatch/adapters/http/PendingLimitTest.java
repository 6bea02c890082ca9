package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.adapters.http.ApiHarness.nodesJson;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.canvasbatch.application.batch.CoreSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Analysed sessions waiting for confirmation are capped per client address and over the server: each holds its groups
 * in memory and its events in the journal for 30 minutes, so without a cap one caller could fill both. Past the
 * server's cap the answer is 429 with {@code Retry-After} and the envelope; past a client's, its oldest waiting batch is
 * replaced; confirming or cancelling frees a place at once.
 */
class PendingLimitTest {

    private static final String ANALYZE = "/canvas/intelligent-parallel";

    private final ApiHarness api = new ApiHarness(
                    core -> ServerSettings.onPort(0), CoreSettings.DEFAULT.withPendingLimits(3, 2))
            .canvases("a.canvas");

    @AfterEach
    void stop() {
        api.close();
    }

    private static String body(String node) {
        return "{\"canvas_path\":\"a.canvas\",\"nodes\":" + nodesJson(node, "什么是命题 " + node) + "}";
    }

    /** An analysis sent from {@code from}, one of the machine's loopback addresses: another client. */
    private int analyzeFrom(String from, String node) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder()
                .localAddress(InetAddress.getByName(from))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(api.base() + ANALYZE))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body(node), StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }

    /**
     * The plugin's 取消 only closes its preview, and it confirms only the preview it shows: a learner who had looked at
     * twenty previews in half an hour got 429 on every analysis until the oldest expired ("confirm or cancel one",
     * which the plugin cannot) — a hostile tester's finding. Past its limit, a client's oldest waiting batch is
     * replaced by its newest, cancelled with why; confirming or cancelling still frees a place at once.
     */
    @Test
    void oneClientPastItsLimitHasItsOldestWaitingBatchReplacedByItsNewest() {
        String first = api.post(ANALYZE, body("a1")).json().getString("session_id");
        String second = api.post(ANALYZE, body("a2")).json().getString("session_id");

        Answer third = api.post(ANALYZE, body("a3"));

        assertThat(third.status()).as(third.text()).isEqualTo(200);
        var replaced = api.get(ANALYZE + "/" + first).json();
        assertThat(replaced.getString("state")).isEqualTo("cancelled");
        Answer confirmed = api.post(
                ANALYZE + "/confirm", "{\"session_id\":\"" + first + "\"}", "Accept-Language", "zh-CN,zh;q=0.9");
        assertThat(confirmed.status())
                .as("the replaced batch cannot be started any more")
                .isEqualTo(409);
        assertThat(confirmed.json().getString("message"))
                .as("what the plugin shows after \"Failed to confirm session: \": not \"already started\"")
                .isEqualTo("这个批处理在开始之前已被取消（被同一客户端更新的分析替换，或被人取消），从未开始：请重新分析Canvas。");
        assertThat(api.get(ANALYZE + "/" + second).json().getString("state"))
                .as("the newer ones wait")
                .isEqualTo("pending");
        String newest = third.json().getString("session_id");
        assertThat(api.post(ANALYZE + "/confirm", "{\"session_id\":\"" + newest + "\"}")
                        .status())
                .isEqualTo(202);
        assertThat(api.post(ANALYZE, body("a4")).status())
                .as("confirming freed a place: nothing replaced")
                .isEqualTo(200);
        assertThat(api.get(ANALYZE + "/" + second).json().getString("state")).isEqualTo("pending");
    }

    @Test
    void otherClientsHaveTheirOwnPlacesUntilTheServersLimit() throws Exception {
        assertThat(analyzeFrom("127.0.0.1", "b1")).isEqualTo(200);
        assertThat(analyzeFrom("127.0.0.1", "b2")).isEqualTo(200);
        assertThat(analyzeFrom("127.0.0.1", "b3")).as("its oldest replaced").isEqualTo(200);

        assertThat(analyzeFrom("127.0.0.2", "c1")).as("another address").isEqualTo(200);
        assertThat(analyzeFrom("127.0.0.3", "d1")).as("the server holds 3").isEqualTo(429);

        assertThat(api.post(ANALYZE, body("e1")).status())
                .as("a client with a batch waiting replaces its oldest, at the server's limit too")
                .isEqualTo(200);
    }

    @Test
    void aBatchThatStartsAtOnceDoesNotWaitAndIsNotCapped() {
        api.post(ANALYZE, body("f1"));
        api.post(ANALYZE, body("f2"));

        Answer started = api.post(
                ANALYZE,
                "{\"canvas_path\":\"a.canvas\",\"options\":{\"auto_execute\":true},\"nodes\":"
                        + nodesJson("f3", "什么是集合") + "}");

        assertThat(started.status()).as(started.text()).isEqualTo(200);
    }
}
