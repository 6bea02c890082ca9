package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.canvasbatch.application.port.in.TooManyPendingSessionsException;
import org.canvasbatch.application.port.in.TooManyPendingSessionsException.Scope;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;

/**
 * The cap on analysed sessions waiting for confirmation, over the server and per client address. A place is reserved
 * before the (possibly long) grouping starts, so a flood is refused before it costs anything, and is held until the
 * session leaves {@code pending} (confirmed, cancelled, expired). A client at its limit has its oldest waiting batch
 * replaced by its newest; it is refused only while all its places are analyses under way. Sessions recovered from the journal count for the
 * server but belong to no client.
 */
final class PendingQuota {

    private static final System.Logger LOG = System.getLogger(PendingQuota.class.getName());
    static final String REPLACED = "replaced by a newer batch analysed for the same client, never confirmed";

    private record Owner(String client, Instant createdAt) {}

    /** A place held for an analysis under way. */
    static final class Reservation {
        private final String client;

        private Reservation(String client) {
            this.client = client;
        }
    }

    private final SessionBook book;
    private final Clock clock;
    private final CoreSettings settings;
    private final Map<SessionId, Owner> owners = new HashMap<>();
    private final Map<Reservation, Instant> underWay = new HashMap<>();

    PendingQuota(SessionBook book, Clock clock, CoreSettings settings) {
        this.book = book;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * Holds a place for one more pending session of {@code client} (null: a caller without an address, counted for
     * the server only).
     *
     * @throws TooManyPendingSessionsException when the server's or the client's limit is reached
     */
    synchronized Reservation reserve(String client) {
        owners.keySet().removeIf(id -> !book.isPending(id));
        Instant now = clock.now();
        int total = book.pendingCount() + underWay.size();
        if (total >= settings.pendingLimit()) {
            Duration wait = untilOldestExpires(null, now);
            throw new TooManyPendingSessionsException(
                    Scope.SERVER,
                    settings.pendingLimit(),
                    wait,
                    "The server already holds " + total + " analysed batches waiting to be confirmed (its limit is "
                            + settings.pendingLimit() + "); confirm or cancel one, or try again in "
                            + wait.toSeconds() + " s, when the oldest expires");
        }
        if (client != null) {
            if (ofClient(client) >= settings.pendingLimitPerClient()) {
                replaceOldestOf(client);
            }
            long ofClient = ofClient(client);
            if (ofClient >= settings.pendingLimitPerClient()) {
                Duration wait = untilOldestExpires(client, now);
                throw new TooManyPendingSessionsException(
                        Scope.CLIENT,
                        settings.pendingLimitPerClient(),
                        wait,
                        "You already have " + ofClient + " analysed batches waiting to be confirmed (the limit per"
                                + " client is " + settings.pendingLimitPerClient() + "); confirm or cancel one, or"
                                + " try again in " + wait.toSeconds() + " s, when the oldest expires");
            }
        }
        Reservation reservation = new Reservation(client);
        underWay.put(reservation, now);
        return reservation;
    }

    private long ofClient(String client) {
        return owners.values().stream().filter(o -> o.client().equals(client)).count()
                + underWay.keySet().stream()
                        .filter(r -> client.equals(r.client))
                        .count();
    }

    /**
     * Cancels the client's oldest batch still waiting for confirmation, to make room for its newest. The plugin's 取消
     * only closes its preview, and it can confirm only the preview it shows: a learner who looked at twenty previews in
     * half an hour was refused every analysis until the oldest expired, told to confirm or cancel one, which the plugin
     * cannot. A batch confirmed meanwhile is left as it is (the cancel is made under the session's lock, only while it
     * is pending); its place is free all the same.
     */
    private void replaceOldestOf(String client) {
        Optional<SessionId> oldest = owners.entrySet().stream()
                .filter(e -> e.getValue().client().equals(client))
                .min(java.util.Comparator.comparing(e -> e.getValue().createdAt()))
                .map(Map.Entry::getKey);
        if (oldest.isEmpty()) {
            return; // every place is an analysis under way: refused below
        }
        SessionId id = oldest.get();
        try {
            boolean cancelled = !book.change(
                            id,
                            s -> s.state() == SessionState.PENDING
                                    ? s.cancel(REPLACED, clock.now())
                                    : java.util.List.of())
                    .isEmpty();
            if (cancelled) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "session " + id + " cancelled (" + REPLACED + ": the limit per client is "
                                + settings.pendingLimitPerClient() + ")");
            }
        } catch (RuntimeException gone) {
            // forgotten meanwhile (expired): its place is free
        }
        owners.keySet().removeIf(known -> !book.isPending(known));
    }

    /** The analysis created {@code id}, still pending: the place is its own until it leaves {@code pending}. */
    synchronized void taken(Reservation reservation, SessionId id, Instant createdAt) {
        if (underWay.remove(reservation) != null && reservation.client != null) {
            owners.put(id, new Owner(reservation.client, createdAt));
        }
    }

    /** The analysis failed or its session started at once: the place is free again. */
    synchronized void release(Reservation reservation) {
        underWay.remove(reservation);
    }

    /** The time until the oldest known pending session (of {@code client}, or of anyone) expires; at least 1 s. */
    private Duration untilOldestExpires(String client, Instant now) {
        Optional<Instant> oldest = owners.values().stream()
                .filter(o -> client == null || o.client().equals(client))
                .map(Owner::createdAt)
                .min(Instant::compareTo);
        Duration wait = oldest.map(created -> Duration.between(now, created.plus(settings.pendingExpiry())))
                .orElse(settings.pendingExpiry());
        return wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
    }
}
