package org.canvasbatch.adapters.journal.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;

/**
 * A limit on the calls in flight to one model provider over every server of a cluster (the budget a school pays for):
 * a counting semaphore in {@code canvas_batch_permits}, one row per permit in one of the limit's slots. A call waits
 * for a free slot (looking again 20 ms, then up to 250 ms, apart: no server is served first), holds it while the model
 * answers and gives it back. A heartbeat renews this server's permits every third of the lease; a server that dies
 * stops renewing, and its permits come back when their lease runs out.
 */
public final class ClusterProviderLimit implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ClusterProviderLimit.class.getName());

    private final Database database;
    private final int limit;
    private final Duration lease;
    private final Set<Grant> held = ConcurrentHashMap.newKeySet();
    /**
     * Names this process's grants in their rows, with {@link #grants}: a call whose permit ran out while it waited for
     * the model (its renewals failed for a lease) must not give back, or renew, the permit another call of this server
     * took in the same slot after it — the cluster would then let one call more than its limit in flight.
     */
    private final String grantPrefix;

    private final Outage outage = new Outage(LOG, "provider permits");
    private static final String TAKE = "take a permit";
    private static final String GIVE_BACK = "give a permit back";
    private static final String RENEW = "renew this server's permits";
    private final AtomicLong grants = new AtomicLong();
    private final AtomicLong waitedNanos = new AtomicLong();
    private final Thread heartbeat;
    private volatile boolean closed;

    ClusterProviderLimit(Database database, int limit, Duration lease, String owner) {
        if (limit < 1) {
            throw new IllegalArgumentException("a provider limit is at least 1, not " + limit);
        }
        this.database = database;
        this.limit = limit;
        this.lease = lease;
        this.grantPrefix = owner + "#" + Long.toHexString(new java.security.SecureRandom().nextLong()) + ".";
        this.heartbeat = Thread.ofPlatform()
                .daemon()
                .name("canvas-batch-permit-heartbeat")
                .start(this::beat);
    }

    /** At most {@code limit} calls in flight to a provider over the cluster whose leases {@code leases} are. */
    public static ClusterProviderLimit of(PostgresSessionLeases leases, int limit) {
        return new ClusterProviderLimit(leases.database(), limit, leases.lease(), leases.owner());
    }

    public int limit() {
        return limit;
    }

    /** Permits this server holds now. */
    public int heldCount() {
        return held.size();
    }

    /** How long calls waited for a permit, in all. */
    public Duration waited() {
        return Duration.ofNanos(waitedNanos.get());
    }

    /** {@code agents}, each of whose calls first waits for a permit of its provider (the part of its model before ':'). */
    public AgentRunner limit(AgentRunner agents) {
        String model = agents.model();
        String provider = model.contains(":") ? model.substring(0, model.indexOf(':')) : model;
        return new AgentRunner() {
            @Override
            public AgentAnswer run(AgentRequest request) throws AgentFailure, InterruptedException {
                Grant grant = acquire(provider);
                try {
                    return agents.run(request);
                } finally {
                    release(grant);
                }
            }

            @Override
            public String model() {
                return agents.model();
            }

            /** Opening connections asks the model nothing, so it takes no permit. */
            @Override
            public java.util.concurrent.CompletableFuture<Void> prepare(int calls) {
                return agents.prepare(calls);
            }
        };
    }

    /**
     * One permit taken: its slot, and the owner its row names — this server, and this grant of it.
     */
    record Grant(String provider, int slot, String rowOwner) {}

    /** Waits for a free slot of {@code provider}'s limit and takes it. */
    Grant acquire(String provider) throws InterruptedException {
        String rowOwner = grantPrefix + grants.incrementAndGet();
        long start = System.nanoTime();
        long pauseMillis = 20;
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("stopped while waiting for a permit of " + provider);
            }
            Integer slot = tryAcquire(provider, rowOwner);
            if (slot != null) {
                Grant grant = new Grant(provider, slot, rowOwner);
                held.add(grant);
                waitedNanos.addAndGet(System.nanoTime() - start);
                return grant;
            }
            Thread.sleep(pauseMillis);
            pauseMillis = Math.min(250, pauseMillis * 2);
        }
    }

    private Integer tryAcquire(String provider, String rowOwner) {
        try {
            Integer slot = database.withConnection(connection -> {
                // a free slot is one never taken or whose holder stopped renewing it; of two servers taking the same
                // slot, the second's update finds it unexpired and takes nothing (it looks again)
                try (PreparedStatement take = connection.prepareStatement(
                        "insert into canvas_batch_permits (provider, slot, owner, expires_at)"
                                + " select ?, free.slot, ?, now() + ? * interval '1 millisecond'"
                                + " from generate_series(0, ? - 1) as free(slot)"
                                + " where not exists (select 1 from canvas_batch_permits p"
                                + "   where p.provider = ? and p.slot = free.slot and not "
                                + PostgresSessionLeases.runOut("p.expires_at") + ")"
                                + " order by random() limit 1"
                                + " on conflict (provider, slot) do update"
                                + " set owner = excluded.owner, expires_at = excluded.expires_at"
                                + " where " + PostgresSessionLeases.runOut("canvas_batch_permits.expires_at")
                                + " returning slot")) {
                    take.setString(1, provider);
                    take.setString(2, rowOwner);
                    take.setLong(3, lease.toMillis());
                    take.setInt(4, limit);
                    take.setString(5, provider);
                    try (ResultSet result = take.executeQuery()) {
                        return result.next() ? result.getInt(1) : null;
                    }
                }
            });
            outage.answered(TAKE);
            return slot;
        } catch (SQLException e) {
            // the database is away: calls wait (the budget is kept) until it is back
            outage.failed(TAKE, " of " + provider + " (calls wait)", e);
            return null;
        }
    }

    void release(Grant grant) {
        held.remove(grant);
        String provider = grant.provider();
        try {
            database.withConnection(connection -> {
                try (PreparedStatement delete = connection.prepareStatement(
                        "delete from canvas_batch_permits where provider = ? and slot = ? and owner = ?")) {
                    delete.setString(1, provider);
                    delete.setInt(2, grant.slot());
                    delete.setString(3, grant.rowOwner());
                    return delete.executeUpdate();
                }
            });
            outage.answered(GIVE_BACK);
        } catch (SQLException e) {
            outage.failed(GIVE_BACK, " of " + provider + " (its lease frees it)", e);
        }
    }

    private void beat() {
        long period = Math.max(50, lease.toMillis() / 3);
        while (!closed) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed && !held.isEmpty()) {
                renew();
            }
        }
    }

    /**
     * Renews the permits this server holds, and only those: a permit it gave back while the database was away is still
     * a row of this server, and renewing every row of the server would keep it from the cluster for as long as this
     * server is busy; each grant's row is named for that grant alone.
     */
    private void renew() {
        List<String> mine = held.stream().map(Grant::rowOwner).toList();
        if (mine.isEmpty()) {
            return;
        }
        try {
            database.withConnection(connection -> {
                try (PreparedStatement update = connection.prepareStatement("update canvas_batch_permits"
                        + " set expires_at = now() + ? * interval '1 millisecond'"
                        + " where owner = any(?)")) {
                    update.setLong(1, lease.toMillis());
                    update.setArray(2, connection.createArrayOf("text", mine.toArray()));
                    return update.executeUpdate();
                }
            });
            outage.answered(RENEW);
        } catch (SQLException e) {
            outage.failed(RENEW, e);
        }
    }

    /** As if this server froze: its permits are no longer renewed. */
    void stopRenewing() {
        closed = true;
        heartbeat.interrupt();
    }

    @Override
    public void close() {
        closed = true;
        heartbeat.interrupt();
    }
}
