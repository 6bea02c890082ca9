package org.canvasbatch.application.port.out;

import java.time.Instant;

/** The time, from the world; tests control it. */
@FunctionalInterface
public interface Clock {
    Instant now();
}
