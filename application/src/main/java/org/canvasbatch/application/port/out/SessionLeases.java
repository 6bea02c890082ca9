package org.canvasbatch.application.port.out;

import java.util.List;
import org.canvasbatch.domain.session.SessionId;

/**
 * Which server runs a session, when several share one event log: a running session is dispatched only by the server
 * holding its lease, which renews it while it lives; a lease not renewed in time (its server died or was cut off) may
 * be taken by another server, and only one of several takers gets it. A server alone holds every lease.
 */
public interface SessionLeases {

    /**
     * Whether this server holds the session's lease now, for sure: nothing of the session is dispatched without it.
     * Asked at every dispatch: answers from memory.
     */
    boolean holds(SessionId sessionId);

    /**
     * Whether this server took the session's lease and has neither given it up nor learnt that another server took it,
     * even while it cannot be sure it still {@link #holds} it (its last renewal is late, or the process was frozen): such
     * a session is not taken over again here, which would queue its nodes in flight a second time.
     */
    default boolean taken(SessionId sessionId) {
        return holds(sessionId);
    }

    /**
     * Takes the lease if nobody holds it, or if its holder let it expire; true if this server holds it now. From then on
     * it is renewed until {@link #release} (or until renewing fails, when {@link #holds} turns false).
     */
    boolean take(SessionId sessionId);

    /**
     * Gives the session to the least loaded server — the one with the fewest running nodes for its concurrency, this
     * one on a tie — if nobody holds it, its holder let it expire, or it was placed here; true if this server holds it
     * now. A server it is placed on hears of it ({@link #onPlacedHere}) and takes it.
     */
    default boolean place(SessionId sessionId) {
        return take(sessionId);
    }

    /** Tells {@code listener} of each session another server placed on this one: it should {@link #take} it now. */
    default void onPlacedHere(java.util.function.Consumer<SessionId> listener) {}

    /**
     * Asks the live server that holds the session's lease, if another does, to cancel it: that server knows which of its
     * notes are being written and records them before the end, which a cancel stored here could not wait for. True if
     * such a server was asked; it ends the session within a few seconds, unless it died meanwhile.
     */
    default boolean askHolderToCancel(SessionId sessionId, String reason) {
        return false;
    }

    /** Tells {@code listener} of each session another server asks this one to cancel, with the reason given there. */
    default void onCancelAsked(java.util.function.BiConsumer<SessionId, String> listener) {}

    /**
     * Deletes the session's lease if it ran out: the log has no event of the session, so no server will ever run it,
     * and every server's look for abandoned sessions would read its empty history again.
     */
    default void forgetRunOut(SessionId sessionId) {}

    /** Gives the lease up: the session needs no server now (it finished). */
    void release(SessionId sessionId);

    /** Sessions whose lease expired without being released: their server stopped running them. */
    List<SessionId> abandoned();

    /**
     * Servers of the cluster that stopped (their heartbeat ran out) and whose leftovers this server now clears up: the
     * note links each had not yet written into the shared vault. Of servers asking at once each stopped one goes to
     * one; if that one stops too before it is done, another gets it. Alone: none.
     */
    default List<String> claimStoppedServers() {
        return List.of();
    }

    /** {@code server}, claimed here, is cleared up after: it is forgotten, and claimed by nobody again. */
    default void forgetStoppedServer(String server) {}

    /** One server with its own log: it runs every session it has. */
    static SessionLeases alone() {
        return new SessionLeases() {
            @Override
            public boolean holds(SessionId sessionId) {
                return true;
            }

            @Override
            public boolean take(SessionId sessionId) {
                return true;
            }

            @Override
            public void release(SessionId sessionId) {}

            @Override
            public List<SessionId> abandoned() {
                return List.of();
            }
        };
    }
}
