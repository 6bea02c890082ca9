package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.canvasbatch.adapters.journal.SampleEvents;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database is shared: a person's maintenance (a VACUUM FULL, an ALTER TABLE, a LOCK TABLE left open in psql) can
 * hold a lock on the events table for as long as it likes. The servers must say that this is what stops them, soon,
 * rather than wait until their socket gives up, twice, and then call a database that answers every other question
 * "unreachable".
 */
@ExtendWith(LocalPostgres.class)
class LockedTableTest {

    private static final SessionId S = new SessionId("locked-by-someone-else");

    @Test
    void aTableLockedBySomeoneElseIsToldAsALockAndTheLogWorksOnceItIsFree(LocalPostgres.Server server)
            throws Exception {
        PostgresLocation location = server.newDatabase();
        List<SessionEvent> history = SampleEvents.history(S, 3);
        try (PostgresEventLog log = PostgresEventLog.open(location);
                Connection maintenance = server.connect(location.database())) {
            log.append(history.subList(0, 2));
            maintenance.setAutoCommit(false);
            try (Statement statement = maintenance.createStatement()) {
                statement.execute("lock table canvas_batch_events in access exclusive mode");
            }

            EventLogException read = catchThrowableOfType(EventLogException.class, () -> log.readAfter(S, 0, 10));
            EventLogException append =
                    catchThrowableOfType(EventLogException.class, () -> log.append(history.subList(2, 3)));

            for (EventLogException refused : List.of(read, append)) {
                assertThat(refused).isNotNull();
                assertThat(refused.reason())
                        .hasValueSatisfying(
                                reason -> assertThat(reason).contains("lock").doesNotContain("cannot be reached"));
                assertThat(refused.getMessage()).contains("lock").doesNotContain("I/O error");
            }

            maintenance.rollback();
            log.append(history.subList(2, 3));
            assertThat(log.readAfter(S, 0, 10)).containsExactlyElementsOf(history);
        }
    }
}
