package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A claim reads the session before it takes the lease (45c84b7); a session the log does not have (an expired lease row
 * left with no events) is known not to be runnable before the take, yet the lease was taken anyway, then
 * SessionNotFoundException: the server held and renewed a lease for nothing, for good.
 */
@ExtendWith(LocalPostgres.class)
class ClaimOfAnUnknownSessionTest {

    private final LocalPostgres.Server server;
    private final List<AutoCloseable> opened = new ArrayList<>();

    ClaimOfAnUnknownSessionTest(LocalPostgres.Server server) {
        this.server = server;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    void aLeaseRowOfASessionTheLogDoesNotHaveIsNotTakenByTheServerThatFindsItAbandoned() throws Exception {
        PostgresEventLog log = open(PostgresEventLog.open(server.newDatabase()));
        PostgresSessionLeases leases = open(PostgresSessionLeases.of(log, Duration.ofMinutes(1)));
        CanvasBatchCore core = ManualCore.on(log, leases);
        core.recover();
        leases.publishLoad(core::callsWanted, 12);
        log.database().withConnection(connection -> {
            try (java.sql.Statement statement = connection.createStatement()) {
                return statement.executeUpdate("insert into canvas_batch_leases (session_id, owner, expires_at)"
                        + " values ('no-events', 'gone', now() - interval '1 second')");
            }
        });

        core.takeOverAbandoned();

        assertThat(leases.holds(new SessionId("no-events")))
                .as("nothing to run: no lease taken")
                .isFalse();
        assertThat(leases.abandoned())
                .as("and the row is gone: no server reads the empty history again at every look")
                .doesNotContain(new SessionId("no-events"));
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }
}
