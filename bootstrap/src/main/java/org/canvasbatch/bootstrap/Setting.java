package org.canvasbatch.bootstrap;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.canvasbatch.bootstrap.CanvasBatchConfig.Command;

/**
 * One setting or command-line option, declared once in {@link SettingsTable}; its parsing, environment variable,
 * {@code --help} line, entry in {@code canvas-batch.yaml} and row in the README are all made from this.
 *
 * @param key         where it lives in a {@code --config} file ({@code server.port}); {@code null} for an option that
 *                    only means something to one invocation ({@code --dry-run}), which no file or variable sets
 * @param defaultText the built-in value as a person writes it; a list comma-separated
 * @param option      the command-line option that gives it, or {@code null}
 * @param help        one phrase for {@code --help} and the README
 * @param details     the rest of what {@code canvas-batch.yaml} says about it (why, what to watch out for), or ""
 * @param olderVariable an environment variable read below the {@code CANVASBATCH_} one, or {@code null}
 */
record Setting<T>(
        String key,
        SettingKind<T> kind,
        String defaultText,
        Option option,
        String help,
        String details,
        String olderVariable) {

    static final String ENV_PREFIX = "CANVASBATCH_";

    /**
     * @param name        without the dashes
     * @param label       the word shown for its value ({@code PORT}); {@code null} for a flag
     * @param whenPresent what a flag sets its setting to
     * @param help        for an option that says it differently from its setting ({@code --no-write-back}), or null
     */
    record Option(String name, String label, String whenPresent, Set<Command> commands, String help) {
        boolean isFlag() {
            return label == null;
        }

        String synopsis() {
            return "--" + name + (isFlag() ? "" : " " + label);
        }
    }

    /** A setting at {@code key} (null: the command line's alone) with its default as a person writes it. */
    static <T> Setting<T> setting(String key, SettingKind<T> kind, String defaultText) {
        return new Setting<>(key, kind, defaultText, null, "", "", null);
    }

    /** Given on the command line as {@code synopsis} ({@code "--port PORT"}, or {@code "--dry-run"} for a flag). */
    Setting<T> option(String synopsis, Command first, Command... more) {
        String[] parts = synopsis.substring(2).split(" ", 2);
        String label = parts.length > 1 ? parts[1] : null;
        return withOption(new Option(parts[0], label, label == null ? "true" : null, EnumSet.of(first, more), null));
    }

    /** A flag that sets this setting to false, with words of its own for {@code --help}. */
    Setting<T> negatedBy(String flag, String flagHelp, Command first, Command... more) {
        return withOption(new Option(flag.substring(2), null, "false", EnumSet.of(first, more), flagHelp));
    }

    Setting<T> help(String phrase) {
        return new Setting<>(key, kind, defaultText, option, phrase, details, olderVariable);
    }

    Setting<T> details(String text) {
        return new Setting<>(key, kind, defaultText, option, help, text.strip().replaceAll("\\s+", " "), olderVariable);
    }

    Setting<T> olderVariable(String variable) {
        return new Setting<>(key, kind, defaultText, option, help, details, variable);
    }

    private Setting<T> withOption(Option given) {
        return new Setting<>(key, kind, defaultText, given, help, details, olderVariable);
    }

    /** The built-in value: what a setting falls back to when the value given is wrong. */
    T builtIn() {
        return kind.parse(defaultText);
    }

    boolean takenBy(Command command) {
        return option != null && option.commands().contains(command);
    }

    /** The environment variable that sets it: {@code server.port} → {@code CANVASBATCH_SERVER_PORT}. */
    String variable() {
        return variable(key);
    }

    static String variable(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
