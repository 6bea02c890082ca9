package org.canvasbatch.bootstrap;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.canvasbatch.bootstrap.Setting.Option;

/**
 * The two documents made from {@link SettingsTable}: the built-in {@code canvas-batch.yaml} (every key with its default
 * and what it means) and the settings table of the README. {@link SettingsDocumentsTest} keeps the files equal to them.
 */
final class SettingsDocuments {

    static final String README_BEGIN = "<!-- settings:begin (generated from SettingsTable: see below) -->";
    static final String README_END = "<!-- settings:end -->";

    private static final int WIDTH = 120;
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9~.][A-Za-z0-9._~/:\\-\\[\\]]*");

    private static final String YAML_HEADER = """
            # canvas-batch — every setting, with its built-in default.
            # Generated from bootstrap's SettingsTable (see the README on how to regenerate): edit the table, not this file.
            #
            # Where a setting comes from, strongest first:
            #   1. the command line            canvas-batch serve --port 9000
            #   2. an environment variable     CANVASBATCH_SERVER_PORT=9000
            #   3. a file given with --config  canvas-batch serve --config /etc/canvas-batch.yaml
            #   4. these defaults (built into the jar)
            # A --config file uses the same keys as this one; it only needs the ones it changes. A key this file does not have is
            # an error (a typo would otherwise be ignored in silence).
            #
            # Environment variables: CANVASBATCH_ + the key in upper case, with '.' and '-' both written '_':
            #   server.port                -> CANVASBATCH_SERVER_PORT
            #   batch.retries.backoff-base -> CANVASBATCH_BATCH_RETRIES_BACKOFF_BASE
            #   token                      -> CANVASBATCH_TOKEN
            # Lists (server.cors-origins) are comma-separated there. An empty variable (CANVASBATCH_VAULT=, as a script's
            # unset variable gives) is not set: the file below it or the default decides.
            #
            # Durations: 30s, 500ms, 5m, 2h, 1d (a plain number means seconds). Sizes: 65536, 64KiB, 1MiB.
            # Every value is checked at start; each wrong one is named with where it came from, and nothing starts.
            """;

    private SettingsDocuments() {}

    /** {@code canvas-batch.yaml}: the settings in the table's order, a section for each dotted prefix. */
    static String yaml() {
        StringBuilder yaml = new StringBuilder(YAML_HEADER);
        List<String> open = new ArrayList<>();
        Set<String> closed = new HashSet<>();
        for (Setting<?> setting : SettingsTable.keyed()) {
            List<String> path = List.of(setting.key().split("\\."));
            List<String> sections = path.subList(0, path.size() - 1);
            int common = 0;
            while (common < open.size()
                    && common < sections.size()
                    && open.get(common).equals(sections.get(common))) {
                common++;
            }
            for (int depth = open.size(); depth > common; depth--) {
                closed.add(String.join(".", open.subList(0, depth)));
            }
            open = new ArrayList<>(sections);
            for (int depth = common; depth < sections.size(); depth++) {
                String section = String.join(".", sections.subList(0, depth + 1));
                if (!closed.add(section)) {
                    throw new IllegalStateException("the settings of " + section + " must stay together in the table");
                }
                line(yaml, depth, sections.get(depth) + ":");
            }
            String indent = "  ".repeat(sections.size());
            if (sections.isEmpty()) {
                yaml.append('\n');
            }
            Usage.wrap(about(setting), WIDTH - indent.length() - 2)
                    .forEach(l -> yaml.append(indent).append("# ").append(l).append('\n'));
            yaml.append(indent).append(path.getLast()).append(":").append(value(setting, indent));
            yaml.append('\n');
        }
        return yaml.toString();
    }

    /** The README's table: every setting and option, with its key, option, variable, default and meaning. */
    static String readmeTable() {
        StringBuilder table = new StringBuilder(README_BEGIN + "\n");
        table.append("| Setting | Command line | Environment | Default | Meaning |\n|---|---|---|---|---|\n");
        for (Setting<?> setting : SettingsTable.all()) {
            String key = setting.key() == null ? "" : code(setting.key());
            String variable = setting.key() == null ? "" : code(setting.variable());
            if (setting.olderVariable() != null) {
                variable += " (or " + code(setting.olderVariable()) + ")";
            }
            Option option = setting.option();
            String commandLine = option == null ? "" : code(option.synopsis()) + " (" + commands(option) + ")";
            String meaning = markdown(capitalised(setting.help())) + ".";
            if (!setting.kind().range().isEmpty()) {
                meaning += " " + capitalised(setting.kind().range()) + ".";
            }
            if (option != null && option.help() != null) {
                meaning += " " + code(option.synopsis()) + ": " + markdown(option.help()) + ".";
            }
            String defaultText = setting.kind().isList()
                    ? SettingKind.WORDS.parse(setting.defaultText()).stream()
                            .map(SettingsDocuments::code)
                            .collect(Collectors.joining(", "))
                    : setting.defaultText().isEmpty() ? "" : code(setting.defaultText());
            table.append("| ")
                    .append(String.join(" | ", key, commandLine, variable, defaultText, meaning))
                    .append(" |\n");
        }
        return table.append(README_END).toString();
    }

    /** The comment above a key: what it is, why, its range and its option. */
    private static String about(Setting<?> setting) {
        StringBuilder about = new StringBuilder(capitalised(setting.help())).append('.');
        if (!setting.details().isEmpty()) {
            about.append(' ').append(setting.details());
        }
        if (!setting.kind().range().isEmpty()) {
            about.append(' ').append(setting.kind().range()).append('.');
        }
        Option option = setting.option();
        if (option != null) {
            about.append(" Command line (")
                    .append(commands(option))
                    .append("): ")
                    .append(option.synopsis())
                    .append(option.isFlag() ? " sets it to " + option.whenPresent() : "")
                    .append('.');
        }
        if (setting.olderVariable() != null) {
            about.append(" The older variable ")
                    .append(setting.olderVariable())
                    .append(" still works, below ")
                    .append(setting.variable())
                    .append('.');
        }
        return about.toString();
    }

    private static String value(Setting<?> setting, String indent) {
        if (!setting.kind().isList()) {
            return " " + scalar(setting.defaultText());
        }
        List<String> items = SettingKind.WORDS.parse(setting.defaultText());
        return items.isEmpty()
                ? " []"
                : items.stream().map(i -> "\n" + indent + "  - " + scalar(i)).collect(Collectors.joining());
    }

    private static String scalar(String text) {
        if (PLAIN.matcher(text).matches()) {
            return text;
        }
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void line(StringBuilder yaml, int depth, String text) {
        if (depth == 0) {
            yaml.append('\n');
        }
        yaml.append("  ".repeat(depth)).append(text).append('\n');
    }

    private static String commands(Option option) {
        return option.commands().stream()
                .map(c -> c.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
    }

    private static String code(String text) {
        return "`" + text.replace("|", "\\|") + "`";
    }

    /** Text in a table cell: a bar would end the cell, and {@code <agent-id>} would be taken for HTML. */
    private static String markdown(String text) {
        return text.replace("|", "\\|").replace("<", "&lt;").replace("*", "\\*");
    }

    private static String capitalised(String phrase) {
        return phrase.isEmpty() ? phrase : Character.toUpperCase(phrase.charAt(0)) + phrase.substring(1);
    }
}
