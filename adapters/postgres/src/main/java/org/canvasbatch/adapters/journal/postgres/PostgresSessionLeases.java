package org.canvasbatch.adapters.journal.postgres;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
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

    /** The longest lease a server can be given ({@code cluster.lease} allows up to 10 minutes). */
    static final Duration LONGEST_LEASE = Duration.ofMinutes(10);

    /**
     * A lease or permit row that runs out later than this from now was written by no server of this build, with any
     * lease (a buggy or hostile client of the database): it is treated as expired, so that it cannot keep a session or
     * a permit from the cluster forever. Twice the longest lease, not the longest lease itself: a live row of the
     * longest lease reads a little ahead of it when a renewal committed after the reader's transaction began, or the
     * database's clock stepped back, and was then taken from a server that still held it.
     */
    static final Duration TOO_FAR_AHEAD = LONGEST_LEASE.multipliedBy(2);

    /**
     * The most concurrency a server publishes (the range of {@code batch.concurrency.global}): a row claiming more was
     * written by no server of this build and would look idle however busy it is, drawing every session placed.
     */
    public static final int MOST_CONCURRENCY = 200;

    /**
     * How many leases a server that let a session's lease run out stays no candidate for placements: longer than a
     * round of as many broken servers as a cluster plausibly has, each drawing the session for a lease.
     */
    static final int PASSED_OVER_LEASES = 10;

    /** How long a graceful stop waits for a renewal under way before it gives the leases back. */
    private static final Duration STOP_PATIENCE = Duration.ofSeconds(5);

    /** SQL that is true for a row {@code expires_at} of a lease or permit that holds nothing (see TOO_FAR_AHEAD). */
    static String runOut(String expiresAt) {
        return "(" + expiresAt + " < now() or " + expiresAt + " > now() + interval '" + TOO_FAR_AHEAD.toSeconds()
                + " seconds')";
    }

    private final Database database;
    private final Duration lease;
    private final String owner;
    /**
     * The sessions this server holds, each with the moment of the process's monotonic clock until which it surely does:
     * a lease and a bit less after the take or renewal that last reached the database was sent. A process frozen
     * longer than that (SIGSTOP, a long GC pause) finds its leases untrusted the moment it resumes, before its
     * heartbeat has had a chance to learn whether another server took them meanwhile. And until the same moment of the
     * wall clock: the monotonic clock stands still while the machine is suspended (a laptop's lid, a VM's host), so a
     * machine that wakes after a lease went by would trust its leases by it alone.
     */
    private final Map<SessionId, Trust> held = new ConcurrentHashMap<>();

    /** Until when a lease is trusted: the first of the two moments, the monotonic clock's and the wall clock's. */
    private record Trust(long untilNanos, long untilMillis) {}

    private final Outage outage = new Outage(LOG, "session leases");
    private static final String LEASE = "take or place the lease";
    private static final String READ_PLACEMENT = "read the placement";
    private static final String ASK_HOLDER = "ask the server running a session";
    private static final String PUBLISH = "publish this server's load";
    private static final String RELEASE = "release the lease";
    private static final String FORGET_RUN_OUT = "delete a run-out lease of no session";
    private static final String LOOK_ABANDONED = "look for abandoned sessions";
    private static final String LOOK_STOPPED = "look for stopped servers";
    private static final String FORGET_STOPPED = "forget the stopped server";
    private static final String RENEW = "renew the leases";
    private static final String LEAVE = "leave the servers' table";
    private static final String GIVE_BACK = "give the leases back at the stop";
    private final AtomicLong moves = new AtomicLong();
    private final AtomicLong placements = new AtomicLong();
    private volatile Load load;
    private volatile Consumer<SessionId> placedHere = id -> {};
    private volatile java.util.function.BiConsumer<SessionId, String> cancelAskedHere = (id, reason) -> {};
    private final Thread heartbeat;
    private volatile boolean closed;
    private final LongSupplier nanoTime;
    private final LongSupplier wallMillis;
    private volatile long lastRenewalNanos;
    /** The lapse of the renewals now under way was logged (once per outage). */
    private volatile boolean renewalLapseTold;

    PostgresSessionLeases(Database database, Duration lease, String owner) {
        this(database, lease, owner, System::nanoTime);
    }

    /** With {@code nanoTime} the process's monotonic clock: a test moves it as a frozen process would see it jump. */
    PostgresSessionLeases(Database database, Duration lease, String owner, LongSupplier nanoTime) {
        this(database, lease, owner, nanoTime, System::currentTimeMillis);
    }

    /** With {@code wallMillis} the wall clock: a test moves it alone, as a machine that was suspended sees it. */
    PostgresSessionLeases(
            Database database, Duration lease, String owner, LongSupplier nanoTime, LongSupplier wallMillis) {
        this.wallMillis = wallMillis;
        this.database = database;
        this.lease = lease;
        this.owner = owner;
        this.nanoTime = nanoTime;
        this.lastRenewalNanos = nanoTime.getAsLong();
        this.heartbeat = Thread.ofPlatform()
                .daemon()
                .name("canvas-batch-lease-heartbeat")
                .start(this::beat);
    }

    /** Leases of the cluster whose events {@code log} stores, held {@code lease} long between renewals. */
    public static PostgresSessionLeases of(PostgresEventLog log, Duration lease) {
        if (lease.compareTo(LONGEST_LEASE) > 0) {
            throw new IllegalArgumentException("a lease is at most " + LONGEST_LEASE.toMinutes() + " minutes");
        }
        String owner = ownerName(System.getenv().getOrDefault("HOSTNAME", "server"));
        PostgresSessionLeases leases = new PostgresSessionLeases(log.database(), lease, owner);
        log.onPlacement(leases::placed);
        log.onCancelAsked(leases::cancelAsked);
        return leases;
    }

    /**
     * A new server's name: its host, pid and a random part, so that a restarted process is a new server. Only letters,
     * digits and {@code . _ -}, at most 100: the name is part of the file name of its pending-links ledger in the
     * shared vault.
     */
    static String ownerName(String host) {
        String safeHost = host.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safeHost.isEmpty() || !Character.isLetterOrDigit(safeHost.charAt(0))) {
            safeHost = "server" + safeHost;
        }
        if (safeHost.length() > 60) {
            safeHost = safeHost.substring(0, 60);
        }
        return safeHost + "-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    Database database() {
        return database;
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

    /**
     * Whether this server holds the lease now, by its own monotonic clock: the lease row runs out a lease after the last
     * take or renewal that reached the database, so a process that was frozen for longer (its heartbeat with it) must
     * not go on as if it still held it — another server may run the session by now. Trusted for {@link #trusted} after
     * the statement was sent, a fifth of a lease less than the row, for clocks that run at slightly different rates.
     */
    @Override
    public boolean holds(SessionId sessionId) {
        Trust trust = held.get(sessionId);
        return trust != null
                && nanoTime.getAsLong() - trust.untilNanos() < 0
                && wallMillis.getAsLong() < trust.untilMillis();
    }

    /** Whether this server took the lease and has not given it up or learnt it lost, trusted now or not. */
    @Override
    public boolean taken(SessionId sessionId) {
        return held.containsKey(sessionId);
    }

    /** How long after a take or renewal is sent this server trusts that it holds the lease. */
    private long trusted() {
        return lease.toNanos() - lease.toNanos() / 5;
    }

    /** The trust in a lease whose take or renewal was sent at {@code sentNanos} and {@code sentMillis}. */
    private Trust trustFrom(long sentNanos, long sentMillis) {
        return new Trust(sentNanos + trusted(), sentMillis + TimeUnit.NANOSECONDS.toMillis(trusted()));
    }

    @Override
    public boolean take(SessionId sessionId) {
        return lease(sessionId, "select ?::text as owner", false);
    }

    /**
     * Gives the session to the live server with the fewest wanted calls for its concurrency (this one on a tie); one
     * placed here already, and not yet taken, stays here. A session a server's published load does not account for
     * (placed on it since, or placed before and not yet taken when it published) counts as filling it while its lease
     * holds, so a burst of confirms spreads before the next heartbeat; a lease run out (a finished session's that could
     * not be given back, one placed there and never taken) fills nothing. The server chosen hears of
     * it on {@value Notifications#PLACEMENTS} and takes it; if it does not, its lease expires like any other, and the
     * server that let it expire is no candidate for it again (one that keeps publishing a load but never takes what is
     * placed on it would otherwise draw the session forever), nor for any session for {@value #PASSED_OVER_LEASES}
     * leases (two such servers would otherwise draw it back and forth). A server row is read as hostile data: a pass-over
     * further ahead than any server of this build writes (twice ten of the longest leases) holds nothing, a load below zero
     * counts as none, a NULL among the sessions it says its load counts is none of them, and a row seen in the future
     * (it would never age out) or claiming more concurrency than a server may have is no candidate.
     */
    @Override
    public boolean place(SessionId sessionId) {
        return lease(
                sessionId,
                "select coalesce("
                        + "(select owner from canvas_batch_leases where session_id = ? and owner = ?),"
                        + "(select owner from ("
                        + "  select owner, max(load) as load from ("
                        + "    select ?::text as owner, ?::float8 as load"
                        + "    union all"
                        + "    select s.owner, greatest(s.running, 0)::float8 / greatest(s.concurrency, 1)"
                        + "      + (select count(*) from canvas_batch_leases l"
                        + "         where l.owner = s.owner and not " + runOut("l.expires_at")
                        + "         and not exists (select 1 from unnest(s.counted) c(id)"
                        + "           where c.id = l.session_id))"
                        + "    from canvas_batch_servers s where s.seen_at > now() - ? * interval '1 millisecond'"
                        + "      and s.seen_at <= now() + interval '1 second'"
                        + "      and s.concurrency <= " + MOST_CONCURRENCY
                        + "      and (s.passed_over_until is null or s.passed_over_until <= now()"
                        + "        or s.passed_over_until > now() + interval '"
                        + LONGEST_LEASE.multipliedBy(2L * PASSED_OVER_LEASES).toSeconds()
                        + " seconds')"
                        + "      and s.owner is distinct from (select l.owner from canvas_batch_leases l"
                        + "        where l.session_id = ? and l.expires_at < now())"
                        + "  ) loads group by owner"
                        + ") candidates order by load, owner = ? desc, owner limit 1)) as owner",
                true);
    }

    /** The upsert that takes ({@code target} selects this server) or places a lease; false if another server holds it. */
    private boolean lease(SessionId sessionId, String target, boolean placing) {
        long sent = nanoTime.getAsLong();
        long sentMillis = wallMillis.getAsLong();
        // read before a connection is taken: the load reads every session this server runs, each under its lock
        double ownLoad = placing ? ownLoad() : 0;
        Taken taken;
        try {
            taken = database.withConnection(connection -> {
                // a placement also passes over the server that let the session's lease run out (placing alone: a take
                // is this server's own claim, and the same server's own lapse does not count against it); only when it
                // took the session from that server: a placement that loses to the holder's late renewal (its commit
                // after this statement's snapshot) changes nothing, and the lapse it saw was none. And only a lease
                // never renewed since it was placed or taken (expires_at is then exactly taken_at and a lease): a
                // server that ran the session and renewed it, then could not give it back at its end (a blip), or
                // lost the database for a while, is a healthy server
                String passOver = placing
                        ? ", lapsed as (update canvas_batch_servers set passed_over_until = now() + ?"
                                + " * interval '1 millisecond' where owner = (select l.owner from canvas_batch_leases l"
                                + " where l.session_id = ? and l.expires_at < now()"
                                + " and l.expires_at - l.taken_at <= ? * interval '1 millisecond') and owner <> ?"
                                + " and exists (select 1 from placed where placed.owner <> canvas_batch_servers.owner))"
                        : "";
                try (PreparedStatement upsert = connection.prepareStatement("with target as (" + target + "),"
                        + " placed as (insert into canvas_batch_leases (session_id, owner, expires_at, taken_at)"
                        + " select ?, owner, now() + ? * interval '1 millisecond', now() from target"
                        + " on conflict (session_id) do update"
                        + " set owner = excluded.owner, expires_at = excluded.expires_at, taken_at = excluded.taken_at,"
                        + " moved_from = case when canvas_batch_leases.owner <> excluded.owner"
                        + " then canvas_batch_leases.owner else canvas_batch_leases.moved_from end"
                        + " where " + runOut("canvas_batch_leases.expires_at")
                        + " or canvas_batch_leases.owner = excluded.owner"
                        + " returning owner, coalesce(moved_from, '') as moved_from)" + passOver
                        + " select owner, moved_from from placed")) {
                    int i = 1;
                    if (!placing) {
                        upsert.setString(i++, owner);
                    } else {
                        upsert.setString(i++, sessionId.value());
                        upsert.setString(i++, owner);
                        upsert.setString(i++, owner);
                        upsert.setDouble(i++, ownLoad);
                        upsert.setLong(i++, lease.toMillis());
                        upsert.setString(i++, sessionId.value());
                        upsert.setString(i++, owner);
                    }
                    upsert.setString(i++, sessionId.value());
                    upsert.setLong(i++, lease.toMillis());
                    if (placing) {
                        upsert.setLong(
                                i++, lease.multipliedBy(PASSED_OVER_LEASES).toMillis());
                        upsert.setString(i++, sessionId.value());
                        upsert.setLong(i++, lease.toMillis());
                        upsert.setString(i, owner);
                    }
                    Taken result = null;
                    try (ResultSet row = upsert.executeQuery()) {
                        if (row.next()) {
                            result = new Taken(row.getString(1), row.getString(2));
                        }
                    }
                    if (result != null && !result.owner().equals(owner)) {
                        try (PreparedStatement notify = connection.prepareStatement("select pg_notify(?, ?)")) {
                            notify.setString(1, Notifications.PLACEMENTS);
                            notify.setString(2, sessionId.value() + " " + result.owner());
                            notify.execute();
                        }
                    }
                    return result;
                }
            });
            outage.answered(LEASE);
        } catch (SQLException e) {
            outage.failed(LEASE, " of session " + sessionId, e);
            return false;
        }
        if (taken == null) {
            return false;
        }
        if (!taken.owner().equals(owner)) {
            placements.incrementAndGet();
            LOG.log(System.Logger.Level.INFO, "session " + sessionId + " placed on the less loaded " + taken.owner());
            return false;
        }
        if (held.put(sessionId, trustFrom(sent, sentMillis)) == null
                && !taken.movedFrom().isEmpty()
                && !taken.movedFrom().equals(owner)) {
            moves.incrementAndGet();
            LOG.log(System.Logger.Level.INFO, "session " + sessionId + " moved here from " + taken.movedFrom());
        }
        return true;
    }

    private record Taken(String owner, String movedFrom) {}

    /** The calls this server's batches want for its concurrency, now. */
    private double ownLoad() {
        Load current = load;
        if (current == null) {
            return 0;
        }
        return (double) current.running().getAsInt() / Math.max(1, current.concurrency());
    }

    /**
     * From now on this server publishes {@code running} (the agent calls its batches want: in flight, and queued to
     * start, up to its concurrency; calls in flight alone make a server whose batch has not started its calls yet look
     * idle) and {@code concurrency} with every heartbeat, and is a candidate for the sessions other servers place.
     */
    public void publishLoad(IntSupplier running, int concurrency) {
        this.load = new Load(running, concurrency);
        publish();
    }

    private record Load(IntSupplier running, int concurrency) {}

    /** How many sessions this server placed on another, less loaded one. */
    public long placements() {
        return placements.get();
    }

    @Override
    public void onPlacedHere(Consumer<SessionId> listener) {
        placedHere = listener;
    }

    /**
     * A notification says a server placed {@code id} on {@code target}: if that is this server, and the lease table
     * agrees, it takes it. Anyone who can connect to the database can notify the channel, naming any session: a
     * notification only says where to look, and a session that nobody placed here (a pending one nobody confirmed, one
     * another server runs) is not claimed on its word.
     */
    void placed(SessionId id, String target) {
        if (target.equals(owner) && !held.containsKey(id) && placedHereInTable(id)) {
            placedHere.accept(id);
        }
    }

    @Override
    public void onCancelAsked(java.util.function.BiConsumer<SessionId, String> listener) {
        cancelAskedHere = listener;
    }

    /**
     * A notification says a server asks {@code asked.owner()} to cancel a session: if that is this server and it holds
     * the lease, it cancels. Anyone who can connect to the database could store a cancel in the log itself, so a forged
     * request gives nobody more than they had; a session this server does not run is not touched.
     */
    void cancelAsked(Notifications.CancelAsked asked) {
        if (asked.owner().equals(owner) && held.containsKey(asked.sessionId())) {
            cancelAskedHere.accept(asked.sessionId(), asked.reason());
        }
    }

    @Override
    public boolean askHolderToCancel(SessionId sessionId, String reason) {
        try {
            boolean asked = database.withConnection(connection -> {
                String holder;
                try (PreparedStatement select = connection.prepareStatement("select owner from canvas_batch_leases"
                        + " where session_id = ? and owner <> ? and not " + runOut("expires_at"))) {
                    select.setString(1, sessionId.value());
                    select.setString(2, owner);
                    try (ResultSet row = select.executeQuery()) {
                        if (!row.next()) {
                            return false;
                        }
                        holder = row.getString(1);
                    }
                }
                try (PreparedStatement notify = connection.prepareStatement("select pg_notify(?, ?)")) {
                    notify.setString(1, Notifications.CANCELS);
                    notify.setString(2, Notifications.cancelPayload(sessionId, holder, reason));
                    notify.execute();
                }
                return true;
            });
            outage.answered(ASK_HOLDER);
            return asked;
        } catch (SQLException e) {
            outage.failed(ASK_HOLDER, " to cancel session " + sessionId + " (cancelled here instead)", e);
            return false;
        }
    }

    private boolean placedHereInTable(SessionId id) {
        try {
            boolean placedHere = database.withConnection(connection -> {
                try (PreparedStatement select = connection.prepareStatement("select exists (select 1 from"
                        + " canvas_batch_leases where session_id = ? and owner = ? and not "
                        + runOut("expires_at") + ")")) {
                    select.setString(1, id.value());
                    select.setString(2, owner);
                    try (ResultSet row = select.executeQuery()) {
                        return row.next() && row.getBoolean(1);
                    }
                }
            });
            outage.answered(READ_PLACEMENT);
            return placedHere;
        } catch (SQLException e) {
            // its look for abandoned sessions finds a session placed here whose notification went unheard
            outage.failed(READ_PLACEMENT, " of session " + id, e);
            return false;
        }
    }

    private void publish() {
        Load current = load;
        if (current == null) {
            return;
        }
        // the sessions held before the load is read: the load accounts for each (a session taken here counts in it
        // from the take on); one taken meanwhile is left out here and so counts as filling this server, once more
        Object[] counted = held.keySet().stream().map(SessionId::value).toArray();
        // read before a connection is taken: it reads every session this server runs, each under its lock
        int running = current.running().getAsInt();
        try {
            database.withConnection(connection -> {
                try (PreparedStatement upsert = connection.prepareStatement(
                        "insert into canvas_batch_servers (owner, running, concurrency, seen_at, counted)"
                                + " values (?, ?, ?, now(), ?) on conflict (owner) do update"
                                + " set running = excluded.running, concurrency = excluded.concurrency,"
                                + " seen_at = excluded.seen_at, counted = excluded.counted,"
                                + " ledger_adopted_by = null")) {
                    upsert.setString(1, owner);
                    upsert.setInt(2, running);
                    upsert.setInt(3, current.concurrency());
                    upsert.setArray(4, connection.createArrayOf("text", counted));
                    // a stopped server's row stays until a live one has cleared up after it (claimStoppedServers)
                    return upsert.executeUpdate();
                }
            });
            outage.answered(PUBLISH);
        } catch (SQLException e) {
            outage.failed(PUBLISH, " (no sessions are placed here meanwhile)", e);
        }
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
            outage.answered(RELEASE);
        } catch (SQLException e) {
            // the lease expires by itself; the session is finished, so no server will find work in it
            outage.failed(RELEASE, " of session " + sessionId + " (it runs out by itself)", e);
        }
    }

    @Override
    public void forgetRunOut(SessionId sessionId) {
        try {
            database.withConnection(connection -> {
                try (PreparedStatement delete = connection.prepareStatement(
                        "delete from canvas_batch_leases where session_id = ? and " + runOut("expires_at"))) {
                    delete.setString(1, sessionId.value());
                    return delete.executeUpdate();
                }
            });
            outage.answered(FORGET_RUN_OUT);
        } catch (SQLException e) {
            // looked at again at the next look for abandoned sessions
            outage.failed(FORGET_RUN_OUT, " of session " + sessionId, e);
        }
    }

    @Override
    public List<SessionId> abandoned() {
        try {
            List<SessionId> found = database.withConnection(connection -> {
                List<SessionId> ids = new ArrayList<>();
                Array mine = connection.createArrayOf(
                        "text", held.keySet().stream().map(SessionId::value).toArray());
                // a session placed here whose notification was missed is found here too
                try (PreparedStatement select = connection.prepareStatement(
                        "select session_id from canvas_batch_leases where " + runOut("expires_at")
                                + " or (owner = ? and not (session_id = any(?)))"
                                + " order by expires_at limit 1000")) {
                    select.setString(1, owner);
                    select.setArray(2, mine);
                    try (ResultSet result = select.executeQuery()) {
                        while (result.next()) {
                            String value = result.getString(1);
                            if (SessionId.isWellFormed(value)) {
                                ids.add(new SessionId(value));
                            }
                        }
                    }
                }
                return ids;
            });
            outage.answered(LOOK_ABANDONED);
            return found;
        } catch (SQLException e) {
            outage.failed(LOOK_ABANDONED, e);
            return List.of();
        }
    }

    /**
     * Claims the servers whose heartbeat ran out a lease ago and that nobody live clears up after: one update, so of
     * servers claiming at once each row goes to one (the second sees the first's claim once it may look, and the
     * first is live). A claim of a server that stopped in turn is taken again; this server's own claims are returned
     * again until it forgets them. Servers of an older version without a row never had a ledger of their own.
     */
    @Override
    public List<String> claimStoppedServers() {
        try {
            List<String> stopped = database.withConnection(connection -> {
                try (PreparedStatement claim = connection.prepareStatement("update canvas_batch_servers stopped"
                        + " set ledger_adopted_by = ?"
                        + " where stopped.seen_at < now() - ? * interval '1 millisecond' and stopped.owner <> ?"
                        + " and (stopped.ledger_adopted_by is null or stopped.ledger_adopted_by = ?"
                        + "   or not exists (select 1 from canvas_batch_servers adopter"
                        + "     where adopter.owner = stopped.ledger_adopted_by"
                        + "     and adopter.seen_at >= now() - ? * interval '1 millisecond'))"
                        + " returning stopped.owner")) {
                    claim.setString(1, owner);
                    claim.setLong(2, lease.toMillis());
                    claim.setString(3, owner);
                    claim.setString(4, owner);
                    claim.setLong(5, lease.toMillis());
                    List<String> claimed = new ArrayList<>();
                    try (ResultSet rows = claim.executeQuery()) {
                        while (rows.next()) {
                            claimed.add(rows.getString(1));
                        }
                    }
                    return claimed;
                }
            });
            outage.answered(LOOK_STOPPED);
            return stopped;
        } catch (SQLException e) {
            outage.failed(LOOK_STOPPED, e);
            return List.of();
        }
    }

    /**
     * Deletes the row of a stopped server this one cleared up after; kept if that server came back meanwhile (its
     * heartbeat is fresh again), since it is then a live server again.
     */
    @Override
    public void forgetStoppedServer(String server) {
        try {
            database.withConnection(connection -> {
                try (PreparedStatement forget = connection.prepareStatement("delete from canvas_batch_servers"
                        + " where owner = ? and ledger_adopted_by = ?"
                        + " and seen_at < now() - ? * interval '1 millisecond'")) {
                    forget.setString(1, server);
                    forget.setString(2, owner);
                    forget.setLong(3, lease.toMillis());
                    return forget.executeUpdate();
                }
            });
            outage.answered(FORGET_STOPPED);
        } catch (SQLException e) {
            outage.failed(FORGET_STOPPED, " " + server, e);
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
            publish();
        }
    }

    /** Renews every lease this server holds; one it no longer holds in the table is given up here. */
    void renew() {
        List<SessionId> mine = List.copyOf(held.keySet());
        long sent = nanoTime.getAsLong();
        long sentMillis = wallMillis.getAsLong();
        if (mine.isEmpty()) {
            lastRenewalNanos = sent;
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
            lastRenewalNanos = sent;
            renewalLapseTold = false;
            outage.answered(RENEW);
            for (SessionId id : mine) {
                if (renewed.contains(id.value())) {
                    held.computeIfPresent(id, (k, until) -> trustFrom(sent, sentMillis));
                } else if (held.remove(id) != null) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "lost the lease of session " + id + ": another server runs it now");
                }
            }
        } catch (SQLException e) {
            outage.failed(RENEW, " (" + mine.size() + " held here)", e);
            if (nanoTime.getAsLong() - lastRenewalNanos > lease.toNanos() && !renewalLapseTold) {
                // not forgotten: holds() is false since the trust ran out, so nothing more is dispatched, but their
                // calls are still in flight here; forgotten, this server's own expired rows looked abandoned once the
                // database was back, and it took its sessions over from itself, sending those calls again
                renewalLapseTold = true;
                LOG.log(
                        System.Logger.Level.WARNING,
                        "could not renew " + mine.size() + " lease(s) for a whole lease time (" + e.getMessage()
                                + "): their sessions may run elsewhere now, and are not dispatched here until renewed");
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
        // a renewal (or a load published) already under way would commit after the expiry below and keep the leases
        // for a whole lease time more: the other servers would wait that long to take the sessions over. Bounded: a
        // database that does not answer must not hold up the stop for long
        if (Thread.currentThread() != heartbeat) {
            try {
                heartbeat.join(Math.min(lease.toMillis(), STOP_PATIENCE.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<SessionId> mine = List.copyOf(held.keySet());
        held.clear();
        if (load != null) {
            try {
                // no candidate for placements from now on; the row itself stays for a live server to clear up after
                // this one (claimStoppedServers): links its vault could not write before it stopped (a full disk)
                database.withConnection(connection -> {
                    try (PreparedStatement leave = connection.prepareStatement("update canvas_batch_servers"
                            + " set seen_at = now() - ? * interval '1 millisecond' where owner = ?")) {
                        leave.setLong(1, lease.toMillis() + 1);
                        leave.setString(2, owner);
                        return leave.executeUpdate();
                    }
                });
            } catch (SQLException e) {
                outage.failed(LEAVE, " (the row ages out by itself)", e);
            }
        }
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
            outage.failed(GIVE_BACK, " (" + mine.size() + "; other servers take them once they run out)", e);
        }
    }
}
