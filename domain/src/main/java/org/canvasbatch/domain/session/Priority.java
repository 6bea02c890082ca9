package org.canvasbatch.domain.session;

import java.util.Locale;

/** A group's dispatch priority; declared from most to least urgent so that ordinal order is dispatch order. */
public enum Priority {
    URGENT,
    HIGH,
    MEDIUM,
    LOW;

    /**
     * The priority as the learner reads and writes it, {@code urgent} … {@code low}: in the run's plan, and in the
     * contract's messages, which use the same word (reading it from a message is the wire's: {@code WireNames}).
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
