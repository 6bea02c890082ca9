package org.canvasbatch.adapters.http.text;

import java.util.Locale;

/**
 * The language of what the server writes for a person: the one the caller's {@code Accept-Language} prefers among
 * those this server speaks (RFC 9110 §12.5.4: the highest {@code q} wins, the first listed among equals), English when
 * the header is absent or names neither. Obsidian is an Electron app, and Chromium announces the system's languages
 * ({@code zh-CN,zh;q=0.9} on a Chinese system) on every request and WebSocket handshake of the plugin, so a learner
 * reads the server's messages in the language of their system. Scripts, curl and the command line send no header and
 * read English.
 */
public enum Language {
    EN("en"),
    ZH("zh");

    private final String tag;

    Language(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }

    /** The language {@code acceptLanguage} prefers; {@link #EN} for null, blank, garbage or only other languages. */
    public static Language of(String acceptLanguage) {
        if (acceptLanguage == null || acceptLanguage.isBlank() || acceptLanguage.length() > 1000) {
            return EN;
        }
        Language best = EN;
        double bestQuality = 0;
        for (String item : acceptLanguage.split(",", 50)) {
            String[] parts = item.split(";");
            if (parts.length == 0) {
                continue; // ";;;": no range at all
            }
            String range = parts[0].strip().toLowerCase(Locale.ROOT);
            String primary = range.contains("-") ? range.substring(0, range.indexOf('-')) : range;
            Language language = switch (primary) {
                case "zh" -> ZH;
                case "en", "*" -> EN;
                default -> null;
            };
            double quality = quality(parts);
            if (language != null && quality > bestQuality) {
                best = language;
                bestQuality = quality;
            }
        }
        return best;
    }

    private static double quality(String[] parameters) {
        for (int i = 1; i < parameters.length; i++) {
            String parameter = parameters[i].strip();
            if (parameter.startsWith("q=") || parameter.startsWith("Q=")) {
                try {
                    double q = Double.parseDouble(parameter.substring(2).strip());
                    return q >= 0 && q <= 1 ? q : 0;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
