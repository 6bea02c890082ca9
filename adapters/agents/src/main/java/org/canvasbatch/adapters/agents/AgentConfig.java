package org.canvasbatch.adapters.agents;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How notes are written: by the offline agent (the default, no network) or by a language model behind an
 * OpenAI-compatible server (OpenAI, Ollama, vLLM, LM Studio …) or Anthropic's Messages API. Blank strings count as
 * unset; unset numbers take the defaults below. {@link Agents#fromConfig(AgentConfig, Map)} validates it.
 *
 * @param baseUrl      e.g. {@code https://api.openai.com/v1} or {@code http://localhost:11434/v1}; unset = the
 *                     provider's public API
 * @param apiKey       unset = {@code OPENAI_API_KEY} / {@code ANTHROPIC_API_KEY} from the environment; a local
 *                     server needs none
 * @param timeout      for one HTTP call to the model
 * @param templatesDir a directory of {@code <agent-id>.md} prompt templates that replace the built-in ones, or null
 */
public record AgentConfig(
        Provider provider,
        String baseUrl,
        String model,
        String apiKey,
        Duration timeout,
        Double temperature,
        Integer maxTokens,
        Path templatesDir) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);
    public static final double DEFAULT_TEMPERATURE = 0.4;
    public static final int DEFAULT_MAX_TOKENS = 4096;

    public AgentConfig {
        provider = provider == null ? Provider.OFFLINE : provider;
        baseUrl = blankToNull(baseUrl);
        model = blankToNull(model);
        apiKey = blankToNull(apiKey);
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        temperature = temperature == null ? DEFAULT_TEMPERATURE : temperature;
        maxTokens = maxTokens == null ? DEFAULT_MAX_TOKENS : maxTokens;
    }

    /** The default: notes written without a language model. */
    public static AgentConfig offline() {
        return new AgentConfig(Provider.OFFLINE, null, null, null, null, null, null, null);
    }

    public AgentConfig withProvider(Provider value) {
        return new AgentConfig(value, baseUrl, model, apiKey, timeout, temperature, maxTokens, templatesDir);
    }

    public AgentConfig withBaseUrl(String value) {
        return new AgentConfig(provider, value, model, apiKey, timeout, temperature, maxTokens, templatesDir);
    }

    public AgentConfig withModel(String value) {
        return new AgentConfig(provider, baseUrl, value, apiKey, timeout, temperature, maxTokens, templatesDir);
    }

    public AgentConfig withApiKey(String value) {
        return new AgentConfig(provider, baseUrl, model, value, timeout, temperature, maxTokens, templatesDir);
    }

    public AgentConfig withTimeout(Duration value) {
        return new AgentConfig(provider, baseUrl, model, apiKey, value, temperature, maxTokens, templatesDir);
    }

    public AgentConfig withTemperature(Double value) {
        return new AgentConfig(provider, baseUrl, model, apiKey, timeout, value, maxTokens, templatesDir);
    }

    public AgentConfig withMaxTokens(Integer value) {
        return new AgentConfig(provider, baseUrl, model, apiKey, timeout, temperature, value, templatesDir);
    }

    public AgentConfig withTemplatesDir(Path value) {
        return new AgentConfig(provider, baseUrl, model, apiKey, timeout, temperature, maxTokens, value);
    }

    /** The base URL in force: the configured one, else the provider's public API. Checked by {@link #validated}. */
    URI baseUri() {
        String url = baseUrl != null ? baseUrl : provider.defaultBaseUrl();
        String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return URI.create(trimmed);
    }

    /**
     * This configuration checked, with the API key taken from {@code env} when none was given.
     *
     * @throws IllegalArgumentException with a message that tells the user which option to set and how
     */
    AgentConfig validated(Map<String, String> env) {
        if (provider == Provider.OFFLINE) {
            if (model != null || baseUrl != null) {
                throw new IllegalArgumentException((model != null ? "--model " + model : "--base-url " + baseUrl)
                        + " was given but the model provider is offline, which uses no model: add --model-provider "
                        + "openai (also for Ollama and other OpenAI-compatible servers) or --model-provider anthropic");
            }
            checkNumbers();
            return this;
        }
        if (model == null) {
            throw new IllegalArgumentException("the " + provider.wireName() + " provider needs a model: set --model, "
                    + "e.g. --model " + provider.exampleModel()
                    + (provider == Provider.OPENAI ? " (or an Ollama model such as --model qwen2.5)" : ""));
        }
        checkBaseUrl();
        checkNumbers();
        String key = apiKey != null ? apiKey : blankToNull(env.get(provider.apiKeyVariable()));
        if (key == null
                && baseUri()
                        .getHost()
                        .equalsIgnoreCase(URI.create(provider.defaultBaseUrl()).getHost())) {
            throw new IllegalArgumentException(baseUri() + " needs an API key: set the environment variable "
                    + provider.apiKeyVariable() + " (or --api-key)"
                    + (provider == Provider.OPENAI
                            ? "; for a local server such as Ollama, set --base-url "
                                    + "http://localhost:11434/v1 instead"
                            : ""));
        }
        checkKeyIsOneHeaderValue(key);
        return withApiKey(key);
    }

    /**
     * A key goes into an HTTP header; one with a line break or another control character (two keys pasted into one
     * variable, a stray newline) would make every call fail with an error that quotes the whole key into logs, the
     * journal and the wire. Refused at start instead, naming where it came from and never the key itself.
     */
    private void checkKeyIsOneHeaderValue(String key) {
        if (key == null) {
            return;
        }
        boolean printable = key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
        if (!printable) {
            throw new IllegalArgumentException(
                    "the API key (" + (apiKey != null ? "--api-key" : provider.apiKeyVariable())
                            + ") holds a space, a line break or a character outside ASCII, so it cannot be sent in an HTTP"
                            + " header: give exactly one key");
        }
    }

    private void checkBaseUrl() {
        if (baseUrl == null) {
            return;
        }
        String hint = "--base-url must be an http:// or https:// URL such as " + provider.defaultBaseUrl()
                + (provider == Provider.OPENAI ? " or http://localhost:11434/v1" : "") + ", got '" + baseUrl + "'";
        try {
            URI uri = new URI(baseUrl);
            refuseCredentialsIn("--base-url", uri, "--api-key (or " + provider.apiKeyVariable() + ")");
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

    /**
     * A user name and password in the URL ({@code http://me:secret@host/v1}) would be sent with no call, yet be written
     * into every failure message, the journal and the events the plugin shows: refused, without repeating the URL.
     */
    static void refuseCredentialsIn(String option, URI uri, String keyOption) {
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(option + " holds a user name or password (the part before '@'), which"
                    + " is never sent to the server: give the URL without it, and the key with " + keyOption);
        }
    }

    private void checkNumbers() {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("the model call timeout must be positive, got " + timeout);
        }
        if (!(temperature >= 0 && temperature <= 2)) {
            throw new IllegalArgumentException("--temperature must be between 0 and 2, got " + temperature);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
        }
        if (templatesDir != null && !Files.isDirectory(templatesDir)) {
            throw new IllegalArgumentException("--templates-dir " + templatesDir + " is not a directory");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** Who writes the notes. */
    public enum Provider {
        OFFLINE("offline", "", "", ""),
        OPENAI("openai", "https://api.openai.com/v1", "OPENAI_API_KEY", "gpt-4o-mini"),
        ANTHROPIC("anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY", "claude-3-5-haiku-latest");

        private final String wireName;
        private final String defaultBaseUrl;
        private final String apiKeyVariable;
        private final String exampleModel;

        Provider(String wireName, String defaultBaseUrl, String apiKeyVariable, String exampleModel) {
            this.wireName = wireName;
            this.defaultBaseUrl = defaultBaseUrl;
            this.apiKeyVariable = apiKeyVariable;
            this.exampleModel = exampleModel;
        }

        /** As written on the command line: {@code offline}, {@code openai}, {@code anthropic}. */
        public String wireName() {
            return wireName;
        }

        public String defaultBaseUrl() {
            return defaultBaseUrl;
        }

        /** The environment variable that holds the API key when none is configured. */
        public String apiKeyVariable() {
            return apiKeyVariable;
        }

        String exampleModel() {
            return exampleModel;
        }

        /** @throws IllegalArgumentException naming the accepted values */
        public static Provider parse(String name) {
            String normalised = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
            return Arrays.stream(values())
                    .filter(p -> p.wireName.equals(normalised))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown model provider '" + name + "': use "
                            + Arrays.stream(values()).map(Provider::wireName).collect(Collectors.joining(", "))
                            + " (openai also covers Ollama and other OpenAI-compatible servers)"));
        }
    }
}
