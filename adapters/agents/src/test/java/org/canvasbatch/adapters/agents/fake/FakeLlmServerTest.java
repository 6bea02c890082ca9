package org.canvasbatch.adapters.agents.fake;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.canvasbatch.fixtures.TopicEmbeddings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake behaves like the real services where the agents' tests and bootstrap's end-to-end tests rely on it. */
class FakeLlmServerTest {

    private final FakeLlmServer llm = FakeLlmServer.start();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        llm.close();
        http.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + llm.port() + path))
                        .header("anthropic-version", "2023-06-01")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(String content) {
        return "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    @Test
    void answersBothApisInTheirOwnShape() throws Exception {
        HttpResponse<String> openai = post("/v1/chat/completions", chat("<question>\\nWhat is a heap?\\n</question>"));
        HttpResponse<String> anthropic = post("/v1/messages", chat("<question>\\nWhat is a heap?\\n</question>"));

        assertThat(openai.statusCode()).isEqualTo(200);
        assertThat(openai.body())
                .contains("\"object\":\"chat.completion\"", "\"finish_reason\":\"stop\"", "# What is a heap?");
        assertThat(anthropic.body())
                .contains(
                        "\"type\":\"message\"",
                        "\"stop_reason\":\"end_turn\"",
                        "\"type\":\"text\"",
                        "# What is a heap?");
        assertThat(llm.recordedCalls()).extracting(FakeLlmServer.Call::api).containsExactly("openai", "anthropic");
    }

    @Test
    void embedsTextsOfOneTopicCloseTogetherAndRefusesAnEmptyInputAsOpenAiDoes() throws Exception {
        llm.embeddingTopics(new TopicEmbeddings(Map.of(
                "什么是核糖体", "cell", "What is a ribosome?", "cell", "What caused the French Revolution?", "history")));

        HttpResponse<String> answer = post(
                "/v1/embeddings",
                "{\"model\":\"e\",\"input\":[\"什么是核糖体\",\"What is a ribosome?\","
                        + "\"What caused the French Revolution?\"]}");
        HttpResponse<String> empty = post("/v1/embeddings", "{\"model\":\"e\",\"input\":[\"\"]}");

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonArray data = JsonProvider.provider()
                .createReader(new StringReader(answer.body()))
                .readObject()
                .getJsonArray("data");
        double[][] vectors = new double[3][];
        for (int i = 0; i < 3; i++) {
            vectors[i] = data.getJsonObject(i).getJsonArray("embedding").getValuesAs(JsonNumber.class).stream()
                    .mapToDouble(JsonNumber::doubleValue)
                    .toArray();
        }
        assertThat(cosine(vectors[0], vectors[1])).isGreaterThan(0.5);
        assertThat(cosine(vectors[0], vectors[2])).isLessThan(0.3);
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).contains("input");
    }

    private static double cosine(double[] a, double[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int d = 0; d < a.length; d++) {
            dot += a[d] * b[d];
            na += a[d] * a[d];
            nb += b[d] * b[d];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void refusesWhatTheRealServicesRefuse() throws Exception {
        assertThat(post("/v1/chat/completions", "{\"messages\":[]}").body())
                .contains("you must provide a model parameter");
        assertThat(post("/v1/messages", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                        .body())
                .contains("\"type\":\"error\"", "max_tokens: Field required");
        assertThat(post("/v2/complete", chat("x")).statusCode()).isEqualTo(404);
        assertThat(llm.calls()).isEqualTo(3);
    }

    @Test
    void aLatencyDelaysTheAnswerAndClosingReleasesAHangingCall() throws Exception {
        llm.enqueue(Reply.delayed(Duration.ofMillis(50), Reply.note("late")), Reply.hang());
        long start = System.nanoTime();
        assertThat(post("/v1/chat/completions", chat("a")).body()).contains("late");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));

        CompletableFuture<HttpResponse<String>> hanging = http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + llm.port() + "/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(chat("b")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(llm.awaitCalls(2, Duration.ofSeconds(10))).isTrue();
        assertThat(hanging).isNotDone();

        llm.close();

        assertThat(hanging).failsWithin(10, TimeUnit.SECONDS);
    }
}
