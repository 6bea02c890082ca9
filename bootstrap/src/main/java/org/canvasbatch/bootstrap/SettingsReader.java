package org.canvasbatch.bootstrap;

import io.helidon.config.Config;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed settings from the {@link ConfigLayers} and collects what is wrong instead of stopping at the first
 * mistake, so that a person fixes every value in one go. Each problem names where the value came from in the words the
 * person used ({@code --port}, {@code CANVASBATCH_SERVER_PORT}, {@code server.port in /etc/canvas-batch.yaml}) and
 * what would be right. A value that is wrong is read as its built-in default, so later checks do not trip over it.
 */
final class SettingsReader {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|KB|MB|K|M)?", Pattern.CASE_INSENSITIVE);

    private final ConfigLayers layers;
    /** By where the value came from: one option given for two settings is one mistake, said once. */
    private final Map<String, String> problems = new LinkedHashMap<>();

    private final Set<String> wrongKeys = new HashSet<>();

    SettingsReader(ConfigLayers layers) {
        this.layers = layers;
        layers.problems().forEach(p -> problems.put(p, p));
    }

    List<String> problems() {
        return new ArrayList<>(problems.values());
    }

    /** Whether {@code key} was read without a problem (cross-checks only make sense then). */
    boolean isValid(String key) {
        return !wrongKeys.contains(key);
    }

    /** Records that the value of {@code key} is wrong: {@code predicate} finishes "<where it came from> ...". */
    void problem(String key, String predicate) {
        ConfigLayers.Found found = layers.find(key);
        wrongKeys.add(key);
        problems.putIfAbsent(found.subject(), found.subject() + " " + predicate);
    }

    /** A problem that no single value explains (two values that do not go together, a missing token). */
    void problem(String message) {
        problems.putIfAbsent(message, message);
    }

    String subject(String key) {
        return layers.find(key).subject();
    }

    boolean isExplicit(String key) {
        return layers.isExplicit(key);
    }

    /** The text of a value, stripped; {@code ""} when unset. */
    String text(String key) {
        Config node = layers.find(key).node();
        if (node.type() == Config.Type.LIST) {
            problem(key, "must be a single value, not a list");
            return builtInText(key);
        }
        return node.asString().orElse("").strip();
    }

    /** A YAML list, or comma-separated text (the command line, the environment). */
    List<String> list(String key) {
        Config node = layers.find(key).node();
        List<String> items;
        if (node.type() == Config.Type.LIST) {
            items = node.asList(String.class).orElse(List.of());
        } else {
            items = Arrays.asList(node.asString().orElse("").split(","));
        }
        return items.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    int whole(String key, int min, int max) {
        String raw = text(key);
        try {
            long value = Long.parseLong(raw);
            if (value < min || value > max) {
                problem(key, "must be between " + min + " and " + max + ", not " + value);
                return builtInWhole(key);
            }
            return (int) value;
        } catch (NumberFormatException e) {
            problem(key, "must be a whole number between " + min + " and " + max + ", not '" + raw + "'");
            return builtInWhole(key);
        }
    }

    double decimal(String key, double min, double max) {
        String raw = text(key);
        try {
            double value = Double.parseDouble(raw);
            if (!(value >= min && value <= max)) {
                problem(key, "must be between " + format(min) + " and " + format(max) + ", not " + raw);
                return Double.parseDouble(builtInText(key));
            }
            return value;
        } catch (NumberFormatException e) {
            problem(key, "must be a number between " + format(min) + " and " + format(max) + ", not '" + raw + "'");
            return Double.parseDouble(builtInText(key));
        }
    }

    boolean flag(String key) {
        String raw = text(key).toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problem(key, "must be true or false, not '" + text(key) + "'");
                yield Boolean.parseBoolean(builtInText(key));
            }
        };
    }

    Duration duration(String key, Duration min, Duration max) {
        String raw = text(key);
        Duration value = parseDuration(raw);
        String range = "between " + format(min) + " and " + format(max);
        if (value == null) {
            problem(key, "must be a duration " + range + " such as 30s, 500ms, 5m or 2h, not '" + raw + "'");
            return parseDuration(builtInText(key));
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            problem(key, "must be " + range + ", not " + raw);
            return parseDuration(builtInText(key));
        }
        return value;
    }

    /** A byte count: {@code 65536}, {@code 64KiB}, {@code 1MiB}. */
    int size(String key, int min, int max) {
        String raw = text(key);
        Long value = parseSize(raw);
        String range = "between " + formatSize(min) + " and " + formatSize(max);
        if (value == null) {
            problem(key, "must be a size " + range + " such as 65536, 64KiB or 1MiB, not '" + raw + "'");
            return parseSize(builtInText(key)).intValue();
        }
        if (value < min || value > max) {
            problem(key, "must be " + range + ", not " + raw);
            return parseSize(builtInText(key)).intValue();
        }
        return value.intValue();
    }

    /** {@code 30s}, {@code 500ms}, {@code 5m}, {@code 2h}, {@code 1d}, a plain number of seconds, or ISO-8601 {@code PT30S}. */
    static Duration parseDuration(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        Matcher m = DURATION.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            double amount = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            double millis = amount
                    * switch (unit) {
                        case "ms" -> 1;
                        case "s" -> 1_000;
                        case "m" -> 60_000;
                        case "h" -> 3_600_000;
                        default -> 86_400_000;
                    };
            return millis > Long.MAX_VALUE / 2 ? null : Duration.ofMillis(Math.round(millis));
        }
        try {
            return Duration.parse(t.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static Long parseSize(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            return null;
        }
        try {
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
            long factor = switch (unit) {
                case "KIB", "K" -> 1024;
                case "MIB", "M" -> 1024 * 1024;
                case "KB" -> 1000;
                case "MB" -> 1_000_000;
                default -> 1;
            };
            return Math.multiplyExact(amount, factor);
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    /** The shortest exact way to write a duration: 90s, 10m, 1h, 500ms. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static String formatSize(long bytes) {
        if (bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + "MiB";
        }
        if (bytes % 1024 == 0) {
            return bytes / 1024 + "KiB";
        }
        return bytes + " bytes";
    }

    private String builtInText(String key) {
        return layers.builtIn(key);
    }

    private int builtInWhole(String key) {
        return Integer.parseInt(builtInText(key));
    }
}
