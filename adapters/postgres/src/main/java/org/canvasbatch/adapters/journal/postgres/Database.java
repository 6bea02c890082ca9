package org.canvasbatch.adapters.journal.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A few connections to the cluster's database, handed out one at a time. A connection that failed with a connection
 * error is dropped, so after the database comes back (restarted, network back) the next borrow opens a fresh one. Our
 * own pool rather than a library's: the log needs a handful of connections, validation by failure and the backend pids
 * of its own connections (to tell its own notifications from other servers'), which is a page of code.
 */
final class Database implements AutoCloseable {

    private final PostgresLocation location;
    private final BlockingQueue<Connection> idle;
    private final Semaphore permits;
    private final Set<Integer> ownBackends = ConcurrentHashMap.newKeySet();
    private final java.util.Map<Connection, Integer> backendOf = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Database(PostgresLocation location, int size) {
        this.location = location;
        this.idle = new ArrayBlockingQueue<>(size);
        this.permits = new Semaphore(size, true);
    }

    PostgresLocation location() {
        return location;
    }

    /** A new connection, not from the pool (the notification listener keeps its own). */
    Connection open() throws SQLException {
        Connection connection = DriverManager.getConnection(location.jdbcUrl(), location.connectionProperties());
        try (Statement statement = connection.createStatement();
                var result = statement.executeQuery("select pg_backend_pid()")) {
            result.next();
            int pid = result.getInt(1);
            ownBackends.add(pid);
            backendOf.put(connection, pid);
        }
        return connection;
    }

    /** Whether a notification came from one of this process's connections. */
    boolean isOwnBackend(int pid) {
        return ownBackends.contains(pid);
    }

    /**
     * Runs {@code work} on a pooled connection. When a connection that waited in the pool turns out to be dead (the
     * database restarted, a network cut), every idle one is dropped — they died with it — and the work is run once more
     * on a new connection: the dead one failed at its first statement, so nothing of the work was done.
     */
    <T> T withConnection(SqlWork<T> work) throws SQLException {
        try {
            if (!permits.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new SQLException("no database connection became free within 30 s", "08001");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a database connection", "08001", e);
        }
        try {
            Connection pooled = idle.poll();
            if (pooled != null) {
                try {
                    return runOn(pooled, work);
                } catch (SQLException e) {
                    if (!isConnectionLost(e)) {
                        throw e;
                    }
                    dropIdle();
                }
            }
            return runOn(open(), work);
        } finally {
            permits.release();
        }
    }

    private <T> T runOn(Connection connection, SqlWork<T> work) throws SQLException {
        boolean broken = false;
        try {
            return work.run(connection);
        } catch (SQLException e) {
            broken = isConnectionLost(e) || connection.isClosed();
            throw e;
        } catch (RuntimeException e) {
            broken = true;
            throw e;
        } finally {
            if (broken || closed || !resetForReuse(connection) || !idle.offer(connection)) {
                discard(connection);
            }
        }
    }

    /** Closes every connection waiting in the pool: they are taken for dead with one that was found dead. */
    void dropIdle() {
        Connection connection;
        while ((connection = idle.poll()) != null) {
            discard(connection);
        }
    }

    /** A transaction: committed when {@code work} returns, rolled back when it throws. */
    <T> T inTransaction(SqlWork<T> work) throws SQLException {
        return withConnection(connection -> {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            }
        });
    }

    private static boolean resetForReuse(Connection connection) {
        try {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** SQLSTATE 55P03: a lock another connection holds did not come free within {@link PostgresLocation#LOCK_WAIT}. */
    static boolean isLockNotFree(SQLException e) {
        return "55P03".equals(e.getSQLState());
    }

    /** SQLSTATE class 08 (connection exception), 57P (operator intervention: shutdown), or no state at all. */
    static boolean isConnectionLost(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    private void discard(Connection connection) {
        // its pid stays known as ours: a notification it sent before it died may still be on its way
        backendOf.remove(connection);
        try {
            connection.close();
        } catch (SQLException ignored) {
            // it is being dropped because it is broken
        }
    }

    @Override
    public void close() {
        closed = true;
        dropIdle();
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }
}
