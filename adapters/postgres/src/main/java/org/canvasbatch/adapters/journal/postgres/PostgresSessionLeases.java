package org.canvasbatch.adapters.journal.postgres;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.canvasbatch.application.port.out.SessionLeases;
import org.canvasbatch.domain.session.SessionId;

/**
 * Session leases in {@code canvas_batch_leases}: a row per running session naming the server that runs it and until
 * when. Taking is one upsert that succeeds only when the row is new, expired or already this server's, so of several
 * servers racing for an abandoned session exactly one gets it. A heartbeat renews this server's rows every third of the
 * lease; a lease whose renewal has not succeeded for a whole lease time (the database unreachable) is given up here
 * too, since another server may have taken it. Every time is the database's {@code now()}, so the servers' clocks do
 * not need to agree.
 */
public final class PostgresSessionLeases implements SessionLeases, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PostgresSessionLeases.class.getName());

    /** How long a lease lasts unless renewed: the longest a dead server's sessions wait for another server. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);

    private final Database database;
    private final Duration lease;
    private final String owner;
    private final Set<SessionId> held = ConcurrentHashMap.newKeySet();
    private final AtomicLong moves = new AtomicLong();
    private final Thread heartbeat;
    private volatile boolean closed;
    private volatile long lastRenewalNanos = System.nanoTime();

    PostgresSessionLeases(Database database, Duration lease, String owner) {
        this.database = database;
        this.lease = lease;
        this.owner = owner;
        this.heartbeat = Thread.ofPlatform()
                .daemon()
                .name("canvas-batch-lease-heartbeat")
                .start(this::beat);
    }

    /** Leases of the cluster whose events {@code log} stores, held {@code lease} long between renewals. */
    public static PostgresSessionLeases of(PostgresEventLog log, Duration lease) {
        String host = System.getenv().getOrDefault("HOSTNAME", "server");
        String owner = host + "-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        return new PostgresSessionLeases(log.database(), lease, owner);
    }

    /** This server's name in the lease table. */
    public String owner() {
        return owner;
    }

    public Duration lease() {
        return lease;
    }

    /** How many sessions this server took over from another server. */
    public long moves() {
        return moves.get();
    }

    /** How many sessions this server runs now. */
    public int heldCount() {
        return held.size();
    }

    @Override
    public boolean holds(SessionId sessionId) {
        return held.contains(sessionId);
    }

    @Override
    public boolean take(SessionId sessionId) {
        String previous;
        try {
            previous = database.withConnection(connection -> {
                try (PreparedStatement upsert = connection.prepareStatement(
                        "with previous as (select owner from canvas_batch_leases where session_id = ?)"
                                + " insert into canvas_batch_leases (session_id, owner, expires_at)"
                                + " values (?, ?, now() + ? * interval '1 millisecond')"
                                + " on conflict (session_id) do update"
                                + " set owner = excluded.owner, expires_at = excluded.expires_at"
                                + " where canvas_batch_leases.expires_at < now()"
                                + " or canvas_batch_leases.owner = excluded.owner"
                                + " returning coalesce((select owner from previous), '')")) {
                    upsert.setString(1, sessionId.value());
                    upsert.setString(2, sessionId.value());
                    upsert.setString(3, owner);
                    upsert.setLong(4, lease.toMillis());
                    try (ResultSet result = upsert.executeQuery()) {
                        return result.next() ? result.getString(1) : null;
                    }
                }
            });
        } catch (SQLException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "could not take the lease of session " + sessionId + ": " + e.getMessage());
            return false;
        }
        if (previous == null) {
            return false;
        }
        held.add(sessionId);
        if (!previous.isEmpty() && !previous.equals(owner)) {
            moves.incrementAndGet();
            LOG.log(System.Logger.Level.INFO, "session " + sessionId + " moved here from " + previous);
        }
        return true;
    }

    @Override
    public void release(SessionId sessionId) {
        held.remove(sessionId);
        try {
            database.withConnection(connection -> {
                try (PreparedStatement delete = connection.prepareStatement(
                        "delete from canvas_batch_leases where session_id = ? and owner = ?")) {
                    delete.setString(1, sessionId.value());
                    delete.setString(2, owner);
                    return delete.executeUpdate();
                }
            });
        } catch (SQLException e) {
            // the lease expires by itself; the session is finished, so no server will find work in it
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "could not release the lease of session " + sessionId + ": " + e.getMessage());
        }
    }

    @Override
    public List<SessionId> abandoned() {
        try {
            return database.withConnection(connection -> {
                List<SessionId> ids = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement(
                                "select session_id from canvas_batch_leases where expires_at < now()"
                                        + " order by expires_at limit 1000");
                        ResultSet result = select.executeQuery()) {
                    while (result.next()) {
                        String value = result.getString(1);
                        if (SessionId.isWellFormed(value)) {
                            ids.add(new SessionId(value));
                        }
                    }
                }
                return ids;
            });
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not look for abandoned sessions: " + e.getMessage());
            return List.of();
        }
    }

    /** As if this server froze or lost its network: its leases are no longer renewed, and nothing is given back. */
    void stopRenewing() {
        closed = true;
        heartbeat.interrupt();
    }

    private void beat() {
        long period = Math.max(50, lease.toMillis() / 3);
        while (!closed) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            renew();
        }
    }

    /** Renews every lease this server holds; one it no longer holds in the table is given up here. */
    void renew() {
        List<SessionId> mine = List.copyOf(held);
        if (mine.isEmpty()) {
            lastRenewalNanos = System.nanoTime();
            return;
        }
        try {
            Set<String> renewed = database.withConnection(connection -> {
                Array ids = connection.createArrayOf(
                        "text", mine.stream().map(SessionId::value).toArray());
                try (PreparedStatement update = connection.prepareStatement("update canvas_batch_leases"
                        + " set expires_at = now() + ? * interval '1 millisecond'"
                        + " where owner = ? and session_id = any(?) returning session_id")) {
                    update.setLong(1, lease.toMillis());
                    update.setString(2, owner);
                    update.setArray(3, ids);
                    Set<String> done = new HashSet<>();
                    try (ResultSet result = update.executeQuery()) {
                        while (result.next()) {
                            done.add(result.getString(1));
                        }
                    }
                    return done;
                }
            });
            lastRenewalNanos = System.nanoTime();
            for (SessionId id : mine) {
                if (!renewed.contains(id.value()) && held.remove(id)) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "lost the lease of session " + id + ": another server runs it now");
                }
            }
        } catch (SQLException e) {
            if (System.nanoTime() - lastRenewalNanos > lease.toNanos()) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "could not renew " + mine.size() + " lease(s) for a whole lease time (" + e.getMessage()
                                + "): their sessions may run elsewhere now, and are no longer dispatched here");
                mine.forEach(held::remove);
            }
        }
    }

    /**
     * Stops renewing and gives back every lease this server holds, so that other servers take its sessions at their
     * next look instead of after the lease time (a graceful shutdown).
     */
    @Override
    public void close() {
        closed = true;
        heartbeat.interrupt();
        List<SessionId> mine = List.copyOf(held);
        held.clear();
        if (mine.isEmpty()) {
            return;
        }
        try {
            database.withConnection(connection -> {
                try (PreparedStatement expire = connection.prepareStatement("update canvas_batch_leases"
                        + " set expires_at = now() - interval '1 millisecond' where owner = ?")) {
                    expire.setString(1, owner);
                    return expire.executeUpdate();
                }
            });
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not give back the leases: " + e.getMessage());
        }
    }
}
