package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.adapters.http.ApiHarness.PLUGIN_ORIGIN;
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
 * in memory and its events in the journal for 30 minutes, so without a cap one caller could fill both. The answer past
 * the cap is 429 with {@code Retry-After} and the envelope; confirming or cancelling frees a place at once.
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

    @Test
    void oneClientPastItsLimitGets429WithRetryAfterUntilItConfirmsOrCancels() {
        String first = api.post(ANALYZE, body("a1")).json().getString("session_id");
        String second = api.post(ANALYZE, body("a2")).json().getString("session_id");

        Answer refused = api.post(ANALYZE, body("a3"));

        assertThat(refused.status()).as(refused.text()).isEqualTo(429);
        BadInputTest.assertEnvelope(refused, "TooManyPendingSessionsError");
        assertThat(refused.allowOrigin()).isEqualTo(PLUGIN_ORIGIN);
        assertThat(refused.json().getString("message"))
                .contains("2 analysed batches waiting to be confirmed")
                .contains("limit per client is 2");
        assertThat(refused.json().getJsonObject("details").getString("scope")).isEqualTo("client");
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertThat(retryAfter).as("when the oldest expires").isBetween(1L, 30L * 60);

        assertThat(api.post(ANALYZE + "/confirm", "{\"session_id\":\"" + first + "\"}")
                        .status())
                .isEqualTo(202);
        assertThat(api.post(ANALYZE, body("a4")).status())
                .as("confirming freed a place")
                .isEqualTo(200);
        assertThat(api.post(ANALYZE, body("a5")).status()).isEqualTo(429);
        assertThat(api.post(ANALYZE + "/cancel/" + second, null).status()).isEqualTo(200);
        assertThat(api.post(ANALYZE, body("a6")).status())
                .as("cancelling freed a place")
                .isEqualTo(200);
    }

    @Test
    void otherClientsHaveTheirOwnPlacesUntilTheServersLimit() throws Exception {
        assertThat(analyzeFrom("127.0.0.1", "b1")).isEqualTo(200);
        assertThat(analyzeFrom("127.0.0.1", "b2")).isEqualTo(200);
        assertThat(analyzeFrom("127.0.0.1", "b3")).isEqualTo(429);

        assertThat(analyzeFrom("127.0.0.2", "c1")).as("another address").isEqualTo(200);
        assertThat(analyzeFrom("127.0.0.3", "d1")).as("the server holds 3").isEqualTo(429);

        Answer full = api.post(ANALYZE, body("e1"));
        assertThat(full.json().getJsonObject("details").getString("scope")).isEqualTo("server");
        assertThat(full.json().getString("message")).contains("its limit is 3");
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
