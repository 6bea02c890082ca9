package org.canvasbatch.benchmarks.load;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The head of a server message: {@code type}, {@code timestamp} and {@code derived}, which the server writes before
 * {@code data}. Read by scanning rather than parsing, so that a thousand sockets' worth of messages costs the client
 * little time of its own (the client shares the machine with the server it measures).
 *
 * @param appendedMicros the event's {@code timestamp} in microseconds since the epoch (it has millisecond resolution),
 *                       or -1 when the message has none
 */
record Envelope(String type, long appendedMicros, boolean derived) {

    static Envelope scan(String text) {
        int dataAt = text.indexOf("\"data\":");
        int headEnd = dataAt < 0 ? text.length() : dataAt;
        String type = stringAfter(text, "\"type\":\"", headEnd);
        String timestamp = stringAfter(text, "\"timestamp\":\"", headEnd);
        boolean derived = indexBefore(text, "\"derived\":true", headEnd) >= 0;
        long micros = -1;
        if (timestamp != null) {
            try {
                Instant at = Instant.parse(timestamp);
                micros = at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
            } catch (DateTimeParseException ignored) {
                // counted as a message without a usable timestamp
            }
        }
        return new Envelope(type == null ? "" : type, micros, derived);
    }

    private static String stringAfter(String text, String key, int before) {
        int at = indexBefore(text, key, before);
        if (at < 0) {
            return null;
        }
        int start = at + key.length();
        int end = text.indexOf('"', start);
        return end < 0 ? null : text.substring(start, end);
    }

    private static int indexBefore(String text, String key, int before) {
        int at = text.indexOf(key);
        return at >= 0 && at < before ? at : -1;
    }
}
