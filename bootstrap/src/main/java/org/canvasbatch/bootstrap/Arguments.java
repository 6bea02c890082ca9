package org.canvasbatch.bootstrap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.canvasbatch.bootstrap.CanvasBatchConfig.Command;
import org.canvasbatch.bootstrap.Setting.Option;
import org.canvasbatch.bootstrap.SettingsReader.CliValue;

/**
 * A command line split into options ({@code --name value}, {@code --name=value}, {@code --flag}) and positional
 * arguments, checked against the options {@link SettingsTable} gives the command, so a typo is an error, not a silent
 * default.
 */
final class Arguments {

    private final Command command;
    /** By option name: the text given, or what a flag stands for. */
    private final Map<String, String> options = new LinkedHashMap<>();

    private final List<String> positional = new ArrayList<>();

    private Arguments(Command command) {
        this.command = command;
    }

    static Arguments parse(Command command, List<String> args) {
        Arguments parsed = new Arguments(command);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                parsed.positional.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                parsed.positional.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option option = optionOf(command, name);
            if (option.isFlag()) {
                if (value != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                value = option.whenPresent();
            } else if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("--" + name + " needs a value");
                }
                value = args.get(++i);
            }
            parsed.options.put(name, value);
        }
        return parsed;
    }

    /**
     * The settings the options give, by key, each with the option it came from; one option may give several (run's
     * {@code --concurrency} is both the batch's limit and the whole process's).
     */
    Map<String, CliValue> settings() {
        Map<String, CliValue> settings = new LinkedHashMap<>();
        for (Setting<?> setting : SettingsTable.keyed()) {
            if (setting.takenBy(command) && options.containsKey(setting.option().name())) {
                String name = setting.option().name();
                settings.put(setting.key(), new CliValue("--" + name, options.get(name)));
            }
        }
        return settings;
    }

    /** The value of an option that only the command line gives, or its default. */
    <T> T get(Setting<T> setting) {
        String name = setting.option().name();
        String given = options.get(name);
        if (given == null) {
            return setting.builtIn();
        }
        try {
            return setting.kind().parse(given.strip());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + name + " " + e.getMessage());
        }
    }

    /** Whether the option of {@code setting} was given on the command line. */
    boolean given(Setting<?> setting) {
        return options.containsKey(setting.option().name());
    }

    List<String> positional() {
        return List.copyOf(positional);
    }

    private static Option optionOf(Command command, String name) {
        List<Option> all = SettingsTable.all().stream()
                .map(Setting::option)
                .filter(o -> o != null)
                .toList();
        Optional<Option> known = all.stream()
                .filter(o -> o.name().equals(name) && o.commands().contains(command))
                .findFirst();
        if (known.isPresent()) {
            return known.get();
        }
        String word = command.word();
        all.stream().filter(o -> o.name().equals(name)).findFirst().ifPresent(other -> {
            String owner = other.commands().iterator().next().word();
            throw new UsageException(
                    "--" + name + " is an option of " + owner + ", not " + word + " (see " + word + " --help)");
        });
        throw new UsageException("unknown option --" + name + " (see " + word + " --help)");
    }
}
