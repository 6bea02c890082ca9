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
    private static final String RENEW = "renew this server's permits";
    private static final String TAKE = "take a permit";

    private final AtomicLong now = new AtomicLong();
    private final Outage outage = new Outage(System.getLogger(LOGGER), "provider permits", now::get);

    @Test
    void anOutageIsToldOnceWhenItBeginsAndOnceWhenItEndsWithHowLongAndHowMany() {
        try (CapturedLogs logs = CapturedLogs.of(LOGGER)) {
            outage.answered(RENEW);
            assertThat(logs.visibleLines())
                    .as("nothing to tell while the database answers")
                    .isEmpty();

            for (int beat = 0; beat < 6; beat++) {
                outage.failed(RENEW, new SQLException("Connection refused"));
                now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
            }
            assertThat(logs.visibleLines())
                    .containsExactly("WARNING " + LOGGER + ": provider permits: could not renew this server's permits"
                            + " (Connection refused); told once until it works again");
            assertThat(logs.recordsContaining("could not renew"))
                    .as("the rest at DEBUG")
                    .hasSize(6);

            outage.answered(RENEW);
            outage.answered(RENEW);
            assertThat(logs.visibleLines())
                    .last()
                    .isEqualTo("INFO " + LOGGER + ": provider permits: could renew this server's permits again after"
                            + " 3.0 s and 6 failed attempts");
            assertThat(logs.visibleLines()).hasSize(2);
        }
    }

    @Test
    void theNextOutageIsToldAgain() {
        try (CapturedLogs logs = CapturedLogs.of(LOGGER)) {
            outage.failed(TAKE, " of openai (calls wait)", new SQLException("gone"));
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(40));
            outage.answered(TAKE);
            outage.failed(TAKE, " of openai (calls wait)", new SQLException("gone again"));

            assertThat(logs.visibleLines())
                    .extracting(line -> line.substring(0, line.indexOf(' ')))
                    .containsExactly("WARNING", "INFO", "WARNING");
            assertThat(logs.visibleLines().getFirst())
                    .contains("could not take a permit of openai (calls wait) (gone)");
            assertThat(logs.visibleLines().get(1)).endsWith("after 40 ms and 1 failed attempt");
            assertThat(logs.visibleRecords())
                    .allSatisfy(r -> assertThat(r.getThrown()).isNull());
        }
    }

    /** One action failing for a reason of its own while the others succeed is neither told again nor over. */
    @Test
    void anotherActionSucceedingNeitherEndsNorRepeatsAnActionsOutage() {
        try (CapturedLogs logs = CapturedLogs.of(LOGGER)) {
            for (int beat = 0; beat < 4; beat++) {
                outage.failed(TAKE, new SQLException("permission denied for table canvas_batch_permits"));
                outage.answered(RENEW);
            }

            assertThat(logs.visibleLines()).hasSize(1).first().asString().startsWith("WARNING");
            outage.answered(TAKE);
            assertThat(logs.visibleLines()).hasSize(2).last().asString().contains("could take a permit again after");
        }
    }
}
