package org.canvasbatch.domain.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Decides which node tasks start next across everything that competes for the server-wide slots.
 *
 * <p>Within a session: the nodes a person asked to run again first, then higher group priority, then canvas order,
 * never more than its own limit. Between contenders: slots are dealt round-robin, starting with the contender that has
 * the fewest calls in flight, so a small batch started after a huge one gets its share at the next free slot instead of
 * waiting for the huge one to drain. Single-node runs of nodes no session holds compete together as one contender, so
 * a flood of them gets one fair share, never the whole server.
 */
public final class DispatchPlanner {

    private DispatchPlanner() {}

    /** Who competes for the free slots. */
    public sealed interface Contender {

        /** Tie-breaker between contenders with as many calls in flight and the same age. */
        String orderKey();

        /** A session's queue: its batch, and the nodes a person asked to run again. */
        record OfSession(SessionId sessionId) implements Contender {
            @Override
            public String orderKey() {
                return "session " + sessionId.value();
            }
        }

        /** Runs of single nodes that no session holds (a retry after the session was forgotten), first come first. */
        record LooseNodes() implements Contender {
            @Override
            public String orderKey() {
                return "loose nodes";
            }
        }
    }

    /**
     * One task to start.
     *
     * @param taskId the node id within a session; the run's own id for {@link Contender.LooseNodes}
     */
    public record Dispatch(Contender contender, String taskId) {

        public Dispatch(SessionId sessionId, String nodeId) {
            this(new Contender.OfSession(sessionId), nodeId);
        }

        /** The session whose node this is; only for a session's dispatch. */
        public SessionId sessionId() {
            if (contender instanceof Contender.OfSession(SessionId id)) {
                return id;
            }
            throw new IllegalStateException("a loose single-node run belongs to no session");
        }
    }

    /**
     * What one contender offers the planner; a session's is read under that session's own lock.
     *
     * @param since the contender's age, the tie-breaker after the calls in flight (a session's creation)
     * @param due up to the contender's free capacity of tasks that may start now, in its own dispatch order
     */
    public record Offer(Contender contender, int running, Instant since, List<String> due) {
        public Offer {
            due = List.copyOf(due);
        }

        public static Offer of(Session session, int globalFree, Instant now) {
            return of(session, globalFree, now, 0);
        }

        /**
         * @param answered the session's running nodes whose agent has answered: they are writing their notes and hold
         *                 no slot any more
         */
        public static Offer of(Session session, int globalFree, Instant now, int answered) {
            return new Offer(
                    new Contender.OfSession(session.id()),
                    session.callsInFlight(answered),
                    session.createdAt(),
                    session.dispatchable(Math.min(session.freeCapacity(answered), globalFree), now));
        }
    }

    /** Convenience for a single thread that owns every session. */
    public static List<Dispatch> plan(Collection<Session> sessions, int globalFree, Instant now) {
        return planOffers(
                sessions.stream().map(s -> Offer.of(s, globalFree, now)).toList(), globalFree);
    }

    public static List<Dispatch> planOffers(Collection<Offer> offers, int globalFree) {
        if (globalFree <= 0) {
            return List.of();
        }
        List<Offer> contenders = offers.stream()
                .filter(o -> !o.due().isEmpty())
                .sorted(Comparator.comparingInt(Offer::running)
                        .thenComparing(Offer::since)
                        .thenComparing(o -> o.contender().orderKey()))
                .toList();
        List<Iterator<String>> candidates = new ArrayList<>(contenders.size());
        for (Offer offer : contenders) {
            candidates.add(offer.due().iterator());
        }
        List<Dispatch> plan = new ArrayList<>(globalFree);
        boolean progressed = true;
        while (plan.size() < globalFree && progressed) {
            progressed = false;
            for (int i = 0; i < contenders.size() && plan.size() < globalFree; i++) {
                Iterator<String> next = candidates.get(i);
                if (next.hasNext()) {
                    plan.add(new Dispatch(contenders.get(i).contender(), next.next()));
                    progressed = true;
                }
            }
        }
        return plan;
    }
}
