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

/**
 * The cap on analysed sessions waiting for confirmation, over the server and per client address. A place is reserved
 * before the (possibly long) grouping starts, so a flood is refused before it costs anything, and is held until the
 * session leaves {@code pending} (confirmed, cancelled, expired). Sessions recovered from the journal count for the
 * server but belong to no client.
 */
final class PendingQuota {

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
            long ofClient = owners.values().stream()
                            .filter(o -> o.client().equals(client))
                            .count()
                    + underWay.keySet().stream()
                            .filter(r -> client.equals(r.client))
                            .count();
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
