package org.canvasbatch.adapters.http;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which browser origins may read our answers. The Obsidian renderer's origin is {@code app://obsidian.md}; local
 * tools run on {@code http://localhost} with any port, hence the {@code [:port]} form.
 */
final class OriginPolicy {

    private static final String ANY_PORT = "[:port]";
    private static final Pattern PORT = Pattern.compile(":[0-9]{1,5}");

    private final List<String> exact;
    private final List<String> anyPort;
    private final boolean everyone;

    OriginPolicy(List<String> entries) {
        validate(entries);
        this.everyone = entries.contains("*");
        this.exact = entries.stream()
                .filter(e -> !e.endsWith(ANY_PORT) && !e.equals("*"))
                .map(OriginPolicy::normalise)
                .toList();
        this.anyPort = entries.stream()
                .filter(e -> e.endsWith(ANY_PORT))
                .map(e -> normalise(e.substring(0, e.length() - ANY_PORT.length())))
                .toList();
    }

    static void validate(List<String> entries) {
        for (String entry : entries) {
            if (entry == null || entry.isBlank()) {
                throw new IllegalArgumentException("an allowed origin must not be empty");
            }
            if (!entry.equals("*") && !entry.contains("://")) {
                throw new IllegalArgumentException(
                        "an allowed origin is scheme://host, e.g. http://localhost:3000, not '" + entry + "'");
            }
        }
    }

    boolean allows(String origin) {
        if (origin == null || origin.isBlank()) {
            return false;
        }
        if (everyone) {
            return true;
        }
        String candidate = normalise(origin);
        if (exact.contains(candidate)) {
            return true;
        }
        for (String base : anyPort) {
            if (candidate.equals(base)) {
                return true;
            }
            if (candidate.startsWith(base)
                    && PORT.matcher(candidate.substring(base.length())).matches()) {
                return true;
            }
        }
        return false;
    }

    private static String normalise(String origin) {
        String trimmed = origin.strip();
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.toLowerCase(Locale.ROOT);
    }
}
