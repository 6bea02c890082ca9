package org.canvasbatch.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.canvasbatch.application.port.out.Clock;

/** A clock the test moves by hand. */
public final class TestClock implements Clock {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-26T12:00:00Z"));

    @Override
    public Instant now() {
        return now.get();
    }

    public void advance(Duration step) {
        now.updateAndGet(t -> t.plus(step));
    }
}
