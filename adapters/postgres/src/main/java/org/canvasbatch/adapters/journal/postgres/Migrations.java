package org.canvasbatch.adapters.journal.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema, in numbered steps that are applied once each and never edited after release: a database at any earlier
 * version is brought to the newest by the steps it lacks, each in its own transaction with its row in
 * {@code canvas_batch_schema_version}. Servers starting at once take an advisory lock, so one migrates and the others
 * find it done. A database newer than this build is refused rather than guessed at. Our own twenty lines rather than
 * Flyway: two scripts, one database, no callbacks or repair commands to learn, no dependency the size of the adapter.
 */
final class Migrations {

    private static final System.Logger LOG = System.getLogger(Migrations.class.getName());

    /** Any constant: the advisory lock that serialises migrations of one database. */
    private static final long LOCK = 0x63616e7661736261L;

    record Step(int version, String description, String resource) {}

    static final List<Step> ALL = List.of(
            new Step(1, "event log", "V1__event_log.sql"),
            new Step(2, "session leases", "V2__session_leases.sql"),
            new Step(3, "server load", "V3__server_load.sql"),
            new Step(4, "provider permits", "V4__provider_permits.sql"),
            new Step(5, "stopped servers", "V5__stopped_servers.sql"),
            new Step(6, "passed-over servers", "V6__passed_over_servers.sql"),
            new Step(7, "sessions counted in a load", "V7__sessions_counted_in_load.sql"));

    static int newest() {
        return ALL.getLast().version();
    }

    private Migrations() {}

    /** Brings the database to {@link #newest()}; returns the version it was at. */
    static int migrate(Database database) throws SQLException {
        return migrate(database, newest());
    }

    /** Brings the database to {@code target} (tests stop at an older version); returns the version it was at. */
    static int migrate(Database database, int target) throws SQLException {
        return database.withConnection(connection -> {
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                // another server's migration may take longer than a statement's usual wait for a lock
                statement.execute("set lock_timeout = 0");
                statement.execute("select pg_advisory_lock(" + LOCK + ")");
            }
            try {
                return migrateLocked(connection, target);
            } finally {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("select pg_advisory_unlock(" + LOCK + ")");
                    statement.execute("reset lock_timeout");
                }
            }
        });
    }

    private static int migrateLocked(Connection connection, int target) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("create table if not exists canvas_batch_schema_version ("
                    + "version int primary key, description text not null, "
                    + "applied_at timestamptz not null default now())");
        }
        int current = version(connection);
        if (current > newest()) {
            throw new SQLException("the database's schema is at version " + current + ", newer than this canvas-batch"
                    + " knows (" + newest() + "): upgrade canvas-batch on every server");
        }
        for (Step step : ALL) {
            if (step.version() <= current || step.version() > target) {
                continue;
            }
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement();
                    PreparedStatement record = connection.prepareStatement(
                            "insert into canvas_batch_schema_version (version, description) values (?, ?)")) {
                statement.execute(script(step));
                record.setInt(1, step.version());
                record.setString(2, step.description());
                record.executeUpdate();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            LOG.log(
                    System.Logger.Level.INFO,
                    "database schema migrated to version " + step.version() + " (" + step.description() + ")");
        }
        return current;
    }

    static int version(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                var result =
                        statement.executeQuery("select coalesce(max(version), 0) from canvas_batch_schema_version")) {
            result.next();
            return result.getInt(1);
        }
    }

    private static String script(Step step) {
        try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + step.resource())) {
            if (in == null) {
                throw new IllegalStateException("migration " + step.resource() + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
