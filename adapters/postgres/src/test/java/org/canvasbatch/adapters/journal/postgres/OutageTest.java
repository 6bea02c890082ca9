package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.Test;

/** What an operator's console shows of a database outage seen by a heartbeat that fails every few seconds. */
class OutageTest {

    private static final String LOGGER = OutageTest.class.getName() + ".heartbeat";

    private final AtomicLong now = new AtomicLong();
    private final Outage outage = new Outage(System.getLogger(LOGGER), "provider permits", now::get);

    @Test
    void anOutageIsToldOnceWhenItBeginsAndOnceWhenItEndsWithHowLongAndHowMany() {
        try (CapturedLogs logs = CapturedLogs.of(LOGGER)) {
            outage.answered();
            assertThat(logs.visibleLines())
                    .as("nothing to tell while the database answers")
                    .isEmpty();

            for (int beat = 0; beat < 6; beat++) {
                outage.failed("renew this server's permits", new SQLException("Connection refused"));
                now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
            }
            assertThat(logs.visibleLines())
                    .containsExactly("WARNING " + LOGGER + ": provider permits: could not renew this server's permits"
                            + " (Connection refused); told once until the database answers again");
            assertThat(logs.recordsContaining("could not renew"))
                    .as("the rest at DEBUG")
                    .hasSize(6);

            outage.answered();
            outage.answered();
            assertThat(logs.visibleLines())
                    .last()
                    .isEqualTo("INFO " + LOGGER
                            + ": provider permits: the database answers again after 3.0 s and 6 failed statements");
            assertThat(logs.visibleLines()).hasSize(2);
        }
    }

    @Test
    void theNextOutageIsToldAgain() {
        try (CapturedLogs logs = CapturedLogs.of(LOGGER)) {
            outage.failed("take a permit of openai, calls wait", new SQLException("gone"));
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(40));
            outage.answered();
            outage.failed("take a permit of openai, calls wait", new SQLException("gone again"));

            assertThat(logs.visibleLines())
                    .extracting(line -> line.substring(0, line.indexOf(' ')))
                    .containsExactly("WARNING", "INFO", "WARNING");
            assertThat(logs.visibleLines().get(1)).endsWith("after 40 ms and 1 failed statement");
            assertThat(logs.visibleRecords())
                    .allSatisfy(r -> assertThat(r.getThrown()).isNull());
        }
    }
}
