package org.canvasbatch.bootstrap;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import io.helidon.config.yaml.YamlConfigParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads typed settings from the four places a setting can come from, asked strongest first: the command line, the
 * environment, a {@code --config} file (read with Helidon Config), the built-in defaults of {@link SettingsTable}. A key
 * is answered by the first layer that has it, together with where that was.
 *
 * <p>What is wrong is collected instead of stopping at the first mistake, so that a person fixes every value in one go.
 * Each problem names where the value came from in the words the person used ({@code --port},
 * {@code CANVASBATCH_SERVER_PORT}, {@code server.port in /etc/canvas-batch.yaml}) and what would be right. A value that
 * is wrong is read as its built-in default, so later checks do not trip over it.
 *
 * <p>The layers are not merged into one tree on purpose: a list given on the command line must replace the built-in
 * list, not be merged into it element by element, and every answer must know its layer.
 */
final class SettingsReader {

    /** A value for a key and where it came from ({@code --port}, a variable, a file); {@code items} for a YAML list. */
    record Found(String text, List<String> items, String subject) {}

    /** A value on the command line: the option it came from and its text. */
    record CliValue(String option, String value) {}

    /** Strongest first; the last, the built-in defaults, has every key. */
    private final List<Map<String, Found>> layers = new ArrayList<>();
    /** By where the value came from: one option given for two settings is one mistake, said once. */
    private final Map<String, String> problems = new LinkedHashMap<>();

    private final Set<String> wrongKeys = new HashSet<>();
    /** The {@code --config} file's values and folder, when one was read. */
    private Map<String, Found> fileLayer;

    private Path fileFolder;
    private final List<String> warnings = new ArrayList<>();

    /**
     * @param cli  settings from the command line, by key, each with the option that set it ({@code --port})
     * @param file a {@code --config} file, if one was given
     * @param env  the process environment
     */
    SettingsReader(Map<String, CliValue> cli, Optional<Path> file, Map<String, String> env) {
        Map<String, Found> commandLine = new HashMap<>();
        cli.forEach((key, value) -> commandLine.put(key, new Found(value.value(), null, value.option())));
        layers.add(commandLine);
        layers.add(environment(env));
        file.flatMap(this::userFile).ifPresent(values -> {
            fileLayer = values;
            fileFolder = file.get().toAbsolutePath().normalize().getParent();
            layers.add(values);
        });
        Map<String, Found> builtIn = new HashMap<>();
        SettingsTable.keyed()
                .forEach(s -> builtIn.put(s.key(), new Found(s.defaultText(), null, "the built-in " + s.key())));
        layers.add(builtIn);
    }

    <T> T get(Setting<T> setting) {
        Found found = find(setting.key());
        try {
            return setting.kind().read(found.text(), found.items());
        } catch (IllegalArgumentException e) {
            problem(setting, e.getMessage());
            return setting.builtIn();
        }
    }

    List<String> problems() {
        return new ArrayList<>(problems.values());
    }

    /** Things worth telling that do not stop the start (an unknown {@code CANVASBATCH_} variable). */
    List<String> warnings() {
        return warnings;
    }

    /** Whether {@code setting} was read without a problem (cross-checks only make sense then). */
    boolean isValid(Setting<?> setting) {
        return !wrongKeys.contains(setting.key());
    }

    /** Records that the value of {@code setting} is wrong: {@code predicate} finishes "<where it came from> ...". */
    void problem(Setting<?> setting, String predicate) {
        wrongKeys.add(setting.key());
        String subject = subject(setting);
        problems.putIfAbsent(subject, subject + " " + predicate);
    }

    /** A problem that no single value explains (two values that do not go together, a file that is not there). */
    void problem(String message) {
        problems.putIfAbsent(message, message);
    }

    String subject(Setting<?> setting) {
        return find(setting.key()).subject();
    }

    /**
     * The folder of the {@code --config} file when that is where {@code setting}'s value came from: a relative path
     * written there means the file's neighbour, wherever the command was started.
     */
    Optional<Path> folderOfTheFileGiving(Setting<?> setting) {
        return fileLayer != null && fileLayer.get(setting.key()) == find(setting.key())
                ? Optional.of(fileFolder)
                : Optional.empty();
    }

    /** Whether a layer above the built-in defaults set {@code setting}. */
    boolean isExplicit(Setting<?> setting) {
        return layers.subList(0, layers.size() - 1).stream().anyMatch(layer -> layer.containsKey(setting.key()));
    }

    /** The strongest layer's value for {@code key}. */
    Found find(String key) {
        return layers.stream()
                .map(layer -> layer.get(key))
                .filter(found -> found != null)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no such setting: " + key));
    }

    private Map<String, Found> environment(Map<String, String> env) {
        Map<String, Found> values = new HashMap<>();
        Map<String, String> byVariable = new HashMap<>();
        for (Setting<?> setting : SettingsTable.keyed()) {
            byVariable.put(setting.variable(), setting.key());
            String older = setting.olderVariable() == null ? null : env.get(setting.olderVariable());
            if (older != null && !older.isBlank()) {
                values.put(setting.key(), new Found(older, null, setting.olderVariable()));
            }
        }
        new TreeMap<>(env).forEach((variable, value) -> {
            // empty is not set, as for the older variables and the API keys: what a script's unset variable gives
            // (CANVASBATCH_VAULT=$VAULT), which must not make the current folder the vault, nor hide a --config file's
            if (!variable.startsWith(Setting.ENV_PREFIX) || value == null || value.isBlank()) {
                return;
            }
            String key = byVariable.get(variable);
            if (key == null) {
                warnings.add("the environment variable " + variable + " is not a setting and is ignored (settings are "
                        + Setting.ENV_PREFIX + "<KEY>, e.g. " + Setting.variable("server.port") + ")");
            } else {
                values.put(key, new Found(value, null, variable));
            }
        });
        return values;
    }

    /** The largest settings file read: every setting with a long comment each fits in a few KiB. */
    static final long MAX_SETTINGS_FILE_BYTES = 256 * 1024;

    private Optional<Map<String, Found>> userFile(Path path) {
        if (Files.isDirectory(path)) {
            problem("--config " + path + ": is a folder, not a settings file");
            return Optional.empty();
        }
        if (!Files.isRegularFile(path)) {
            problem("--config " + path + ": there is no such file");
            return Optional.empty();
        }
        Config config;
        try {
            long size = Files.size(path);
            if (size > MAX_SETTINGS_FILE_BYTES) {
                // the YAML parser would take minutes and gigabytes over a file this size before refusing it
                problem("--config " + path + ": is " + size + " bytes; a settings file has at most "
                        + MAX_SETTINGS_FILE_BYTES + " (a few dozen lines)");
                return Optional.empty();
            }
            config = yaml(Files.readString(path, StandardCharsets.UTF_8));
            config.traverse().count(); // parse errors surface here rather than at the first lookup
        } catch (java.nio.charset.CharacterCodingException e) {
            problem("--config " + path + ": is not UTF-8 text (a settings file is YAML text)");
            return Optional.empty();
        } catch (java.nio.file.AccessDeniedException e) {
            problem("--config " + path + ": cannot be read (permission denied)");
            return Optional.empty();
        } catch (IOException e) {
            problem("--config " + path + ": cannot be read (" + e.getMessage() + ")");
            return Optional.empty();
        } catch (ConfigException | IllegalArgumentException e) {
            problem("--config " + path + ": is not valid YAML (" + rootCause(e) + ")");
            return Optional.empty();
        }
        Set<String> keys = SettingsTable.keyed().stream().map(Setting::key).collect(Collectors.toSet());
        Map<String, Found> values = new TreeMap<>();
        collectLeaves(config, path + "", values);
        for (String key : values.keySet()) {
            if (!keys.contains(key)) {
                problem(key + " in " + path + " is not a setting" + suggestion(key, new TreeSet<>(keys)));
            }
        }
        return Optional.of(values);
    }

    /** The values and lists in {@code node}, by key; a list is one setting, its items are not. */
    private static void collectLeaves(Config node, String file, Map<String, Found> values) {
        String key = node.key().toString();
        switch (node.type()) {
            case VALUE -> values.put(key, new Found(node.asString().orElse(""), null, key + " in " + file));
            case LIST -> {
                List<String> items = node.asNodeList().orElse(List.of()).stream()
                        .map(item -> item.asString().orElse(""))
                        .toList();
                values.put(key, new Found("", items, key + " in " + file));
            }
            case OBJECT -> node.asNodeList().orElse(List.of()).forEach(child -> collectLeaves(child, file, values));
            case MISSING -> {}
        }
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

    private static Config yaml(String text) {
        return Config.builder()
                .addSource(ConfigSources.create(text, MediaTypes.APPLICATION_YAML))
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

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.lines().limit(3).map(String::strip).collect(Collectors.joining(" "));
    }
}
