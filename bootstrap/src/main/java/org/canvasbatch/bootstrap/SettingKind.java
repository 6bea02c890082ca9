package org.canvasbatch.bootstrap;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a setting's value may be, read the way a person writes it. A wrong value is an {@link IllegalArgumentException}
 * whose message finishes "{@code <where it came from>} ...": "must be between 1 and 50, not 0".
 *
 * @param parser the value of a text, stripped
 * @param range  the allowed values for the documents ({@code 1 to 200}); empty when anything goes
 * @param isList whether a YAML list is a value of it (comma-separated text everywhere else)
 */
record SettingKind<T>(Function<String, T> parser, String range, boolean isList) {

    static final SettingKind<String> TEXT = new SettingKind<>(text -> text, "", false);
    static final SettingKind<List<String>> WORDS = new SettingKind<>(
            text -> Arrays.stream(text.split(","))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList(),
            "",
            true);
    static final SettingKind<Boolean> FLAG = new SettingKind<>(SettingKind::flag, "", false);

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|KB|MB|K|M)?", Pattern.CASE_INSENSITIVE);

    T parse(String text) {
        return parser.apply(text.strip());
    }

    /** A value from a layer: {@code items} is a YAML list, which only a list setting takes. */
    T read(String text, List<String> items) {
        if (items != null && !isList) {
            throw new IllegalArgumentException("must be a single value, not a list");
        }
        return parse(items == null ? text : String.join(",", items));
    }

    /**
     * A number, duration or size from {@code min} to {@code max}.
     *
     * @param what   what the text must be, around the range: "a size %s such as 65536, 64KiB or 1MiB"
     * @param parser the value of a text, or null when the text is no such thing
     */
    private static <T extends Comparable<T>> SettingKind<T> ranged(
            String what, Function<String, T> parser, Function<T, String> format, T min, T max) {
        String between = "between " + format.apply(min) + " and " + format.apply(max);
        Function<String, T> checked = text -> {
            T value = null;
            try {
                value = parser.apply(text);
            } catch (NumberFormatException notANumber) {
                // said below, with the range
            }
            if (value == null) {
                throw new IllegalArgumentException("must be " + what.formatted(between) + ", not '" + text + "'");
            }
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException("must be " + between + ", not " + text);
            }
            return value;
        };
        return new SettingKind<>(checked, format.apply(min) + " to " + format.apply(max), false);
    }

    static SettingKind<Integer> whole(int min, int max) {
        return ranged("a whole number %s", Integer::valueOf, String::valueOf, min, max);
    }

    static SettingKind<Double> decimal(double min, double max) {
        Function<Double, String> format = d -> d == Math.rint(d) ? Long.toString(d.longValue()) : d.toString();
        return ranged("a number %s", Double::valueOf, format, min, max);
    }

    /** {@code 30s}, {@code 500ms}, {@code 5m}, {@code 2h}, {@code 1d}, a plain number of seconds, or ISO-8601. */
    static SettingKind<Duration> duration(String min, String max) {
        return ranged(
                "a duration %s such as 30s, 500ms, 5m or 2h",
                SettingKind::duration, SettingKind::format, duration(min), duration(max));
    }

    /** A byte count: {@code 65536}, {@code 64KiB}, {@code 1MiB}. */
    static SettingKind<Integer> size(int min, int max) {
        Function<Integer, String> format = b ->
                b % (1024 * 1024) == 0 ? b / (1024 * 1024) + "MiB" : b % 1024 == 0 ? b / 1024 + "KiB" : b + " bytes";
        return ranged("a size %s such as 65536, 64KiB or 1MiB", SettingKind::bytes, format, min, max);
    }

    static Duration duration(String text) {
        Matcher m = SHORT_DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            double millis = Double.parseDouble(m.group(1))
                    * switch (m.group(2) == null ? "s" : m.group(2)) {
                        case "ms" -> 1;
                        case "s" -> 1_000;
                        case "m" -> 60_000;
                        case "h" -> 3_600_000;
                        default -> 86_400_000;
                    };
            return millis > Long.MAX_VALUE / 2 ? null : Duration.ofMillis(Math.round(millis));
        }
        try {
            return Duration.parse(text.strip().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The shortest exact way to write a duration: 90s, 10m, 1h, 500ms. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0 || ms % 60_000 != 0) {
            return ms % 1_000 == 0 ? ms / 1_000 + "s" : ms + "ms";
        }
        return ms % 86_400_000 == 0
                ? ms / 86_400_000 + "d"
                : ms % 3_600_000 == 0 ? ms / 3_600_000 + "h" : ms / 60_000 + "m";
    }

    /** Bytes, or null for text that is no size; a size beyond any limit reads as the largest int. */
    static Integer bytes(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            return null;
        }
        long factor = switch (m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT)) {
            case "KIB", "K" -> 1024;
            case "MIB", "M" -> 1024 * 1024;
            case "KB" -> 1000;
            case "MB" -> 1_000_000;
            default -> 1;
        };
        try {
            return (int) Math.min(Integer.MAX_VALUE, Math.multiplyExact(Long.parseLong(m.group(1)), factor));
        } catch (ArithmeticException | NumberFormatException beyondAnyLimit) {
            return Integer.MAX_VALUE;
        }
    }

    private static Boolean flag(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("must be true or false, not '" + text + "'");
        };
    }
}
