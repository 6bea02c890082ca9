package org.canvasbatch.adapters.journal.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.canvasbatch.adapters.journal.JournalHealth;
import org.canvasbatch.adapters.journal.SessionEventCodec;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.EventLogConflict;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * The event log of a cluster: every event of every session is a row of {@code canvas_batch_events}, {@code (session_id,
 * seq)} unique, shared by every server that points at the same database.
 *
 * <p>An append is one transaction that checks the session's last stored seq, inserts the rows and notifies the channel
 * {@value Notifications#CHANNEL} with the session's id and last seq (never the events: a payload stays a few dozen bytes,
 * far below PostgreSQL's 8 000-byte limit). If another server stored that seq first, the append stores nothing and
 * throws {@link EventLogConflict}; the core reloads the session and tries its command again.
 *
 * <p>Subscribers of this process hear its own appends on the appending thread, once the commit returns; appends of other
 * servers reach them through the notification, after which the rows are read from the table. Each subscriber keeps the
 * seq it has heard up to, so whatever way an event arrives, it hears every event once, in seq order, without a gap.
 *
 * <p>The rows are written by other servers, which may be newer, older or buggy, and by anyone with access to the
 * database: a row that cannot be read here (an event type this build does not know, damaged bytes, a body naming another
 * session or seq, one larger than any event, a missing seq) is damage, as in the file journal. The session reads up to
 * the event before it and says so ({@link #damage()}); it cannot be changed here, since its next seq is taken; every
 * other session is untouched.
 */
public final class PostgresEventLog implements EventLog, JournalHealth, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PostgresEventLog.class.getName());
    private static final int READ_PAGE = 1_000;
    /** No event is larger (the file journal's limit): a larger row is damage, and is not read into memory. */
    private static final int LARGEST_EVENT_BYTES = 64 << 20;

    private final Database database;
    private final SessionEventCodec codec = new SessionEventCodec();
    private final Map<SessionId, Stream> streams = new ConcurrentHashMap<>();
    private final Map<SessionId, String> damage = new ConcurrentHashMap<>();
    private final List<BiConsumer<SessionId, Long>> elsewhere = new CopyOnWriteArrayList<>();
    private final String epoch;
    private final Notifications notifications;
    private final List<BiConsumer<SessionId, String>> placementListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<Notifications.CancelAsked>> cancelListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile LongConsumer syncListener = nanos -> {};
    private volatile LongConsumer lagListener = nanos -> {};

    /** One session's subscribers; delivery to them is serialised by the stream's monitor. */
    private static final class Stream {
        final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    }

    private static final class Subscriber {
        final Consumer<SessionEvent> listener;
        long heardUpTo;

        Subscriber(Consumer<SessionEvent> listener, long heardUpTo) {
            this.listener = listener;
            this.heardUpTo = heardUpTo;
        }
    }

    private PostgresEventLog(Database database, String epoch) {
        this.database = database;
        this.epoch = epoch;
        this.notifications = new Notifications(database, this::storedElsewhere, this::caughtUpAfterReconnect);
        notifications.onPlacement((id, owner) -> placementListeners.forEach(listener -> listener.accept(id, owner)));
        notifications.onCancelAsked(asked -> cancelListeners.forEach(listener -> listener.accept(asked)));
    }

    /**
     * Connects, creates or migrates the schema and starts listening for other servers' appends.
     *
     * @throws EventLogException when the database cannot be reached or its schema is newer than this build
     */
    public static PostgresEventLog open(PostgresLocation location) {
        Database database = new Database(location, 8);
        try {
            Migrations.migrate(database);
            String epoch = database.withConnection(connection -> {
                try (Statement statement = connection.createStatement();
                        ResultSet result = statement.executeQuery("select epoch from canvas_batch_store limit 1")) {
                    if (!result.next()) {
                        throw new SQLException("canvas_batch_store has no epoch row");
                    }
                    return result.getString(1);
                }
            });
            PostgresEventLog log = new PostgresEventLog(database, epoch);
            log.notifications.start();
            return log;
        } catch (SQLException e) {
            database.close();
            throw new EventLogException(
                    "the database " + location + " cannot be used: " + e.getMessage(),
                    reasonOf(e),
                    location.toString(),
                    e);
        }
    }

    @Override
    public void append(List<SessionEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        SessionId id = events.getFirst().sessionId();
        long first = events.getFirst().seq();
        for (int i = 0; i < events.size(); i++) {
            SessionEvent event = events.get(i);
            if (!event.sessionId().equals(id) || event.seq() != first + i) {
                throw new EventLogException("event " + event.seq() + " of session " + event.sessionId()
                        + " does not continue session " + id + " at seq " + (first + i));
            }
        }
        long started = System.nanoTime();
        try {
            database.inTransaction(connection -> {
                long stored = lastSeq(connection, id);
                if (first <= stored) {
                    throw new ConflictSignal(stored);
                }
                if (first != stored + 1) {
                    throw new GapSignal(stored);
                }
                insert(connection, events);
                try (PreparedStatement notify = connection.prepareStatement("select pg_notify(?, ?)")) {
                    notify.setString(1, Notifications.CHANNEL);
                    notify.setString(
                            2, Notifications.payload(id, events.getLast().seq()));
                    notify.execute();
                }
                return null;
            });
        } catch (ConflictSignal conflict) {
            String damaged = damage.get(id);
            if (damaged != null) {
                throw new EventLogConflict("session " + id + " is not changed here: " + damaged);
            }
            throw new EventLogConflict("session " + id + " is at seq " + conflict.stored + " in the database: event "
                    + first + " was made from an older copy");
        } catch (GapSignal gap) {
            throw new EventLogException("event " + first + " of session " + id + " does not continue session " + id
                    + " at seq " + (gap.stored + 1));
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new EventLogConflict("another server stored event " + first + " of session " + id + " first");
            }
            throw new EventLogException(
                    "events of session " + id + " could not be stored in " + database.location() + ": "
                            + e.getMessage(),
                    reasonOf(e),
                    database.location().toString(),
                    e);
        }
        syncListener.accept(System.nanoTime() - started);
        Stream stream = streams.get(id);
        if (stream != null) {
            deliver(id, stream, events);
        }
    }

    private static long lastSeq(Connection connection, SessionId id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select coalesce(max(seq), 0) from canvas_batch_events where session_id = ?")) {
            select.setString(1, id.value());
            try (ResultSet result = select.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private void insert(Connection connection, List<SessionEvent> events) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("insert into canvas_batch_events"
                + " (session_id, seq, event_type, recorded_at, body) values (?, ?, ?, ?, ?)")) {
            for (SessionEvent event : events) {
                insert.setString(1, event.sessionId().value());
                insert.setLong(2, event.seq());
                insert.setString(3, event.getClass().getSimpleName());
                insert.setTimestamp(4, Timestamp.from(event.at()));
                insert.setBytes(5, codec.encode(event));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    @Override
    public List<SessionEvent> readAfter(SessionId sessionId, long afterSeq, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        try {
            return database.withConnection(connection -> read(connection, sessionId, afterSeq, limit));
        } catch (SQLException e) {
            throw new EventLogException(
                    "events of session " + sessionId + " could not be read from " + database.location() + ": "
                            + e.getMessage(),
                    reasonOf(e),
                    database.location().toString(),
                    e);
        }
    }

    /** The session's events after {@code afterSeq}, stopping before the first row that is damage (see the class). */
    private List<SessionEvent> read(Connection connection, SessionId sessionId, long afterSeq, int limit)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("select seq,"
                + " case when octet_length(body) <= ? then body end, octet_length(body) from canvas_batch_events"
                + " where session_id = ? and seq > ? order by seq limit ?")) {
            select.setInt(1, LARGEST_EVENT_BYTES);
            select.setString(2, sessionId.value());
            select.setLong(3, Math.max(0, afterSeq));
            select.setInt(4, limit);
            List<SessionEvent> events = new ArrayList<>();
            long expected = Math.max(0, afterSeq) + 1;
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    long seq = result.getLong(1);
                    Row row = checked(sessionId, seq, expected, result.getBytes(2), result.getLong(3));
                    if (row.problem() != null) {
                        damaged(sessionId, expected, row.problem());
                        break;
                    }
                    events.add(row.event());
                    expected++;
                }
            }
            return events;
        }
    }

    /** A row read: the session's event, or why it cannot be the event expected. */
    private record Row(SessionEvent event, String problem) {}

    private Row checked(SessionId sessionId, long seq, long expected, byte[] body, long size) {
        if (seq != expected) {
            return new Row(
                    null,
                    "event " + expected + (seq == expected + 1 ? " is" : " to " + (seq - 1) + " are") + " missing");
        }
        if (body == null) {
            return new Row(null, "event " + seq + " is " + size + " bytes, larger than any event");
        }
        SessionEvent event;
        try {
            event = codec.decodeStored(body);
        } catch (RuntimeException e) {
            return new Row(
                    null,
                    "event " + seq + " cannot be read by this version of canvas-batch (" + shortened(e.getMessage())
                            + ")");
        }
        if (!event.sessionId().equals(sessionId) || event.seq() != seq) {
            return new Row(null, "the row of event " + seq + " holds another event");
        }
        return new Row(event, null);
    }

    private static String shortened(String text) {
        String one = String.valueOf(text).replaceAll("\\p{Cntrl}", " ");
        return one.length() <= 120 ? one : one.substring(0, 120) + "…";
    }

    private void damaged(SessionId sessionId, long at, String problem) {
        String sentence = "its history in the database is damaged (" + problem + ", written by another server or by"
                + " hand): it is shown up to event " + (at - 1) + ", and not changed by this server";
        if (damage.put(sessionId, sentence) == null) {
            LOG.log(System.Logger.Level.WARNING, "session " + sessionId + ": " + sentence);
        }
    }

    /**
     * Sessions with a row that cannot be read here, each with a sentence for a person; found as they are read (a list
     * of the sessions, a status, a watcher), not by a scan of the table.
     */
    @Override
    public Map<SessionId, String> damage() {
        return Map.copyOf(damage);
    }

    @Override
    public Subscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener) {
        long stored;
        try {
            stored = database.withConnection(connection -> lastSeq(connection, sessionId));
        } catch (SQLException e) {
            throw new EventLogException(
                    "session " + sessionId + " cannot be watched: " + e.getMessage(),
                    reasonOf(e),
                    database.location().toString(),
                    e);
        }
        return subscribe(sessionId, stored, listener);
    }

    @Override
    public Subscription subscribe(SessionId sessionId, long afterSeq, Consumer<SessionEvent> listener) {
        Stream stream = streams.computeIfAbsent(sessionId, k -> new Stream());
        Subscriber subscriber = new Subscriber(listener, Math.max(0, afterSeq));
        synchronized (stream) {
            stream.subscribers.add(subscriber);
        }
        // what was stored between the caller's copy and now, before anything live
        catchUp(sessionId, stream);
        return () -> {
            synchronized (stream) {
                stream.subscribers.remove(subscriber);
            }
        };
    }

    /** Hands the events just appended by this process to the subscribers that are up to them. */
    private void deliver(SessionId id, Stream stream, List<SessionEvent> events) {
        boolean behind = false;
        synchronized (stream) {
            for (Subscriber subscriber : stream.subscribers) {
                if (subscriber.heardUpTo < events.getFirst().seq() - 1) {
                    behind = true;
                    continue;
                }
                for (SessionEvent event : events) {
                    if (event.seq() == subscriber.heardUpTo + 1) {
                        hand(subscriber, event);
                    }
                }
            }
        }
        if (behind) {
            catchUp(id, stream);
        }
    }

    /** Reads from the table what any subscriber of the session has not heard yet, and hands it on. */
    private void catchUp(SessionId id, Stream stream) {
        catchUp(id, stream, -1);
    }

    /**
     * As {@link #catchUp(SessionId, Stream)}, after a notification that another server stored up to {@code notifiedSeq}:
     * the time from that event's making there to its reading here is the cross-server lag.
     */
    private void catchUp(SessionId id, Stream stream, long notifiedSeq) {
        synchronized (stream) {
            while (true) {
                long from = Long.MAX_VALUE;
                for (Subscriber subscriber : stream.subscribers) {
                    from = Math.min(from, subscriber.heardUpTo);
                }
                if (from == Long.MAX_VALUE) {
                    return;
                }
                List<SessionEvent> page;
                try {
                    long after = from;
                    page = database.withConnection(connection -> read(connection, id, after, READ_PAGE));
                } catch (SQLException e) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "events of session " + id + " could not be read for its watchers (they get them when the"
                                    + " database answers again): " + e.getMessage());
                    return;
                }
                for (SessionEvent event : page) {
                    if (event.seq() == notifiedSeq) {
                        lagListener.accept(
                                Duration.between(event.at(), Instant.now()).toNanos());
                    }
                }
                for (Subscriber subscriber : stream.subscribers) {
                    for (SessionEvent event : page) {
                        if (event.seq() == subscriber.heardUpTo + 1) {
                            hand(subscriber, event);
                        }
                    }
                }
                if (page.size() < READ_PAGE) {
                    return;
                }
            }
        }
    }

    private static void hand(Subscriber subscriber, SessionEvent event) {
        subscriber.heardUpTo = event.seq();
        try {
            subscriber.listener.accept(event);
        } catch (RuntimeException | Error e) {
            // a subscriber's bug: the others still hear every event, and the stored events stay stored
            LOG.log(
                    System.Logger.Level.ERROR,
                    "a subscriber of session " + event.sessionId() + " failed on event " + event.seq(),
                    e);
        }
    }

    /** Another server stored events of {@code id} up to {@code seq}. */
    private void storedElsewhere(SessionId id, long seq) {
        Stream stream = streams.get(id);
        if (stream != null && !stream.subscribers.isEmpty()) {
            catchUp(id, stream, seq);
        }
        for (BiConsumer<SessionId, Long> listener : elsewhere) {
            try {
                listener.accept(id, seq);
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "a listener of session " + id + " failed", e);
            }
        }
    }

    /** Notifications may have been missed while the listening connection was down: read what every watcher lacks. */
    private void caughtUpAfterReconnect() {
        streams.forEach((id, stream) -> {
            if (!stream.subscribers.isEmpty()) {
                catchUp(id, stream);
            }
        });
    }

    /** Tells {@code listener} of each session a server placed on the server its lease names (see the leases). */
    void onPlacement(BiConsumer<SessionId, String> listener) {
        placementListeners.add(listener);
    }

    /** Tells {@code listener} of each cancel a server asked of the server holding the session's lease. */
    void onCancelAsked(java.util.function.Consumer<Notifications.CancelAsked> listener) {
        cancelListeners.add(listener);
    }

    @Override
    public Subscription onStoredElsewhere(BiConsumer<SessionId, Long> listener) {
        elsewhere.add(listener);
        return () -> elsewhere.remove(listener);
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public Set<SessionId> sessionIds() {
        try {
            return database.withConnection(connection -> {
                Set<SessionId> ids = new HashSet<>();
                try (Statement statement = connection.createStatement();
                        ResultSet result =
                                statement.executeQuery("select distinct session_id from canvas_batch_events")) {
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
            throw new EventLogException(
                    "the sessions could not be listed from " + database.location() + ": " + e.getMessage(),
                    reasonOf(e),
                    database.location().toString(),
                    e);
        }
    }

    @Override
    public void delete(SessionId sessionId) {
        try {
            database.inTransaction(connection -> {
                try (PreparedStatement events =
                                connection.prepareStatement("delete from canvas_batch_events where session_id = ?");
                        PreparedStatement lease =
                                connection.prepareStatement("delete from canvas_batch_leases where session_id = ?")) {
                    events.setString(1, sessionId.value());
                    events.executeUpdate();
                    lease.setString(1, sessionId.value());
                    lease.executeUpdate();
                }
                return null;
            });
            damage.remove(sessionId);
        } catch (SQLException e) {
            throw new EventLogException(
                    "session " + sessionId + " could not be deleted from " + database.location() + ": "
                            + e.getMessage(),
                    reasonOf(e),
                    database.location().toString(),
                    e);
        }
    }

    /** A write transaction, as an append would need: a standby, a full disk or a lost connection fails it. */
    @Override
    public void probeWritable() {
        writeProblemOrThrow();
    }

    private void writeProblemOrThrow() {
        try {
            database.inTransaction(connection -> {
                try (Statement statement = connection.createStatement()) {
                    statement.setQueryTimeout(2);
                    statement.execute("select txid_current()");
                }
                return null;
            });
        } catch (SQLException e) {
            throw new EventLogException(
                    "the database " + database.location() + " does not take events: " + e.getMessage(),
                    reasonOf(e),
                    database.location().toString(),
                    e);
        }
    }

    @Override
    public String epoch() {
        return epoch;
    }

    @Override
    public Optional<String> writeProblem() {
        try {
            writeProblemOrThrow();
            return Optional.empty();
        } catch (EventLogException e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public String location() {
        return database.location().toString();
    }

    /** Reports how long each append's transaction took, commit included. */
    @Override
    public void onSync(LongConsumer listener) {
        this.syncListener = listener;
    }

    /**
     * Tells {@code listener}, in nanoseconds, how long an event another server made took to be read here for this
     * server's watchers: its append there, the notification, the read. Measured against the other server's clock, so it
     * is as good as the servers' clocks agree. One listener; a later call replaces it.
     */
    public void onNotifyLag(LongConsumer listener) {
        this.lagListener = listener;
    }

    /** The database this log uses, for the session leases that live beside it. */
    Database database() {
        return database;
    }

    @Override
    public void close() {
        notifications.close();
        database.close();
    }

    private static String reasonOf(SQLException e) {
        if (Database.isLockNotFree(e)) {
            return "a lock another connection holds on the database's tables did not come free within "
                    + PostgresLocation.LOCK_WAIT.toSeconds() + " s";
        }
        return Database.isConnectionLost(e) ? "the database cannot be reached" : e.getMessage();
    }

    /** The session is already past the first seq of the append: thrown inside the transaction to roll it back. */
    private static final class ConflictSignal extends SQLException {
        final long stored;

        ConflictSignal(long stored) {
            super("conflict", "CB001");
            this.stored = stored;
        }
    }

    /** The append would leave a gap. */
    private static final class GapSignal extends SQLException {
        final long stored;

        GapSignal(long stored) {
            super("gap", "CB002");
            this.stored = stored;
        }
    }
}
