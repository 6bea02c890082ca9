package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.canvasbatch.application.port.in.SessionNotFoundException;
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

    /** Who analysed a waiting batch, when, and in which order (batches of one instant: the first analysed first). */
    private record Owner(String client, Instant createdAt, long order) {}

    /** A place held for an analysis under way, and the waiting batch of its client it replaces once it has its own. */
    static final class Reservation {
        private final String client;
        private final SessionId replaces;
        private final Owner replacedOwner;

        private Reservation(String client, SessionId replaces, Owner replacedOwner) {
            this.client = client;
            this.replaces = replaces;
            this.replacedOwner = replacedOwner;
        }
    }

    private final SessionBook book;
    private final Clock clock;
    private final CoreSettings settings;
    private final Map<SessionId, Owner> owners = new HashMap<>();
    private final Map<Reservation, Instant> underWay = new HashMap<>();
    private long analysed;

    PendingQuota(SessionBook book, Clock clock, CoreSettings settings) {
        this.book = book;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * Holds a place for one more pending session of {@code client} (null: a caller without an address, counted for
     * the server only). A client at its limit, or at the server's, that has a batch waiting gets a place that replaces
     * its oldest one once the new batch is analysed ({@link #taken}): the plugin's 取消 only closes its preview, and it
     * can confirm only the preview it shows, so a learner who looked at twenty previews in half an hour was refused
     * every analysis until the oldest expired, told to confirm or cancel one, which the plugin cannot. Meanwhile the
     * client is one over its limit; an analysis that fails replaces nothing.
     *
     * @throws TooManyPendingSessionsException when the server's or the client's limit is reached and the client has no
     *     batch waiting to replace (all its places are analyses under way, or it has none)
     */
    synchronized Reservation reserve(String client) {
        owners.keySet().removeIf(id -> !book.isPending(id));
        Instant now = clock.now();
        int total = book.pendingCount() + underWay.size();
        boolean serverFull = total >= settings.pendingLimit();
        boolean clientFull = client != null && ofClient(client) >= settings.pendingLimitPerClient();
        Optional<Map.Entry<SessionId, Owner>> oldest = client == null || !(serverFull || clientFull)
                ? Optional.empty()
                : owners.entrySet().stream()
                        .filter(e -> e.getValue().client().equals(client))
                        .min(java.util.Comparator.comparing((Map.Entry<SessionId, Owner> e) ->
                                        e.getValue().createdAt())
                                .thenComparingLong(e -> e.getValue().order()));
        if (oldest.isEmpty() && serverFull && client != null) {
            // a batch recovered from the journal belongs to no client (who analysed it is not stored): one left waiting
            // across a restart is a preview whose window has most likely gone, and the plugin cannot cancel it either
            oldest = oldestRecovered().map(id -> Map.entry(id, new Owner(client, Instant.MIN, 0)));
        }
        if (oldest.isEmpty() && serverFull) {
            Duration wait = untilOldestExpires(now);
            int waiting = book.pendingCount();
            throw new TooManyPendingSessionsException(
                    Scope.SERVER,
                    settings.pendingLimit(),
                    wait,
                    "The server already holds " + waiting + " analysed batches waiting to be confirmed"
                            + (underWay.isEmpty() ? "" : " and " + underWay.size() + " being analysed")
                            + " (its limit is " + settings.pendingLimit() + "); confirm or cancel one, or try again in "
                            + wait.toSeconds() + " s, when the oldest expires");
        }
        if (oldest.isEmpty() && clientFull) {
            long analysing = underWay.keySet().stream()
                    .filter(r -> client.equals(r.client))
                    .count();
            throw new TooManyPendingSessionsException(
                    Scope.CLIENT,
                    settings.pendingLimitPerClient(),
                    Duration.ofSeconds(5),
                    "You already have " + analysing + " canvases being analysed at once (the limit per client is "
                            + settings.pendingLimitPerClient() + "); try again in a few seconds, once they are done");
        }
        Reservation reservation = oldest.map(e -> new Reservation(client, e.getKey(), e.getValue()))
                .orElseGet(() -> new Reservation(client, null, null));
        // replaced by this one: neither counted again nor chosen by another analysis
        oldest.ifPresent(e -> owners.remove(e.getKey()));
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
     * The analysis created {@code id}, still pending: the place is its own until it leaves {@code pending}; the batch
     * its place replaces is cancelled now, outside this monitor (its lock and the journal's append are the session's),
     * and only while it is still pending, so that a confirm meanwhile wins.
     */
    void taken(Reservation reservation, SessionId id, Instant createdAt) {
        synchronized (this) {
            if (underWay.remove(reservation) != null && reservation.client != null) {
                owners.put(id, new Owner(reservation.client, createdAt, ++analysed));
            }
        }
        if (reservation.replaces != null) {
            replace(reservation.replaces);
        }
    }

    private void replace(SessionId id) {
        try {
            boolean cancelled = !book.change(
                            id,
                            s -> s.state() == SessionState.PENDING
                                    ? s.cancel(REPLACED, clock.now())
                                    : java.util.List.of())
                    .isEmpty();
            if (cancelled) {
                LOG.log(System.Logger.Level.INFO, "session " + id + " cancelled (" + REPLACED + ")");
            }
        } catch (SessionNotFoundException gone) {
            // forgotten meanwhile (expired): nothing left to replace
        } catch (RuntimeException notStored) {
            // the journal refused the cancel: the batch keeps waiting, one over the limit, until it expires
            LOG.log(
                    System.Logger.Level.WARNING,
                    "session " + id + " could not be cancelled to make room for a newer one: "
                            + notStored.getMessage());
        }
    }

    /** The analysis failed or its session started at once: the place is free again, and replaces nothing. */
    synchronized void release(Reservation reservation) {
        underWay.remove(reservation);
        // (a recovered batch it would have replaced, order 0, belongs to no client again)
        if (reservation.replaces != null
                && reservation.replacedOwner.order() > 0
                && book.isPending(reservation.replaces)) {
            owners.put(reservation.replaces, reservation.replacedOwner);
        }
    }

    /** The oldest batch waiting that belongs to no client (recovered from the journal) and no analysis replaces. */
    private Optional<SessionId> oldestRecovered() {
        java.util.Set<SessionId> replacing = new java.util.HashSet<>();
        underWay.keySet().forEach(r -> {
            if (r.replaces != null) {
                replacing.add(r.replaces);
            }
        });
        return book.pendingIds().stream()
                .filter(id -> !owners.containsKey(id) && !replacing.contains(id))
                .flatMap(id -> book.readIfPresent(id, s -> Map.entry(id, s.createdAt())).stream())
                .min(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey);
    }

    /** The time until the oldest pending session expires, recovered ones included; at least 1 s. */
    private Duration untilOldestExpires(Instant now) {
        Optional<Instant> oldest = book.pendingIds().stream()
                .flatMap(id -> book.readIfPresent(id, s -> s.createdAt()).stream())
                .min(Instant::compareTo);
        Duration wait = oldest.map(created -> Duration.between(now, created.plus(settings.pendingExpiry())))
                .orElse(settings.pendingExpiry());
        return wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
    }
}
