package org.canvasbatch.adapters.agents;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Which embedding model groups questions by meaning: any server that speaks OpenAI's embeddings API
 * ({@code POST {baseUrl}/embeddings}) — OpenAI itself, or Ollama ({@code http://localhost:11434/v1}), vLLM, LM Studio.
 * Unset model: no embeddings, questions are grouped by their words (offline). Blank strings count as unset.
 *
 * <p>Anthropic has no embedding endpoint. With the anthropic (or offline) provider an embedding model needs its own
 * {@code baseUrl}, typically a local Ollama; with the openai provider the notes' server and key are used unless these
 * settings name others.
 *
 * @param baseUrl the embeddings server's API base; unset = the openai provider's base URL
 * @param model   e.g. {@code text-embedding-3-small}, {@code nomic-embed-text}, {@code bge-m3}
 * @param apiKey  unset = the openai provider's key when the server is the same, else {@code OPENAI_API_KEY} for
 *                OpenAI's own API, else none (a local server needs none)
 * @param timeout for all the calls of one analysis together; analyze must answer within seconds, so this is short
 */
public record EmbeddingConfig(String baseUrl, String model, String apiKey, Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public EmbeddingConfig {
        baseUrl = blankToNull(baseUrl);
        model = blankToNull(model);
        apiKey = blankToNull(apiKey);
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    }

    /** No embedding model: grouping by words. */
    public static EmbeddingConfig none() {
        return new EmbeddingConfig(null, null, null, null);
    }

    public boolean configured() {
        return model != null;
    }

    /**
     * This configuration completed from the notes' model settings: the base URL and key of an openai provider, the
     * key from {@code env} for OpenAI's own API.
     *
     * @throws IllegalArgumentException with a message that tells the user which option to set
     */
    EmbeddingConfig resolved(AgentConfig agent, Map<String, String> env) {
        if (!configured()) {
            if (baseUrl != null) {
                throw new IllegalArgumentException("--embedding-base-url " + baseUrl + " was given without"
                        + " --embedding-model: name the embedding model, e.g. --embedding-model nomic-embed-text");
            }
            return this;
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("the embedding timeout must be positive, got " + timeout);
        }
        String base = baseUrl;
        String key = apiKey;
        if (base == null) {
            if (agent.provider() != AgentConfig.Provider.OPENAI) {
                throw new IllegalArgumentException("--embedding-model " + model + " needs --embedding-base-url: the "
                        + agent.provider().wireName() + " provider has no embedding endpoint; point it at an"
                        + " OpenAI-compatible server, e.g. --embedding-base-url http://localhost:11434/v1 (Ollama)");
            }
            base = agent.baseUri().toString();
            key = key != null ? key : agent.apiKey();
        }
        checkUrl(base);
        URI uri = URI.create(trimmed(base));
        URI openAi = URI.create(AgentConfig.Provider.OPENAI.defaultBaseUrl());
        if (key == null && uri.getHost().equalsIgnoreCase(openAi.getHost())) {
            key = blankToNull(env.get(AgentConfig.Provider.OPENAI.apiKeyVariable()));
            if (key == null) {
                throw new IllegalArgumentException(uri + " needs an API key for embeddings: set "
                        + AgentConfig.Provider.OPENAI.apiKeyVariable() + " (or --embedding-api-key)");
            }
        }
        return new EmbeddingConfig(trimmed(base), model, key, timeout);
    }

    private static void checkUrl(String url) {
        String hint = "--embedding-base-url must be an http:// or https:// URL such as http://localhost:11434/v1, got '"
                + url + "'";
        try {
            URI uri = new URI(url);
            AgentConfig.refuseCredentialsIn("--embedding-base-url", uri, "--embedding-api-key");
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https"))
                    || uri.getHost() == null
                    || uri.getQuery() != null
                    || uri.getFragment() != null) {
                throw new IllegalArgumentException(hint);
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(hint, e);
        }
    }

    private static String trimmed(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
