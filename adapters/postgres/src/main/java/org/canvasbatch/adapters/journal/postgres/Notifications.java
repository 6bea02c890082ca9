package org.canvasbatch.adapters.journal.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.canvasbatch.domain.session.SessionId;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Listens on {@value #CHANNEL} on a connection of its own and tells the log which session another server appended to,
 * and up to which seq. The payload is {@code "<session id> <seq>"}: never the events, which are read from the table. A
 * lost connection is reopened (after 0.2 s, then up to 2 s apart); as notifications sent meanwhile are lost, the log
 * is then told to read what its watchers lack.
 *
 * <p>Listening only reads, and a connection cut without a word (a NAT or firewall that forgot it while it was idle, a
 * database host that died) reads as silence, exactly like a quiet cluster. So after {@link #QUIET} without a
 * notification the connection is asked a trivial question, answered within {@link #ANSWER_WITHIN} or taken for lost.
 */
final class Notifications implements AutoCloseable {

    static final String CHANNEL = "canvas_batch_events";

    /** Where a server tells another that it placed a session on it: {@code "<session id> <owner>"}. */
    static final String PLACEMENTS = "canvas_batch_placements";

    /**
     * Where a server asks the one holding a session's lease to cancel it: {@code "<session id> <owner> <reason>"}. Only
     * the holder knows which of its notes are being written, and records them before the end.
     */
    static final String CANCELS = "canvas_batch_cancels";

    /** The longest reason handed on from a cancel request: what a server's own reasons need, and no more. */
    static final int MOST_REASON_LENGTH = 200;

    /** A cancel asked of the server named {@code owner}. */
    record CancelAsked(SessionId sessionId, String owner, String reason) {}

    private static final System.Logger LOG = System.getLogger(Notifications.class.getName());

    /** How long the listening connection may be silent before it is asked whether it is still there. */
    static final Duration QUIET = Duration.ofSeconds(10);

    /** How long that question may take: a live database answers a trivial query at once. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

    private final Database database;
    private final BiConsumer<SessionId, Long> storedElsewhere;
    private final Runnable reconnected;
    private volatile BiConsumer<SessionId, String> placed = (id, owner) -> {};
    private volatile java.util.function.Consumer<CancelAsked> cancelAsked = asked -> {};
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;
    private final java.util.concurrent.CountDownLatch listens = new java.util.concurrent.CountDownLatch(1);

    Notifications(Database database, BiConsumer<SessionId, Long> storedElsewhere, Runnable reconnected) {
        this.database = database;
        this.storedElsewhere = storedElsewhere;
        this.reconnected = reconnected;
        this.thread =
                Thread.ofPlatform().daemon().name("canvas-batch-notifications").unstarted(this::run);
    }

    static String payload(SessionId id, long seq) {
        return id.value() + " " + seq;
    }

    /** Starts listening, and returns once the channel is listened to (so no append after it goes unheard). */
    void start() {
        thread.start();
        try {
            if (!listens.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "not yet listening to other servers' events after 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long backoffMillis = 200;
        boolean wasDown = false;
        while (!closed) {
            try (Connection listening = database.open()) {
                connection = listening;
                try (Statement statement = listening.createStatement()) {
                    statement.execute("listen " + CHANNEL);
                    statement.execute("listen " + PLACEMENTS);
                    statement.execute("listen " + CANCELS);
                }
                listens.countDown();
                if (wasDown) {
                    LOG.log(System.Logger.Level.INFO, "listening to other servers' events again");
                    wasDown = false;
                    reconnected.run();
                }
                backoffMillis = 200;
                PGConnection pg = listening.unwrap(PGConnection.class);
                long heardAt = System.nanoTime();
                while (!closed) {
                    PGNotification[] received = pg.getNotifications(500);
                    if (received != null && received.length > 0) {
                        handleAll(received);
                        heardAt = System.nanoTime();
                    } else if (System.nanoTime() - heardAt >= QUIET.toNanos()) {
                        stillThere(listening);
                        heardAt = System.nanoTime();
                    }
                }
            } catch (SQLException e) {
                if (closed) {
                    return;
                }
                // the pool's idle connections went the same way (a restart, a cut): the catch-up must not wait on them
                database.dropIdle();
                if (!wasDown) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "lost the database connection that hears other servers' events (" + e.getMessage()
                                    + "); reconnecting");
                }
                wasDown = true;
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoffMillis = Math.min(2_000, backoffMillis * 2);
            }
        }
    }

    /**
     * Throws when {@code listening} no longer reaches the database. The wait for the answer is bounded on the socket
     * itself: a statement timeout would be sent on another connection to a server that never got the question.
     */
    private static void stillThere(Connection listening) throws SQLException {
        int before = listening.getNetworkTimeout();
        listening.setNetworkTimeout(Runnable::run, (int) ANSWER_WITHIN.toMillis());
        try (Statement statement = listening.createStatement()) {
            statement.execute("select 1");
        }
        listening.setNetworkTimeout(Runnable::run, before);
    }

    /** Tells {@code listener} of every session a server placed on a server named by its lease owner. */
    void onPlacement(BiConsumer<SessionId, String> listener) {
        this.placed = listener;
    }

    /** Tells {@code listener} of every cancel a server asked of the server it names. */
    void onCancelAsked(java.util.function.Consumer<CancelAsked> listener) {
        this.cancelAsked = listener;
    }

    static String cancelPayload(SessionId id, String owner, String reason) {
        return id.value() + " " + owner + " " + reason;
    }

    /**
     * Hands on what a batch of notifications says, each session once: the highest seq stored of it, and each placement
     * and each cancel asked once. A flood of notifications (anyone who can connect may send them) costs one read per
     * session it names, not one per notification.
     */
    private void handleAll(PGNotification[] received) {
        Map<SessionId, Long> stored = new LinkedHashMap<>();
        Set<Map.Entry<SessionId, String>> placements = new LinkedHashSet<>();
        // each session once per server named: a request naming another server must not hide the one naming this
        Map<Map.Entry<SessionId, String>, CancelAsked> cancels = new LinkedHashMap<>();
        for (PGNotification notification : received) {
            if (CANCELS.equals(notification.getName())) {
                CancelAsked asked = cancelAskedIn(notification.getParameter());
                if (asked != null) {
                    cancels.putIfAbsent(Map.entry(asked.sessionId(), asked.owner()), asked);
                }
            } else {
                handle(notification, stored, placements);
            }
        }
        placements.forEach(placement -> placed.accept(placement.getKey(), placement.getValue()));
        cancels.values().forEach(cancelAsked);
        stored.forEach(storedElsewhere);
    }

    /** {@code "<session id> <owner> <reason>"}, read as hostile: null unless the id is well formed and an owner named. */
    static CancelAsked cancelAskedIn(String payload) {
        String[] parts = payload.split(" ", 3);
        if (parts.length < 2 || !SessionId.isWellFormed(parts[0]) || parts[1].isEmpty()) {
            return null;
        }
        String reason =
                parts.length == 3 ? parts[2].replaceAll("\\p{Cntrl}", " ").strip() : "";
        if (reason.length() > MOST_REASON_LENGTH) {
            reason = reason.substring(0, MOST_REASON_LENGTH);
        }
        return new CancelAsked(new SessionId(parts[0]), parts[1], reason.isEmpty() ? "cancelled" : reason);
    }

    private void handle(
            PGNotification notification, Map<SessionId, Long> stored, Set<Map.Entry<SessionId, String>> placements) {
        String payload = notification.getParameter();
        int space = payload.lastIndexOf(' ');
        if (space <= 0) {
            return;
        }
        if (PLACEMENTS.equals(notification.getName())) {
            int first = payload.indexOf(' ');
            String placedId = payload.substring(0, first);
            if (SessionId.isWellFormed(placedId)) {
                placements.add(Map.entry(new SessionId(placedId), payload.substring(first + 1)));
            }
            return;
        }
        if (!CHANNEL.equals(notification.getName()) || database.isOwnBackend(notification.getPID())) {
            return;
        }
        String id = payload.substring(0, space);
        long seq;
        try {
            seq = Long.parseLong(payload.substring(space + 1));
        } catch (NumberFormatException e) {
            return;
        }
        if (!SessionId.isWellFormed(id)) {
            return;
        }
        stored.merge(new SessionId(id), seq, Math::max);
    }

    @Override
    public void close() {
        closed = true;
        Connection current = connection;
        if (current != null) {
            try {
                current.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
