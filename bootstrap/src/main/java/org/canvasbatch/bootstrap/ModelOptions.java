package org.canvasbatch.bootstrap;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.canvasbatch.bootstrap.ConfigLayers.CliValue;

/**
 * The command-line options of {@code run} and {@code serve} as settings of {@code canvas-batch.yaml}: each option is a
 * stronger way to give one (or, for {@code run --concurrency}, two) of its keys. The model options are shared by both.
 */
final class ModelOptions {

    /** Who writes the notes, and which model embeds questions for grouping: the options shared by run and serve. */
    static final Map<String, List<String>> MODEL = Map.ofEntries(
            Map.entry("model-provider", List.of("agent.provider")),
            Map.entry("model", List.of("agent.model")),
            Map.entry("base-url", List.of("agent.base-url")),
            Map.entry("api-key", List.of("agent.api-key")),
            Map.entry("api-key-env", List.of("agent.api-key-env")),
            Map.entry("model-timeout", List.of("agent.timeout")),
            Map.entry("temperature", List.of("agent.temperature")),
            Map.entry("max-tokens", List.of("agent.max-tokens")),
            Map.entry("templates-dir", List.of("agent.templates-dir")),
            Map.entry("embedding-model", List.of("embeddings.model")),
            Map.entry("embedding-base-url", List.of("embeddings.base-url")),
            Map.entry("embedding-api-key-env", List.of("embeddings.api-key-env")),
            Map.entry("embedding-timeout", List.of("embeddings.timeout")));

    static final Set<String> VALUED = MODEL.keySet();

    /** Options of both commands beyond the model's. */
    static final Map<String, List<String>> COMMON = Map.of(
            "vault", List.of("vault"),
            "data", List.of("data"),
            "node-timeout", List.of("batch.node-timeout"));

    static final Map<String, List<String>> SERVE = Map.of(
            "host", List.of("server.host"),
            "port", List.of("server.port"),
            "cors-origins", List.of("server.cors-origins"),
            "allowed-hosts", List.of("server.allowed-hosts"),
            "shutdown-grace", List.of("server.shutdown-grace"),
            "concurrency", List.of("batch.concurrency.global"),
            "token", List.of("token"));

    /** One batch in one process: its own limit is also the whole process's limit. */
    static final Map<String, List<String>> RUN = Map.of(
            "concurrency", List.of("batch.concurrency.per-session", "batch.concurrency.global"),
            "timeout", List.of("batch.timeout"));

    private ModelOptions() {}

    /**
     * The settings {@code args} gives, by key, each with the option it came from. {@code --no-write-back} turns
     * {@code write-back.enabled} off.
     */
    static Map<String, CliValue> settings(Arguments args, Map<String, List<String>> commandOptions) {
        Map<String, List<String>> all = new LinkedHashMap<>(MODEL);
        all.putAll(COMMON);
        all.putAll(commandOptions);
        Map<String, CliValue> settings = new LinkedHashMap<>();
        all.forEach((option, keys) -> args.value(option)
                .ifPresent(value -> keys.forEach(key -> settings.put(key, new CliValue("--" + option, value)))));
        if (args.flag("no-write-back")) {
            settings.put("write-back.enabled", new CliValue("--no-write-back", "false"));
        }
        return settings;
    }
}
