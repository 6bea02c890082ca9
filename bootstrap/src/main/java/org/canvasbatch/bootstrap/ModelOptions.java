package org.canvasbatch.bootstrap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.canvasbatch.adapters.agents.AgentConfig;
import org.canvasbatch.adapters.agents.AgentConfig.Provider;

/** The options that choose who writes the notes, shared by {@code run} and {@code serve}. */
final class ModelOptions {

    static final Set<String> VALUED = Set.of("model-provider", "model", "base-url", "api-key", "api-key-env",
            "model-timeout", "temperature", "max-tokens", "templates-dir");

    private ModelOptions() {
    }

    /**
     * Reads the options, falling back to the environment ({@code CANVAS_BATCH_MODEL_PROVIDER}, {@code
     * CANVAS_BATCH_MODEL}, {@code CANVAS_BATCH_BASE_URL}); with nothing set the offline agent writes the notes.
     */
    static AgentConfig from(Arguments args, Map<String, String> env) {
        String provider = args.value("model-provider").or(() -> envValue(env, "CANVAS_BATCH_MODEL_PROVIDER"))
                .orElse("offline");
        AgentConfig config;
        try {
            config = AgentConfig.offline().withProvider(Provider.parse(provider));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--model-provider: " + e.getMessage());
        }
        config = config
                .withModel(args.value("model").or(() -> envValue(env, "CANVAS_BATCH_MODEL")).orElse(null))
                .withBaseUrl(args.value("base-url").or(() -> envValue(env, "CANVAS_BATCH_BASE_URL")).orElse(null));
        if (args.value("api-key-env").isPresent()) {
            String variable = args.value("api-key-env").get();
            String key = env.get(variable);
            if (key == null || key.isBlank()) {
                throw new UsageException("--api-key-env " + variable + ": that environment variable is not set");
            }
            config = config.withApiKey(key);
        }
        if (args.value("api-key").isPresent()) {
            config = config.withApiKey(args.value("api-key").get());
        }
        if (args.value("temperature").isPresent()) {
            try {
                config = config.withTemperature(Double.parseDouble(args.value("temperature").get()));
            } catch (NumberFormatException e) {
                throw new UsageException("--temperature must be a number such as 0.4");
            }
        }
        if (args.value("max-tokens").isPresent()) {
            config = config.withMaxTokens(args.intValue("max-tokens", 4096, 1, 1_000_000));
        }
        if (args.value("model-timeout").isPresent()) {
            config = config.withTimeout(Duration.ofSeconds(args.intValue("model-timeout", 90, 1, 3600)));
        }
        if (args.value("templates-dir").isPresent()) {
            config = config.withTemplatesDir(Path.of(args.value("templates-dir").get()));
        }
        return config;
    }

    private static java.util.Optional<String> envValue(Map<String, String> env, String name) {
        return java.util.Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }
}
