package org.canvasbatch.benchmarks.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.spi.JsonProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.fixtures.TopicEmbeddings;

/**
 * A language model that answers the OpenAI Chat Completions call ({@code POST /v1/chat/completions}) with the same
 * note after a set latency, so that the server's own costs are all that is left to measure. It records when each call
 * came in and went out, which tells the batch's dispatch overhead apart from the model's time.
 *
 * <p>It also answers OpenAI's embeddings call ({@code POST /v1/embeddings}) at once, with deterministic vectors that
 * encode each text's topic from a hidden table ({@link #embeddingTopics}), so that grouping by embeddings can be
 * measured end to end.
 */
public final class FakeModel implements AutoCloseable {

    private static final JsonProvider JSON = JsonProvider.provider();

    /** One answered call, on the {@link System#nanoTime()} scale. */
    record Call(long startedNanos, long answeredNanos) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final byte[] answer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final List<Call> calls = new ArrayList<>();
    private volatile Duration latency = Duration.ZERO;
    private volatile Duration jitter = Duration.ZERO;
    private volatile TopicEmbeddings topics = new TopicEmbeddings(Map.of());

    private FakeModel(HttpServer server, byte[] answer) {
        this.server = server;
        this.answer = answer;
    }

    public static FakeModel start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        FakeModel model = new FakeModel(http, answerJson(Notes.teachingNote()).getBytes(StandardCharsets.UTF_8));
        http.createContext("/v1/chat/completions", model::handle);
        http.createContext("/v1/embeddings", model::embeddings);
        http.setExecutor(model.executor);
        http.start();
        return model;
    }

    /** What canvas-batch is told with {@code --base-url}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Every call takes exactly {@code value}: all calls of a round finish together, the worst case for bursts. */
    void latency(Duration value) {
        latency(value, Duration.ZERO);
    }

    /** Every call takes {@code base} ± up to {@code spread}, uniformly, as a real model's answers vary. */
    void latency(Duration base, Duration spread) {
        latency = base;
        jitter = spread;
    }

    /** The hidden table of text to topic that the embeddings encode. */
    public void embeddingTopics(TopicEmbeddings table) {
        topics = table;
    }

    private void embeddings(HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream body = exchange.getRequestBody()) {
            JsonObject request = JSON.createReader(body).readObject();
            List<String> inputs = request.getJsonArray("input").getValuesAs(JsonString.class).stream()
                    .map(JsonString::getString)
                    .toList();
            JsonArrayBuilder data = JSON.createArrayBuilder();
            for (int i = 0; i < inputs.size(); i++) {
                JsonArrayBuilder vector = JSON.createArrayBuilder();
                for (float value : topics.vectorOf(inputs.get(i))) {
                    vector.add(value);
                }
                data.add(JSON.createObjectBuilder()
                        .add("object", "embedding")
                        .add("index", i)
                        .add("embedding", vector));
            }
            byte[] answer = JSON.createObjectBuilder()
                    .add("object", "list")
                    .add("data", data)
                    .add("model", request.getString("model"))
                    .build()
                    .toString()
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    /** Forgets the calls seen so far, for the next measurement. */
    synchronized void reset() {
        calls.clear();
        peakInFlight.set(inFlight.get());
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    int peakInFlight() {
        return peakInFlight.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        int now = inFlight.incrementAndGet();
        peakInFlight.accumulateAndGet(now, Math::max);
        try (exchange;
                InputStream body = exchange.getRequestBody()) {
            body.transferTo(OutputStream.nullOutputStream());
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            long spread = jitter.toNanos();
            long offset = spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(-spread, spread + 1);
            sleepUntil(started + latency.toNanos() + offset);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        } finally {
            inFlight.decrementAndGet();
            synchronized (this) {
                calls.add(new Call(started, System.nanoTime()));
            }
        }
    }

    private static void sleepUntil(long deadlineNanos) throws IOException {
        try {
            long left;
            while ((left = deadlineNanos - System.nanoTime()) > 0) {
                Thread.sleep(Duration.ofNanos(left));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while playing the model", e);
        }
    }

    private static String answerJson(String note) {
        return "{\"id\":\"chatcmpl-load\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"load-model\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + JsonText.quote(note)
                + "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":400,\"completion_tokens\":700,"
                + "\"total_tokens\":1100}}";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
