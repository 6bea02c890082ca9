package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.journal.SampleEvents;
import org.canvasbatch.adapters.journal.SessionEventCodec;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The schema is created on an empty database and brought up to date on an older one, keeping what it holds. */
@ExtendWith(LocalPostgres.class)
class MigrationsTest {

    private static final SessionId S = new SessionId("kept-session");

    private final LocalPostgres.Server server;

    MigrationsTest(LocalPostgres.Server server) {
        this.server = server;
    }

    @Test
    void anEmptyDatabaseGetsEveryStepOnceAndAStartAgainChangesNothing() throws Exception {
        PostgresLocation location = server.newDatabase();

        PostgresEventLog.open(location).close();
        PostgresEventLog.open(location).close();

        assertThat(versions(location)).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(tables(location))
                .contains(
                        "canvas_batch_events",
                        "canvas_batch_store",
                        "canvas_batch_leases",
                        "canvas_batch_schema_version");
    }

    @Test
    void aDatabaseAtThePreviousVersionIsMigratedAndKeepsItsEventsAndEpoch() throws Exception {
        PostgresLocation location = server.newDatabase();
        String epochBefore;
        try (Database database = new Database(location, 1)) {
            assertThat(Migrations.migrate(database, 1)).isZero();
            epochBefore = database.withConnection(connection -> {
                try (Statement statement = connection.createStatement();
                        ResultSet result = statement.executeQuery("select epoch from canvas_batch_store")) {
                    result.next();
                    return result.getString(1);
                }
            });
        }
        List<SessionEvent> stored = SampleEvents.history(S, 3);
        insertAsVersionOneDid(location, stored);
        assertThat(versions(location)).containsExactly(1);
        assertThat(tables(location)).doesNotContain("canvas_batch_leases");

        try (PostgresEventLog log = PostgresEventLog.open(location)) {
            assertThat(log.readAfter(S, 0, 10)).containsExactlyElementsOf(stored);
            assertThat(log.epoch()).isEqualTo(epochBefore);
            log.append(SampleEvents.history(S, 4).subList(3, 4));
        }
        assertThat(versions(location)).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(tables(location)).contains("canvas_batch_leases");
    }

    @Test
    void aDatabaseMigratedByANewerBuildIsRefusedWithTheReason() throws Exception {
        PostgresLocation location = server.newDatabase();
        PostgresEventLog.open(location).close();
        try (Connection connection = server.connect(location.database());
                Statement statement = connection.createStatement()) {
            statement.execute(
                    "insert into canvas_batch_schema_version (version, description) values (99, 'from the future')");
        }

        assertThatThrownBy(() -> PostgresEventLog.open(location))
                .isInstanceOf(EventLogException.class)
                .hasMessageContaining("version 99")
                .hasMessageContaining("upgrade canvas-batch");
    }

    @Test
    void serversStartingTogetherMigrateOnce() throws Exception {
        PostgresLocation location = server.newDatabase();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> opened = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                opened.add(threads.submit(() -> {
                    go.await();
                    PostgresEventLog.open(location).close();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> future : opened) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(versions(location)).containsExactly(1, 2, 3, 4, 5, 6, 7);
        try (Connection connection = server.connect(location.database());
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("select count(*) from canvas_batch_store")) {
            result.next();
            assertThat(result.getInt(1)).as("one epoch").isEqualTo(1);
        }
    }

    private void insertAsVersionOneDid(PostgresLocation location, List<SessionEvent> events) throws SQLException {
        SessionEventCodec codec = new SessionEventCodec();
        try (Connection connection = server.connect(location.database());
                PreparedStatement insert = connection.prepareStatement("insert into canvas_batch_events"
                        + " (session_id, seq, event_type, recorded_at, body) values (?, ?, ?, ?, ?)")) {
            for (SessionEvent event : events) {
                insert.setString(1, event.sessionId().value());
                insert.setLong(2, event.seq());
                insert.setString(3, event.getClass().getSimpleName());
                insert.setTimestamp(4, Timestamp.from(event.at()));
                insert.setBytes(5, codec.encode(event));
                insert.executeUpdate();
            }
        }
    }

    private List<Integer> versions(PostgresLocation location) throws SQLException {
        try (Connection connection = server.connect(location.database());
                Statement statement = connection.createStatement();
                ResultSet result =
                        statement.executeQuery("select version from canvas_batch_schema_version order by version")) {
            List<Integer> versions = new ArrayList<>();
            while (result.next()) {
                versions.add(result.getInt(1));
            }
            return versions;
        }
    }

    private List<String> tables(PostgresLocation location) throws SQLException {
        try (Connection connection = server.connect(location.database());
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(
                        "select table_name from information_schema.tables where table_schema = 'public'")) {
            List<String> tables = new ArrayList<>();
            while (result.next()) {
                tables.add(result.getString(1));
            }
            return tables;
        }
    }
}
