package org.canvasbatch.domain.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Decides which node tasks start next across all running sessions.
 *
 * <p>Within a session: higher group priority first, then canvas order, never more than its own limit. Between sessions:
 * slots are dealt round-robin, starting with the session that has the fewest calls in flight, so a small batch started
 * after a huge one gets its share at the next free slot instead of waiting for the huge one to drain.
 */
public final class DispatchPlanner {

    private DispatchPlanner() {}

    public record Dispatch(SessionId sessionId, String nodeId) {}

    /**
     * What one running session offers the planner, read under that session's own lock.
     *
     * @param due up to the session's free capacity of queued nodes that may start now, in the session's dispatch order
     */
    public record Offer(SessionId sessionId, int running, Instant createdAt, List<String> due) {
        public Offer {
            due = List.copyOf(due);
        }

        public static Offer of(Session session, int globalFree, Instant now) {
            return new Offer(
                    session.id(),
                    session.runningCount(),
                    session.createdAt(),
                    session.dispatchable(Math.min(session.freeCapacity(), globalFree), now));
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
                        .thenComparing(Offer::createdAt)
                        .thenComparing(Offer::sessionId))
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
                    plan.add(new Dispatch(contenders.get(i).sessionId(), next.next()));
                    progressed = true;
                }
            }
        }
        return plan;
    }
}
