package org.canvasbatch.adapters.http.wire;

import jakarta.json.JsonValue;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Wire timestamps: ISO-8601 in UTC with a {@code Z} and always three fraction digits, e.g. {@code 2026-11-26T12:00:00.123Z}. */
public final class Timestamps {

    private static final DateTimeFormatter WIRE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {}

    /** The wire form of {@code instant}; null stays null (a moment that has not happened yet). */
    public static String format(Instant instant) {
        return instant == null ? null : WIRE.format(instant);
    }

    /** The wire form as a JSON value: a string, or JSON {@code null} for a moment that has not happened yet. */
    public static JsonValue json(Instant instant) {
        if (instant == null) {
            return JsonValue.NULL;
        }
        return JsonValues.PROVIDER.createValue(format(instant));
    }
}
