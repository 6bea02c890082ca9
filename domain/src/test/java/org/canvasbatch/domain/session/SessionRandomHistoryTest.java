package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionConflict.Kind;
import org.junit.jupiter.api.Test;

/**
 * Property-style: random sessions driven by random commands, valid or not. Whatever happens, the log must fold back into
 * the live session and the counters must stay consistent. Seeded, so a failure names the history that reproduces it.
 */
class SessionRandomHistoryTest {

    private static final int HISTORIES = 500;
    private static final Instant T0 = Instant.parse("2026-11-26T08:00:00Z");

    @Test
    void randomHistoriesFoldBackIntoTheLiveSessionAndKeepTheirInvariants() {
        Random seeds = new Random(0xC0FFEE_2026L);
        int commands = 0;
        int refused = 0;
        Map<SessionState, Integer> endStates = new EnumMap<>(SessionState.class);
        for (int i = 0; i < HISTORIES; i++) {
            History history = new History(i, seeds.nextLong());
            history.run();
            commands += history.commands;
            refused += history.refused;
            endStates.merge(history.endState, 1, Integer::sum);
        }
        // the generator must actually reach the interesting places, or the properties above prove little
        assertThat(endStates.keySet())
                .contains(
                        SessionState.PENDING,
                        SessionState.RUNNING,
                        SessionState.PAUSED,
                        SessionState.COMPLETED,
                        SessionState.PARTIAL_FAILURE,
                        SessionState.FAILED,
                        SessionState.CANCELLED);
        assertThat(refused).isBetween(commands / 10, commands / 2);
    }

    private static final class History {
        private final String label;
        private final Random random;
        private final Session session;
        private final Session shadow;
        private final List<SessionEvent> log = new ArrayList<>();
        private final boolean reruns;
        private Instant now = T0;
        private int commands;
        private int refused;
        private SessionState endState;

        History(int index, long seed) {
            this.label = "history " + index + " (seed " + seed + "L)";
            this.random = new Random(seed);
            int nodes = 1 + random.nextInt(30);
            int groupCount = Math.min(nodes, 1 + random.nextInt(4));
            List<PlannedTask> tasks = new ArrayList<>();
            for (int n = 0; n < nodes; n++) {
                int groupId = n < groupCount ? n + 1 : 1 + random.nextInt(groupCount);
                tasks.add(new PlannedTask("n" + n, groupId, "question " + n, AgentId.values()[random.nextInt(12)]));
            }
            java.util.Collections.shuffle(tasks, random);
            List<Group> groups = new ArrayList<>();
            for (int g = 1; g <= groupCount; g++) {
                int groupId = g;
                groups.add(new Group(
                        g,
                        "group " + g,
                        List.of(),
                        null,
                        AgentId.ORAL_EXPLANATION,
                        Priority.values()[random.nextInt(4)],
                        0.5,
                        tasks.stream()
                                .filter(t -> t.groupId() == groupId)
                                .map(PlannedTask::nodeId)
                                .toList()));
            }
            var settings = new SessionSettings(
                    1 + random.nextInt(8), Duration.ofSeconds(600), Duration.ofSeconds(120), 1 + random.nextInt(3));
            var creation = Session.create(
                    new SessionId("h" + index), "c.canvas", groups, tasks, settings, 0.3, groupCount, now);
            this.session = creation.session();
            this.log.add(creation.event());
            this.shadow = Session.fromHistory(log);
            this.reruns = random.nextInt(3) == 0;
        }

        void run() {
            if (random.nextInt(10) < 8) {
                issue(() -> session.start(null, now));
            }
            int steps = 20 + random.nextInt(150);
            for (int step = 0; step < steps; step++) {
                if (session.state().isTerminal() && session.runningCount() == 0 && random.nextInt(4) != 0) {
                    break; // a few commands after the end are worth trying, a hundred refusals are not
                }
                now = now.plusMillis(random.nextInt(4) == 0 ? random.nextInt(5_000) : 0);
                issue(randomCommand());
                checkInvariants("step " + step);
            }
            endState = session.state();
            Session folded = Session.fromHistory(log);
            SessionFoldingTest.assertSameSession(folded, session, now, label + " at its end");
            // a recovered session must go on exactly as the live one would
            Instant later = now.plusSeconds(1);
            assertThat(outcome(() -> folded.cancel("end", later)))
                    .as(label)
                    .isEqualTo(outcome(() -> session.cancel("end", later)));
            assertThat(folded.snapshot()).as(label).isEqualTo(session.snapshot());
        }

        private Supplier<List<SessionEvent>> randomCommand() {
            int pick = random.nextInt(1000);
            String node = anyNode();
            if (pick < 280) {
                return this::dispatch;
            } else if (pick < 530) {
                String target = runningNode().orElse(node);
                int attempt = attemptOf(target);
                return () -> session.recordSuccess(
                        target, attempt, target + ".md", 10, random.nextInt(3_000), "out", "m", now);
            } else if (pick < 650) {
                String target = runningNode().orElse(node);
                int attempt = attemptOf(target);
                boolean retryable = random.nextBoolean();
                Optional<Instant> retryAt =
                        random.nextInt(4) == 0 ? Optional.empty() : Optional.of(now.plusMillis(random.nextInt(8_000)));
                return () -> session.recordFailure(
                        target,
                        attempt,
                        "boom",
                        retryable ? "http_503" : "agent_error",
                        retryable,
                        random.nextInt(3_000),
                        retryAt,
                        now);
            } else if (pick < 700) {
                String real = session.tasks()
                        .get(random.nextInt(session.tasks().size()))
                        .nodeId();
                int wrong = attemptOf(real) + 1 + random.nextInt(2);
                return () -> {
                    try {
                        session.recordSuccess(real, wrong, "x.md", 1, 1, "late", "m", now);
                    } catch (SessionConflict conflict) {
                        assertThat(conflict.kind())
                                .as(label + ": a wrong attempt")
                                .isEqualTo(Kind.STALE_RESULT);
                        throw conflict;
                    }
                    return fail(label + ": a result for attempt " + wrong + " of " + real + " was accepted");
                };
            } else if (pick < 750) {
                return () -> session.pause("p", now);
            } else if (pick < 810) {
                return () -> session.resume("r", now);
            } else if (pick < 870) {
                int groupId = 1 + random.nextInt(session.groups().size() + 1);
                Priority priority = Priority.values()[random.nextInt(4)];
                return () -> session.changePriority(groupId, priority, now);
            } else if (pick < 900) {
                // the process was killed and started again
                return () -> session.requeueInterrupted(now);
            } else if (pick < 930) {
                String target = failedNode().orElse(node);
                return () -> session.requeue(target, now);
            } else if (pick < 970 && reruns) {
                AgentId agent = random.nextBoolean() ? null : AgentId.values()[random.nextInt(12)];
                return () -> session.rerun(node, agent, now);
            } else if (pick < 990) {
                return () -> session.start(null, now);
            } else if (pick < 995) {
                return () -> session.cancel("c", now);
            } else {
                return () -> session.timeOut(now);
            }
        }

        private List<SessionEvent> dispatch() {
            int globalFree = 1 + random.nextInt(12);
            int ownFree = session.freeCapacity();
            var plan = DispatchPlanner.plan(List.of(session), globalFree, now);
            assertThat(plan).as(label).hasSizeLessThanOrEqualTo(Math.min(globalFree, ownFree));
            List<SessionEvent> events = new ArrayList<>();
            for (var dispatch : plan) {
                events.addAll(session.startTask(dispatch.taskId(), now));
            }
            return events;
        }

        private void issue(Supplier<List<SessionEvent>> command) {
            commands++;
            SessionSnapshot before = session.snapshot();
            List<SessionEvent> events;
            try {
                events = command.get();
            } catch (SessionConflict conflict) {
                refused++;
                assertThat(session.snapshot())
                        .as(label + ": refused command changed the session")
                        .isEqualTo(before);
                return;
            }
            for (SessionEvent event : events) {
                assertThat(event.seq()).as(label + ": seq").isEqualTo(log.size() + 1);
                assertThat(event.at()).as(label).isEqualTo(now);
                assertThat(event.sessionId()).as(label).isEqualTo(session.id());
                log.add(event);
                shadow.replay(event);
                checkAttemptLimit(event);
            }
        }

        /**
         * No run of a node — the batch's, or one a person's retry started — starts more than {@code maxAttempts}
         * attempts: neither transient failures nor restarts take it past its budget.
         */
        private void checkAttemptLimit(SessionEvent event) {
            if (event instanceof SessionEvent.TaskStarted started) {
                assertThat(shadow.task(started.nodeId()).attemptsThisRun())
                        .as(label + ": attempt " + started.attempt() + " of " + started.nodeId() + " within its run")
                        .isBetween(1, shadow.settings().maxAttempts());
            }
        }

        private void checkInvariants(String when) {
            String where = label + ", " + when;
            SessionSnapshot snapshot = session.snapshot();
            Map<NodeState, Integer> byState = new EnumMap<>(NodeState.class);
            for (NodeState state : NodeState.values()) {
                byState.put(state, 0);
            }
            snapshot.tasks().forEach(t -> byState.merge(t.state(), 1, Integer::sum));
            int queued = byState.get(NodeState.QUEUED);

            assertThat(snapshot.succeeded() + snapshot.failed() + snapshot.cancelled() + snapshot.running() + queued)
                    .as(where + ": counters add up")
                    .isEqualTo(snapshot.totalNodes());
            assertThat(snapshot.succeeded()).as(where).isEqualTo(byState.get(NodeState.SUCCEEDED));
            assertThat(snapshot.failed()).as(where).isEqualTo(byState.get(NodeState.FAILED));
            assertThat(snapshot.cancelled()).as(where).isEqualTo(byState.get(NodeState.CANCELLED));
            assertThat(snapshot.counts().queued()).as(where).isEqualTo(queued);
            assertThat(snapshot.progress().results())
                    .as(where + ": the progress holds every processed node's outcome as the session does")
                    .containsExactlyElementsOf(snapshot.tasks().stream()
                            .filter(t -> t.state().isProcessed())
                            .map(SessionRandomHistoryTest::resultOf)
                            .toList());
            assertThat(snapshot.running())
                    .as(where)
                    .isEqualTo(byState.get(NodeState.RUNNING))
                    .isEqualTo(session.runningCount());
            assertThat(snapshot.progress().peakRunning()).as(where).isGreaterThanOrEqualTo(snapshot.running());
            // a person's reruns are dispatched like any node, so they too stay within the session's limit
            assertThat(snapshot.running())
                    .as(where + ": running within max_concurrent")
                    .isLessThanOrEqualTo(snapshot.settings().maxConcurrent());
            assertThat(snapshot.progress().peakRunning())
                    .as(where)
                    .isLessThanOrEqualTo(snapshot.settings().maxConcurrent());
            long queuedReruns = snapshot.tasks().stream()
                    .filter(t -> t.state() == NodeState.QUEUED && t.rerun())
                    .count();
            assertThat(snapshot.lastSeq()).as(where).isEqualTo(log.size());
            assertThat(shadow.snapshot())
                    .as(where + ": replayed one event at a time")
                    .isEqualTo(snapshot);

            SessionState state = snapshot.state();
            switch (state) {
                case PENDING -> assertThat(queued).as(where).isEqualTo(snapshot.totalNodes());
                case RUNNING, PAUSED ->
                    assertThat(queued + snapshot.running())
                            .as(where + ": an active session has work left")
                            .isPositive();
                case CANCELLED ->
                    assertThat(queued).as(where + ": only a person's reruns").isEqualTo(queuedReruns);
                default -> {
                    assertThat(queued).as(where + ": only a person's reruns").isEqualTo(queuedReruns);
                    if (snapshot.running() == 0 && queued == 0) {
                        assertThat(state == finalRule(snapshot)
                                        || state == SessionState.FAILED && snapshot.batchError() != null)
                                .as(where + ": " + state + " with " + snapshot.succeeded() + " ok, " + snapshot.failed()
                                        + " failed")
                                .isTrue();
                    }
                }
            }
            assertThat(session.dispatchable(Integer.MAX_VALUE, now))
                    .as(where + ": dispatch order")
                    .isEqualTo(expectedDispatchOrder(snapshot));
        }

        /**
         * A person's reruns first, then group priority, then canvas order; only the reruns, and only until the first
         * node of the batch's own queue, while the batch is not running.
         */
        private List<String> expectedDispatchOrder(SessionSnapshot snapshot) {
            Map<Integer, Priority> priorities = new java.util.HashMap<>();
            snapshot.groups().forEach(g -> priorities.put(g.id(), g.priority()));
            boolean batchGoesOn = snapshot.state() == SessionState.RUNNING;
            return snapshot.tasks().stream()
                    .filter(t -> t.isDueAt(now))
                    .filter(t -> batchGoesOn || (t.rerun() && snapshot.state() != SessionState.PENDING))
                    .sorted(Comparator.comparing((NodeTask t) -> !t.rerun())
                            .thenComparing((NodeTask t) -> t.rerun() ? Priority.URGENT : priorities.get(t.groupId()))
                            .thenComparingInt(NodeTask::canvasOrder))
                    .map(NodeTask::nodeId)
                    .toList();
        }

        private static SessionState finalRule(SessionSnapshot snapshot) {
            if (snapshot.failed() == 0) {
                return SessionState.COMPLETED;
            }
            return snapshot.succeeded() == 0 ? SessionState.FAILED : SessionState.PARTIAL_FAILURE;
        }

        private String anyNode() {
            List<NodeTask> tasks = session.tasks();
            return random.nextInt(40) == 0
                    ? "ghost"
                    : tasks.get(random.nextInt(tasks.size())).nodeId();
        }

        private Optional<String> runningNode() {
            return pick(NodeState.RUNNING);
        }

        private Optional<String> failedNode() {
            return pick(NodeState.FAILED);
        }

        private Optional<String> pick(NodeState state) {
            List<String> matching = session.tasks().stream()
                    .filter(t -> t.state() == state)
                    .map(NodeTask::nodeId)
                    .toList();
            return matching.isEmpty() ? Optional.empty() : Optional.of(matching.get(random.nextInt(matching.size())));
        }

        private int attemptOf(String nodeId) {
            return session.hasNode(nodeId) ? session.task(nodeId).attempts() : 1;
        }

        private static Object outcome(Supplier<List<SessionEvent>> command) {
            try {
                return command.get();
            } catch (SessionConflict conflict) {
                return conflict.kind();
            }
        }
    }

    private static SessionProgress.NodeResult resultOf(NodeTask task) {
        return new SessionProgress.NodeResult(
                task.nodeId(),
                task.groupId(),
                task.text(),
                task.state() == NodeState.SUCCEEDED,
                task.agent(),
                task.notePath(),
                task.fileSize(),
                task.errorMessage(),
                task.errorType(),
                task.durationMillis(),
                task.attempts(),
                null);
    }
}
