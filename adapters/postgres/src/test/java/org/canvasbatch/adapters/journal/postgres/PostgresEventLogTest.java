package org.canvasbatch.adapters.journal.postgres;

import java.sql.Connection;
import java.sql.Statement;
import org.canvasbatch.adapters.journal.EventLogContract;
import org.canvasbatch.application.port.out.EventLog;
import org.junit.jupiter.api.extension.ExtendWith;

/** The database log keeps every promise the other logs keep. */
@ExtendWith(LocalPostgres.class)
class PostgresEventLogTest extends EventLogContract {

    private final LocalPostgres.Server server;
    private final PostgresLocation location;

    PostgresEventLogTest(LocalPostgres.Server server) {
        this.server = server;
        this.location = server.newDatabase();
    }

    @Override
    protected EventLog createLog() {
        PostgresEventLog log = PostgresEventLog.open(location);
        try (Connection connection = server.connect(location.database());
                Statement statement = connection.createStatement()) {
            statement.execute("truncate canvas_batch_events, canvas_batch_leases");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return log;
    }
}
