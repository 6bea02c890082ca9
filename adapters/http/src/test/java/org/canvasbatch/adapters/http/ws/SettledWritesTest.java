package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a plugin window surely had when it closed its socket: only what was written the margin before. */
class SettledWritesTest {

    private static final Instant T0 = Instant.parse("2026-12-04T20:00:00Z");
    private static final Duration MARGIN = Duration.ofMillis(250);

    @Test
    void whatWasWrittenWithinTheMarginBeforeTheCloseIsNotCountedAsReached() {
        SettledWrites writes = new SettledWrites(MARGIN);
        writes.written(T0, 3);
        writes.written(T0.plusMillis(900), 7);

        assertThat(writes.settledBy(T0.plusMillis(1_000))).isEqualTo(3);
        assertThat(writes.settledBy(T0.plusMillis(1_150))).isEqualTo(7);
    }

    @Test
    void aSocketThatWroteNothingSettledKeepsWhereItsWindowStarted() {
        SettledWrites writes = new SettledWrites(MARGIN);
        assertThat(writes.startAfter(12)).isEqualTo(12);
        writes.written(T0, 15);

        assertThat(writes.settledBy(T0.plusMillis(10))).isEqualTo(12);
    }
}
