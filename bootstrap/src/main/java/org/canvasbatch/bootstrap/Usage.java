package org.canvasbatch.bootstrap;

import static org.canvasbatch.bootstrap.CanvasBatchConfig.Command.RUN;
import static org.canvasbatch.bootstrap.CanvasBatchConfig.Command.SERVE;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.canvasbatch.bootstrap.CanvasBatchConfig.Command;

/** The {@code --help} texts, made from {@link SettingsTable} so that they list every option there is. */
final class Usage {

    private static final int WIDTH = 100;
    /** Where the help of every option starts: two spaces after the longest option. */
    private static final int COLUMN = 4
            + SettingsTable.all().stream()
                    .filter(s -> s.option() != null)
                    .mapToInt(s -> s.option().synopsis().length())
                    .max()
                    .orElseThrow();

    private static final String TITLE =
            "canvas-batch — teaching notes for the red and purple questions of an Obsidian canvas\n\n";
    private static final String RUN_USAGE =
            "canvas-batch run CANVAS [options]  process one canvas in this process, then exit";
    private static final String SERVE_USAGE =
            "canvas-batch serve [options]       the HTTP + WebSocket server the Obsidian plugin talks to";
    private static final String DEMO_USAGE =
            "canvas-batch demo [run options]    run the bundled example vault with the offline agent";
    private static final String COMMANDS = "Usage:\n"
            + "  " + DEMO_USAGE + "\n"
            + "  " + RUN_USAGE + "\n  " + SERVE_USAGE + "\n"
            + "  canvas-batch COMMAND --help        the options of one command\n";
    private static final String SETTINGS = """

            Settings: every option with a setting, and more (retries, retention, WebSocket limits), can also come
            from CANVASBATCH_* environment variables (server.port -> CANVASBATCH_SERVER_PORT) or a YAML file given
            with --config; the command line wins, then the environment (an empty variable is not set), then the
            file. Every setting and its default
            is documented in canvas-batch.yaml inside the jar (bootstrap/src/main/resources/) and in the README.
            Durations: 30s, 500ms, 5m, 2h (a plain number is seconds).

            serve's operator endpoints: /health/live, /health/ready, /metrics, /openapi.yaml, /asyncapi.yaml;
            dashboard at /.
            """;
    private static final String RUN_EXIT_CODES = """

            Exit codes: 0 every node succeeded, 1 some failed, 2 usage or input error, 130 after Ctrl-C (143 after
            SIGTERM): the run stopped, and the same command run again finishes the rest.

            Running again: with a data folder, the same command goes on from the canvas's last batch. An
            interrupted batch is resumed. After one with failures, the failed questions are asked again in that
            batch, and only they. A question whose note is written and linked is never asked again; questions
            added since, or whose note was deleted, are asked in a new batch (with the failed ones, when the
            canvas changed). Nothing left: nothing asked. --again asks every question anew; with --data memory
            every run does.
            """;
    private static final String SERVE_EXIT_CODES = """

            Exit code 2: a usage or input error (a wrong setting, the port taken, the data folder in use). A stop
            (Ctrl-C, SIGTERM) keeps running batches: the next serve with the same --data goes on with them.
            """;
    private static final String DEMO_WHAT = """

            demo copies examples/vault/ to demo-vault/ (a demo-vault/ you changed is first moved aside to
            demo-vault-kept-<time>/, never deleted) and runs each of its canvases as run would, with the options of
            run below but no CANVAS and no --vault.
            """;

    private Usage() {}

    /** Every command and every option, by the commands that take it. */
    static String full() {
        StringBuilder text = new StringBuilder(TITLE).append(COMMANDS);
        for (Set<Command> commands : List.of(EnumSet.allOf(Command.class), EnumSet.of(RUN), EnumSet.of(SERVE))) {
            String names =
                    String.join(" and ", commands.stream().map(Command::word).toList());
            List<Setting<?>> options = options(null).stream()
                    .filter(s -> s.option().commands().equals(commands))
                    .toList();
            text.append("\nOptions of ").append(names).append(":\n").append(lines(options));
        }
        return text.append(SETTINGS).append(RUN_EXIT_CODES).toString();
    }

    /** One command's options. */
    static String of(Command command) {
        return TITLE + "Usage: " + (command == RUN ? RUN_USAGE : SERVE_USAGE).replaceFirst(" {2,}", " — ")
                + "\n\nOptions:\n" + lines(options(command)) + SETTINGS
                + (command == RUN ? RUN_EXIT_CODES : SERVE_EXIT_CODES);
    }

    /** demo's: run's options but those demo chooses itself. */
    static String demo() {
        List<Setting<?>> options =
                options(RUN).stream().filter(s -> s != SettingsTable.VAULT).toList();
        return TITLE + "Usage: " + DEMO_USAGE.replaceFirst(" {2,}", " — ") + "\n" + DEMO_WHAT + "\nOptions:\n"
                + lines(options) + SETTINGS + RUN_EXIT_CODES;
    }

    /** The settings with an option ({@code command}'s, or all), one per option: the first declaration names it. */
    private static List<Setting<?>> options(Command command) {
        Map<String, Setting<?>> byName = new LinkedHashMap<>();
        SettingsTable.all().stream()
                .filter(s -> command == null ? s.option() != null : s.takenBy(command))
                .forEach(s -> byName.putIfAbsent(s.option().name(), s));
        return List.copyOf(byName.values());
    }

    private static String lines(List<Setting<?>> settings) {
        StringBuilder text = new StringBuilder();
        for (Setting<?> setting : settings) {
            String synopsis = "  " + setting.option().synopsis();
            text.append(synopsis)
                    .append(" ".repeat(COLUMN - synopsis.length()))
                    .append(String.join("\n" + " ".repeat(COLUMN), wrap(describe(setting), WIDTH - COLUMN)))
                    .append('\n');
        }
        return text.toString();
    }

    /** The help phrase, then the range and the default: "agent calls at once (1 to 200, default 12)". */
    private static String describe(Setting<?> setting) {
        if (setting.option() != null && setting.option().help() != null) {
            return setting.option().help();
        }
        List<String> facts = new ArrayList<>();
        if (!setting.kind().range().isEmpty()) {
            facts.add(setting.kind().range());
        }
        if (!setting.defaultText().isEmpty()
                && !(setting.option() != null && setting.option().isFlag())) {
            String value = setting.defaultText();
            facts.add("default " + (setting.kind().isList() ? value.replace(",", ", ") : value));
        }
        return setting.help() + (facts.isEmpty() ? "" : " (" + String.join(", ", facts) + ")");
    }

    /** {@code text} in lines of at most {@code width} characters, broken between words. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
