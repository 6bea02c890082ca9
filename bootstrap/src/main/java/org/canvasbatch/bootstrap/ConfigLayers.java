package org.canvasbatch.bootstrap;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;
import io.helidon.config.yaml.YamlConfigParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The four places a setting can come from, each read through Helidon Config, asked strongest first: the command line,
 * the environment, a {@code --config} file, the built-in {@code canvas-batch.yaml}. A key is answered by the first
 * layer that has it, together with where that was, so that a wrong value can be reported with its source.
 *
 * <p>The layers are not merged into one tree on purpose: a list given on the command line must replace the built-in
 * list, not be merged into it element by element, and every answer must know its layer.
 */
final class ConfigLayers {

    static final String BUILT_IN = "canvas-batch.yaml";
    static final String ENV_PREFIX = "CANVASBATCH_";
    /** Older variable names, read below their {@code CANVASBATCH_} twins. */
    static final Map<String, String> LEGACY_ENV = Map.of(
            "CANVAS_BATCH_MODEL_PROVIDER",
            "agent.provider",
            "CANVAS_BATCH_MODEL",
            "agent.model",
            "CANVAS_BATCH_BASE_URL",
            "agent.base-url");

    /** One layer: its settings and how a person would name where a value came from. */
    private record Layer(Config config, Map<String, String> subjects, String fallbackSubject) {
        String subject(String key) {
            return subjects.getOrDefault(key, fallbackSubject);
        }
    }

    /** A value found for a key: the node, and the words for where it came from ({@code --port}, a file ...). */
    record Found(String key, Config node, String subject) {}

    private final List<Layer> layers;
    private final Set<String> keys;
    private final List<String> problems;
    private final List<String> warnings;

    private ConfigLayers(List<Layer> layers, Set<String> keys, List<String> problems, List<String> warnings) {
        this.layers = layers;
        this.keys = keys;
        this.problems = problems;
        this.warnings = warnings;
    }

    /**
     * @param cli  settings from the command line, by key, each with the option that set it ({@code --port})
     * @param file a {@code --config} file, if one was given
     * @param env  the process environment
     */
    static ConfigLayers load(Map<String, CliValue> cli, Optional<Path> file, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Config builtIn = builtIn();
        Set<String> keys = leafKeys(builtIn);

        List<Layer> layers = new ArrayList<>();
        Map<String, String> cliValues = new LinkedHashMap<>();
        Map<String, String> cliSubjects = new LinkedHashMap<>();
        cli.forEach((key, value) -> {
            cliValues.put(key, value.value());
            cliSubjects.put(key, value.option());
        });
        layers.add(new Layer(fromMap(cliValues, "command line"), cliSubjects, "the command line"));
        layers.add(environment(env, keys, warnings));
        file.ifPresent(path -> userFile(path, keys, problems).ifPresent(layers::add));
        layers.add(new Layer(builtIn, Map.of(), "the built-in " + BUILT_IN));
        return new ConfigLayers(List.copyOf(layers), keys, problems, warnings);
    }

    /** The environment variable that sets {@code key}: {@code server.port} → {@code CANVASBATCH_SERVER_PORT}. */
    static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Every key the built-in file defines: the settings there are. */
    Set<String> keys() {
        return keys;
    }

    /** Problems found while reading the layers themselves (a missing or unparsable file, unknown keys). */
    List<String> problems() {
        return problems;
    }

    /** Things worth telling that do not stop the start (an unknown {@code CANVASBATCH_} variable). */
    List<String> warnings() {
        return warnings;
    }

    /** The strongest layer's value for {@code key}; the built-in file always has one for a known key. */
    Found find(String key) {
        if (!keys.contains(key)) {
            throw new IllegalArgumentException("no such setting: " + key);
        }
        for (Layer layer : layers) {
            Config node = layer.config().get(key);
            if (node.exists()) {
                return new Found(key, node, layer.subject(key));
            }
        }
        throw new IllegalStateException("the built-in " + BUILT_IN + " lacks " + key);
    }

    /** The built-in text of a single-valued key: what a wrong value falls back to. */
    String builtIn(String key) {
        return layers.getLast().config().get(key).asString().orElse("").strip();
    }

    /** Whether a layer above the built-in file set {@code key}. */
    boolean isExplicit(String key) {
        for (Layer layer : layers.subList(0, layers.size() - 1)) {
            if (layer.config().get(key).exists()) {
                return true;
            }
        }
        return false;
    }

    /** A value on the command line: the option it came from and its text. */
    record CliValue(String option, String value) {}

    // ------------------------------------------------------------------------------------------------------ layers

    private static Config builtIn() {
        try (InputStream in = ConfigLayers.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + BUILT_IN);
            }
            return yaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in " + BUILT_IN, e);
        }
    }

    private static Layer environment(Map<String, String> env, Set<String> keys, List<String> warnings) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> subjects = new LinkedHashMap<>();
        LEGACY_ENV.forEach((variable, key) -> {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                values.put(key, value);
                subjects.put(key, variable);
            }
        });
        Map<String, String> byVariable = new LinkedHashMap<>();
        keys.forEach(key -> byVariable.put(envName(key), key));
        for (Map.Entry<String, String> entry : new java.util.TreeMap<>(env).entrySet()) {
            String variable = entry.getKey();
            if (!variable.startsWith(ENV_PREFIX)) {
                continue;
            }
            String key = byVariable.get(variable);
            if (key == null) {
                warnings.add("the environment variable " + variable + " is not a setting and is ignored (settings are "
                        + ENV_PREFIX + "<KEY>, e.g. " + envName("server.port") + ")");
                continue;
            }
            values.put(key, entry.getValue());
            subjects.put(key, variable);
        }
        return new Layer(fromMap(values, "environment"), subjects, "the environment");
    }

    private static Optional<Layer> userFile(Path path, Set<String> keys, List<String> problems) {
        String subject = path.toString();
        if (!Files.isRegularFile(path)) {
            problems.add("--config " + path + ": there is no such file");
            return Optional.empty();
        }
        Config config;
        try {
            config = yaml(Files.readString(path, StandardCharsets.UTF_8));
            config.traverse().count(); // parse errors surface here rather than at the first lookup
        } catch (IOException e) {
            problems.add("--config " + path + ": cannot be read (" + e.getMessage() + ")");
            return Optional.empty();
        } catch (ConfigException | IllegalArgumentException e) {
            problems.add("--config " + path + ": is not valid YAML (" + rootCause(e) + ")");
            return Optional.empty();
        }
        Set<String> unknown = new TreeSet<>();
        for (String key : leafKeys(config)) {
            if (!keys.contains(key) && keys.stream().noneMatch(k -> key.startsWith(k + "."))) {
                unknown.add(key);
            }
        }
        for (String key : unknown) {
            problems.add(key + " in " + subject + " is not a setting" + suggestion(key, keys));
        }
        Map<String, String> subjects = new LinkedHashMap<>();
        keys.forEach(key -> subjects.put(key, key + " in " + subject));
        return Optional.of(new Layer(config, subjects, subject));
    }

    private static String suggestion(String key, Set<String> keys) {
        String section = key.contains(".") ? key.substring(0, key.lastIndexOf('.')) : "";
        List<String> siblings = keys.stream()
                .filter(k -> section.isEmpty()
                        ? !k.contains(".")
                        : k.startsWith(section + ".")
                                && !k.substring(section.length() + 1).contains("."))
                .toList();
        if (siblings.isEmpty()) {
            return "; the sections are "
                    + keys.stream()
                            .map(k -> k.contains(".") ? k.substring(0, k.indexOf('.')) : k)
                            .distinct()
                            .collect(Collectors.joining(", "));
        }
        return "; " + (section.isEmpty() ? "top-level settings" : "settings under " + section) + " are "
                + String.join(", ", siblings);
    }

    private static Config fromMap(Map<String, String> values, String name) {
        return build(ConfigSources.create(values, name).build());
    }

    private static Config yaml(String text) {
        return build(ConfigSources.create(text, MediaTypes.APPLICATION_YAML));
    }

    private static Config build(ConfigSource source) {
        return Config.builder()
                .addSource(source)
                .addParser(YamlConfigParser.create())
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .disableParserServices()
                .disableFilterServices()
                .disableMapperServices()
                // a token or a path may well hold "${": taken as it is, never as a reference
                .disableValueResolving()
                .disableKeyResolving()
                .disableCaching()
                .build();
    }

    /** Keys of the values and lists in {@code config}; a list is one setting, its items are not. */
    private static Set<String> leafKeys(Config config) {
        Set<String> keys = new TreeSet<>();
        collectLeaves(config, keys);
        return keys;
    }

    private static void collectLeaves(Config node, Set<String> keys) {
        switch (node.type()) {
            case VALUE, LIST -> keys.add(node.key().toString());
            case OBJECT -> node.asNodeList().orElse(List.of()).forEach(child -> collectLeaves(child, keys));
            case MISSING -> {}
        }
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.lines().limit(3).map(String::strip).collect(Collectors.joining(" "));
    }
}
