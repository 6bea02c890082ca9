package org.canvasbatch.adapters.agents;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.EmbeddingUnavailable;
import org.canvasbatch.application.port.out.TextEmbedder;

/**
 * Semantic vectors from OpenAI's embeddings API ({@code POST {baseUrl}/embeddings}), which OpenAI, Ollama, vLLM and
 * LM Studio all serve. Texts go in batches; the whole analysis gets one time budget, and any failure — the server down,
 * too slow, an error status, an answer that is not one vector per text — is an {@link EmbeddingUnavailable}, upon which
 * the caller groups by words.
 */
public final class OpenAiEmbeddings implements TextEmbedder {

    /** Inputs per call: OpenAI accepts up to 2 048, local servers are happier with fewer. */
    static final int BATCH = 128;
    /**
     * The largest answer read: a batch's vectors as JSON numbers (128 of 3 072 dimensions at about 20 characters each is
     * 8 MB), with room to spare; past it the server is broken or hostile, and the words decide the groups.
     */
    static final long MAX_ANSWER_BYTES = 64L * 1024 * 1024;
    /** Characters of one question sent: a question is short, and a pasted page would only cost tokens. */
    static final int MAX_TEXT_CHARS = 2_000;

    private final EmbeddingConfig config;
    private final ModelServer server;
    private final URI endpoint;

    /** @param config already {@linkplain EmbeddingConfig#resolved resolved}: base URL and key in place */
    OpenAiEmbeddings(EmbeddingConfig config, HttpClient http, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        if (!config.configured() || config.baseUrl() == null) {
            throw new IllegalArgumentException("an embeddings client needs a model and a base URL");
        }
        this.endpoint = URI.create(config.baseUrl() + "/embeddings");
        this.server = new ModelServer(
                http,
                "embeddings server at " + config.baseUrl(),
                "check --embedding-api-key or " + AgentConfig.Provider.OPENAI.apiKeyVariable(),
                clock,
                MAX_ANSWER_BYTES);
    }

    @Override
    public List<float[]> embed(List<String> texts) throws EmbeddingUnavailable, InterruptedException {
        long deadline = System.nanoTime() + config.timeout().toNanos();
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int start = 0; start < texts.size(); start += BATCH) {
            List<String> batch = texts.subList(start, Math.min(texts.size(), start + BATCH));
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new EmbeddingUnavailable("the embeddings server at " + config.baseUrl()
                        + " did not answer all texts within " + seconds(config.timeout()));
            }
            vectors.addAll(call(batch, Duration.ofNanos(left)));
        }
        // the grouping takes vectors of one length, each pointing somewhere, or none: said here, where the log says so
        // and the words decide, rather than dropped silently under "grouped by … embeddings"
        int length = vectors.isEmpty() ? 0 : vectors.get(0).length;
        for (float[] vector : vectors) {
            if (vector.length != length || length == 0) {
                throw new EmbeddingUnavailable(
                        "the embeddings server at " + config.baseUrl() + " answered vectors of different lengths");
            }
            if (allZero(vector)) {
                throw new EmbeddingUnavailable("the embeddings server at " + config.baseUrl()
                        + " answered an embedding of zeros, which points nowhere");
            }
        }
        return vectors;
    }

    private static boolean allZero(float[] vector) {
        for (float value : vector) {
            if (value != 0f) {
                return false;
            }
        }
        return true;
    }

    private List<float[]> call(List<String> batch, Duration timeout) throws EmbeddingUnavailable, InterruptedException {
        JsonArrayBuilder input = ModelServer.JSON.createArrayBuilder();
        for (String text : batch) {
            input.add(sendable(text));
        }
        JsonObject body = ModelServer.JSON
                .createObjectBuilder()
                .add("model", config.model())
                .add("input", input)
                .build();
        HttpRequest.Builder request = ModelServer.jsonPost(endpoint, timeout, body);
        if (config.apiKey() != null) {
            request.header("Authorization", "Bearer " + config.apiKey());
        }
        JsonObject answer;
        try {
            answer = server.call(request.build());
        } catch (AgentFailure failure) {
            throw new EmbeddingUnavailable(failure.getMessage());
        }
        return vectorsOf(answer, batch.size());
    }

    /** OpenAI refuses an empty input; a question without text embeds as a blank one. */
    private static String sendable(String text) {
        if (text == null || text.isBlank()) {
            return " ";
        }
        return text.length() <= MAX_TEXT_CHARS ? text : text.substring(0, MAX_TEXT_CHARS);
    }

    private List<float[]> vectorsOf(JsonObject answer, int expected) throws EmbeddingUnavailable {
        if (!(answer.get("data") instanceof JsonArray data) || data.size() != expected) {
            throw broken("answered without one vector per text: " + ModelServer.excerpt(answer.toString()));
        }
        float[][] vectors = new float[expected][];
        for (int position = 0; position < data.size(); position++) {
            if (!(data.get(position) instanceof JsonObject item)
                    || !(item.get("embedding") instanceof JsonArray values)) {
                throw broken("answered an item without an embedding");
            }
            int index = item.get("index") instanceof JsonNumber number ? number.intValue() : position;
            if (index < 0 || index >= expected || vectors[index] != null) {
                throw broken("answered an embedding with index " + index + " for " + expected + " texts");
            }
            float[] vector = new float[values.size()];
            for (int d = 0; d < vector.length; d++) {
                JsonValue value = values.get(d);
                // finite as a float too: 1e300 is a double but an infinite float
                if (!(value instanceof JsonNumber number) || !Float.isFinite((float) number.doubleValue())) {
                    throw broken("answered an embedding that is not a list of numbers");
                }
                vector[d] = (float) number.doubleValue();
            }
            vectors[index] = vector;
        }
        return List.of(vectors);
    }

    private EmbeddingUnavailable broken(String what) {
        return new EmbeddingUnavailable("the embeddings server at " + config.baseUrl() + " " + what);
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format("%.1f s", millis / 1000.0);
    }

    /** {@code openai:<model>} for logs, e.g. {@code openai:nomic-embed-text}. */
    @Override
    public String model() {
        return "openai:" + config.model();
    }
}
