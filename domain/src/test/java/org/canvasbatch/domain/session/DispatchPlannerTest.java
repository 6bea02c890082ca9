package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.domain.session.TrackedSession.T0;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.canvasbatch.domain.session.DispatchPlanner.Contender;
import org.canvasbatch.domain.session.DispatchPlanner.Dispatch;
import org.canvasbatch.domain.session.DispatchPlanner.Offer;
import org.junit.jupiter.api.Test;

/** CONTRACT §4 concurrency: per-session and global limits, priority then canvas order, fairness between sessions. */
class DispatchPlannerTest {

    private static final int GLOBAL_LIMIT = 12;

    private static String[] ids(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toArray(String[]::new);
    }

    private static Session running(String id, Instant createdAt, int maxConcurrent, int nodes) {
        TrackedSession tracked = TrackedSession.plan()
                .id(id)
                .createdAt(createdAt)
                .maxConcurrent(maxConcurrent)
                .nodes(1, ids(id + "-", nodes))
                .create();
        tracked.start();
        return tracked.session();
    }

    private static List<String> nodesOf(List<Dispatch> plan) {
        return plan.stream().map(Dispatch::taskId).toList();
    }

    /** Starts what the planner chose, as the dispatcher would, and returns it. */
    private static List<Dispatch> dispatch(List<Session> sessions, int globalFree, Instant now) {
        List<Dispatch> plan = DispatchPlanner.plan(sessions, globalFree, now);
        for (Dispatch dispatch : plan) {
            sessions.stream()
                    .filter(s -> s.id().equals(dispatch.sessionId()))
                    .findFirst()
                    .orElseThrow()
                    .startTask(dispatch.taskId(), now);
        }
        return plan;
    }

    private static int globalFree(List<Session> sessions) {
        return GLOBAL_LIMIT - sessions.stream().mapToInt(Session::runningCount).sum();
    }

    private static void finish(Session session, String nodeId, Instant now) {
        session.recordSuccess(nodeId, session.task(nodeId).attempts(), nodeId + ".md", 1, 1, "ok", "m", now);
    }

    @Test
    void higherPriorityGroupsGoFirstThenCanvasOrder() {
        TrackedSession tracked = TrackedSession.plan()
                .group(1, Priority.LOW)
                .group(2, Priority.URGENT)
                .group(3, Priority.HIGH)
                .group(4, Priority.MEDIUM)
                .nodes(1, "a")
                .nodes(2, "b")
                .nodes(3, "c")
                .nodes(1, "d")
                .nodes(3, "e")
                .nodes(4, "f")
                .nodes(2, "g")
                .create();
        tracked.start();

        List<Dispatch> plan = DispatchPlanner.plan(List.of(tracked.session()), GLOBAL_LIMIT, tracked.now());

        assertThat(nodesOf(plan)).containsExactly("b", "g", "c", "e", "f", "a", "d");
        assertThat(plan)
                .extracting(Dispatch::sessionId)
                .containsOnly(tracked.session().id());
    }

    @Test
    void aPriorityChangeMidRunReordersWhatComesNext() {
        TrackedSession tracked = TrackedSession.plan()
                .maxConcurrent(2)
                .nodes(1, "a", "b", "c")
                .nodes(2, "d", "e")
                .create();
        tracked.start();
        Session session = tracked.session();
        Instant now = tracked.now();
        assertThat(nodesOf(dispatch(List.of(session), GLOBAL_LIMIT, now))).containsExactly("a", "b");

        tracked.changePriority(2, Priority.URGENT);
        finish(session, "a", now);

        assertThat(nodesOf(dispatch(List.of(session), GLOBAL_LIMIT, now))).containsExactly("d");
        finish(session, "b", now);
        finish(session, "d", now);
        assertThat(nodesOf(DispatchPlanner.plan(List.of(session), GLOBAL_LIMIT, now)))
                .containsExactly("e", "c");
    }

    @Test
    void aSessionNeverRunsMoreThanItsOwnLimit() {
        Session session = running("s", T0, 3, 10);

        assertThat(dispatch(List.of(session), GLOBAL_LIMIT, T0)).hasSize(3);
        assertThat(session.freeCapacity()).isZero();
        assertThat(DispatchPlanner.plan(List.of(session), GLOBAL_LIMIT, T0)).isEmpty();

        finish(session, "s-0", T0);
        assertThat(nodesOf(dispatch(List.of(session), GLOBAL_LIMIT, T0))).containsExactly("s-3");
        assertThat(session.runningCount()).isEqualTo(3);
    }

    @Test
    void theGlobalLimitCapsThePlanAcrossSessions() {
        Session first = running("first", T0, 12, 10);
        Session second = running("second", T0.plusSeconds(1), 12, 10);

        List<Dispatch> plan = DispatchPlanner.plan(List.of(first, second), 5, T0);

        assertThat(plan).hasSize(5).doesNotHaveDuplicates();
        assertThat(plan)
                .extracting(d -> d.sessionId().value())
                .containsExactly("first", "second", "first", "second", "first");
        assertThat(DispatchPlanner.plan(List.of(first, second), 0, T0)).isEmpty();
        assertThat(DispatchPlanner.plan(List.of(first, second), -3, T0)).isEmpty();
    }

    @Test
    void slotsASessionCannotUseGoToTheOthers() {
        Session narrow = running("narrow", T0, 2, 10);
        Session wide = running("wide", T0.plusSeconds(1), 12, 10);

        List<Dispatch> plan = dispatch(List.of(narrow, wide), 6, T0);

        assertThat(plan).hasSize(6);
        assertThat(narrow.runningCount()).isEqualTo(2);
        assertThat(wide.runningCount()).isEqualTo(4);
    }

    @Test
    void thePlanHoldsOnlyWhatIsAvailableWhenThatIsLessThanTheFreeSlots() {
        Session session = running("s", T0, 12, 3);

        assertThat(nodesOf(DispatchPlanner.plan(List.of(session), GLOBAL_LIMIT, T0)))
                .containsExactly("s-0", "s-1", "s-2");
        assertThat(DispatchPlanner.plan(List.of(), GLOBAL_LIMIT, T0)).isEmpty();
    }

    @Test
    void theSessionWithFewestCallsInFlightIsServedFirstThenTheOldest() {
        Session busy = running("busy", T0, 12, 10);
        Session idle = running("idle", T0.plusSeconds(5), 12, 10);
        dispatch(List.of(busy), 3, T0);

        assertThat(DispatchPlanner.plan(List.of(busy, idle), 1, T0))
                .extracting(d -> d.sessionId().value())
                .containsExactly("idle");

        Session older = running("zeta", T0, 12, 2);
        Session newer = running("alpha", T0.plusSeconds(1), 12, 2);
        Session sameTimeLowerId = running("beta", T0, 12, 2);
        assertThat(DispatchPlanner.plan(List.of(newer, older, sameTimeLowerId), 3, T0))
                .extracting(d -> d.sessionId().value())
                .containsExactly("beta", "zeta", "alpha");
    }

    @Test
    void aSmallBatchStartedAfterAHugeOneGetsTheNextFreeSlot() {
        Session huge = running("huge", T0, 12, 1_000);
        assertThat(dispatch(List.of(huge), globalFree(List.of(huge)), T0)).hasSize(12);
        Session small = running("small", T0.plusSeconds(60), 12, 10);
        List<Session> both = List.of(huge, small);
        Instant now = T0.plusSeconds(61);

        assertThat(DispatchPlanner.plan(both, globalFree(both), now))
                .as("every global slot is taken")
                .isEmpty();

        finish(huge, "huge-0", now);
        assertThat(dispatch(both, globalFree(both), now)).containsExactly(new Dispatch(small.id(), "small-0"));

        // each time a huge-batch call ends, its slot goes to the small batch until they hold the same number
        for (int i = 1; i <= 5; i++) {
            finish(huge, "huge-" + i, now);
            assertThat(dispatch(both, globalFree(both), now))
                    .extracting(Dispatch::sessionId)
                    .containsExactly(small.id());
        }
        assertThat(huge.runningCount()).isEqualTo(6);
        assertThat(small.runningCount()).isEqualTo(6);
    }

    @Test
    void overManyRoundsTwoBusySessionsShareTheGlobalSlotsEvenly() {
        Session huge = running("huge", T0, 12, 1_000);
        dispatch(List.of(huge), GLOBAL_LIMIT, T0);
        Session later = running("later", T0.plusSeconds(60), 12, 300);
        List<Session> both = List.of(huge, later);
        Map<SessionId, Integer> dispatched = new HashMap<>();
        Map<SessionId, Deque<String>> inFlight = new HashMap<>();
        inFlight.put(huge.id(), new ArrayDeque<>(List.of(ids("huge-", 12))));
        inFlight.put(later.id(), new ArrayDeque<>());
        Random random = new Random(42);
        Instant now = T0.plusSeconds(61);

        for (int round = 0; round < 400; round++) {
            // some call, anywhere, ends: pick one of the in-flight calls at random
            List<SessionId> owners = new ArrayList<>();
            inFlight.forEach((id, calls) -> calls.forEach(call -> owners.add(id)));
            SessionId owner = owners.get(random.nextInt(owners.size()));
            Session session = owner.equals(huge.id()) ? huge : later;
            finish(session, inFlight.get(owner).removeFirst(), now);

            for (Dispatch dispatch : dispatch(both, globalFree(both), now)) {
                dispatched.merge(dispatch.sessionId(), 1, Integer::sum);
                inFlight.get(dispatch.sessionId()).addLast(dispatch.taskId());
            }
            assertThat(huge.runningCount() + later.runningCount()).isEqualTo(GLOBAL_LIMIT);
            if (round >= 12) {
                assertThat(Math.abs(huge.runningCount() - later.runningCount()))
                        .as("round " + round)
                        .isLessThanOrEqualTo(2);
            }
        }

        assertThat(dispatched.get(later.id()) + dispatched.get(huge.id())).isEqualTo(400);
        assertThat(dispatched.get(later.id())).isBetween(180, 220);
    }

    @Test
    void pausedPendingAndFinishedSessionsGetNothing() {
        Session active = running("active", T0.plusSeconds(9), 12, 20);
        TrackedSession pending =
                TrackedSession.plan().id("pending").nodes(1, "p").create();
        TrackedSession paused = TrackedSession.plan().id("paused").nodes(1, "q").create();
        paused.start();
        paused.pause();
        TrackedSession cancelled =
                TrackedSession.plan().id("cancelled").nodes(1, "r").create();
        cancelled.cancel();
        TrackedSession partial =
                TrackedSession.plan().id("partial").nodes(1, "s", "t").create();
        partial.start();
        partial.run("s");
        partial.runAndFail("t");

        List<Dispatch> plan = DispatchPlanner.plan(
                List.of(pending.session(), paused.session(), cancelled.session(), partial.session(), active),
                GLOBAL_LIMIT,
                T0.plusSeconds(10));

        assertThat(plan).hasSize(12).extracting(Dispatch::sessionId).containsOnly(active.id());
    }

    @Test
    void aNodeWaitingForItsRetryIsSkippedUntilItIsDue() {
        TrackedSession tracked =
                TrackedSession.plan().maxConcurrent(2).nodes(1, "a", "b", "c").create();
        tracked.start();
        tracked.startTask("a");
        Instant retryAt = tracked.now().plusSeconds(30);
        tracked.failTransiently("a", retryAt);
        Session session = tracked.session();

        assertThat(nodesOf(DispatchPlanner.plan(List.of(session), GLOBAL_LIMIT, retryAt.minusSeconds(1))))
                .containsExactly("b", "c");
        assertThat(nodesOf(DispatchPlanner.plan(List.of(session), 1, retryAt.minusSeconds(1))))
                .containsExactly("b");
        assertThat(nodesOf(DispatchPlanner.plan(List.of(session), GLOBAL_LIMIT, retryAt)))
                .containsExactly("a", "b");
    }

    @Test
    void singleNodeRunsNoSessionHoldsCompeteAsOneContenderAndGetOneShare() {
        Session batch = running("batch", T0.plusSeconds(1), 12, 100);
        Offer loose = new Offer(new Contender.LooseNodes(), 0, T0, List.of(ids("run-", 100)));

        List<Dispatch> plan =
                DispatchPlanner.planOffers(List.of(Offer.of(batch, GLOBAL_LIMIT, T0), loose), GLOBAL_LIMIT);

        assertThat(plan).hasSize(GLOBAL_LIMIT);
        assertThat(plan)
                .extracting(Dispatch::contender)
                .as("dealt in turns, the older contender first")
                .startsWith(new Contender.LooseNodes(), new Contender.OfSession(batch.id()))
                .filteredOn(c -> c instanceof Contender.LooseNodes)
                .hasSize(GLOBAL_LIMIT / 2);
        assertThat(plan.get(0).taskId()).isEqualTo("run-0");
    }

    @Test
    void aFreeSlotGoesToABatchBeforeSingleNodeRunsThatHoldMoreSlots() {
        Session batch = running("batch", T0.plusSeconds(1), 12, 100);
        Offer loose = new Offer(new Contender.LooseNodes(), GLOBAL_LIMIT - 1, T0, List.of(ids("run-", 100)));

        assertThat(DispatchPlanner.planOffers(List.of(loose, Offer.of(batch, 1, T0)), 1))
                .containsExactly(new Dispatch(batch.id(), "batch-0"));
    }

    @Test
    void aLooseRunsDispatchNamesNoSession() {
        Dispatch dispatch = new Dispatch(new Contender.LooseNodes(), "run-1");

        org.assertj.core.api.Assertions.assertThatThrownBy(dispatch::sessionId)
                .isInstanceOf(IllegalStateException.class);
    }
}
