package org.canvasbatch.domain.session;

import java.util.Objects;
import java.util.regex.Pattern;

/** A session's id. It travels in URL paths unencoded (the plugin does not encode), so only URL-path-safe characters. */
public record SessionId(String value) implements Comparable<SessionId> {

    private static final Pattern PATH_SAFE = Pattern.compile("[A-Za-z0-9_-]{1,200}");

    public SessionId {
        Objects.requireNonNull(value, "value");
        if (!PATH_SAFE.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "a session id is 1-200 letters, digits, '-' or '_', not '" + value + "'");
        }
    }

    public static boolean isWellFormed(String candidate) {
        return candidate != null && PATH_SAFE.matcher(candidate).matches();
    }

    @Override
    public int compareTo(SessionId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
