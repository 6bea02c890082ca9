package org.canvasbatch.domain.session;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A group's dispatch priority; declared from most to least urgent so that ordinal order is dispatch order. */
public enum Priority {
    URGENT,
    HIGH,
    MEDIUM,
    LOW;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Priority> fromWireName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String upper = name.strip().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.name().equals(upper)).findFirst();
    }
}
