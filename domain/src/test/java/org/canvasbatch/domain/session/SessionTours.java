package org.canvasbatch.domain.session;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.canvasbatch.domain.agent.AgentId;

/**
 * Scripted walks through a session's life that, between them, use every command and emit every kind of event. Each
 * step is one command issued at its own second, so its events must all carry that second.
 */
final class SessionTours {

    private SessionTours() {}

    record Step(String name, Function<TrackedSession, List<SessionEvent>> command) {
        @Override
        public String toString() {
            return name;
        }
    }

    record Tour(String name, Supplier<TrackedSession> setUp, List<Step> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Tour> all() {
        return List.of(rerunToCompletion(), timeOut(), cancelThenRerun(), restarts());
    }

    /** Priorities, retries, a requeue, a pause, a partial failure turned into completion by a rerun. */
    static Tour rerunToCompletion() {
        return new Tour(
                "retries, requeue, pause, rerun to completion",
                () -> TrackedSession.plan()
                        .nodes(1, "a", "b")
                        .nodes(2, "c", "d")
                        .create(),
                List.of(
                        new Step("raise group 2 before the start", t -> t.changePriority(2, Priority.HIGH)),
                        new Step("start", TrackedSession::start),
                        new Step("start c", t -> t.startTask("c")),
                        new Step(
                                "c fails transiently",
                                t -> t.failTransiently("c", t.now().plusSeconds(5))),
                        new Step("start d", t -> t.startTask("d")),
                        new Step("d fails", t -> t.fail("d")),
                        new Step("requeue d", t -> t.requeue("d")),
                        new Step("start a", t -> t.startTask("a")),
                        new Step("pause", TrackedSession::pause),
                        new Step("a succeeds while paused", t -> t.succeed("a")),
                        new Step("lower group 2 while paused", t -> t.changePriority(2, Priority.LOW)),
                        new Step("resume", TrackedSession::resume),
                        new Step("start b", t -> t.startTask("b")),
                        new Step("b fails", t -> t.fail("b")),
                        new Step("start d again", t -> t.startTask("d")),
                        new Step("d succeeds", t -> t.succeed("d")),
                        new Step("start c at its retry time", t -> {
                            t.advanceTo(t.task("c").retryAt().minusSeconds(1));
                            return t.startTask("c");
                        }),
                        new Step("c succeeds: partial failure", t -> t.succeed("c")),
                        new Step("rerun b with another agent", t -> t.requestRerun("b", AgentId.EXAMPLE_TEACHING)),
                        new Step("start b's rerun", t -> t.startTask("b")),
                        new Step("b succeeds: completed", t -> t.succeed("b"))));
    }

    /** The batch timeout with nodes running, waiting for a retry and queued. */
    static Tour timeOut() {
        return new Tour(
                "timeout",
                () -> TrackedSession.plan()
                        .nodes(1, "a", "b", "c")
                        .nodes(2, "d")
                        .create(),
                List.of(
                        new Step("start", TrackedSession::start),
                        new Step("start a", t -> t.startTask("a")),
                        new Step("a succeeds", t -> t.succeed("a")),
                        new Step("start b", t -> t.startTask("b")),
                        new Step("start c", t -> t.startTask("c")),
                        new Step(
                                "c fails transiently",
                                t -> t.failTransiently("c", t.now().plusSeconds(30))),
                        new Step("time out", TrackedSession::timeOut),
                        new Step("rerun d after the timeout", t -> t.requestRerun("d", null)),
                        new Step("start d's rerun", t -> t.startTask("d")),
                        new Step("d succeeds: re-judged", t -> t.succeed("d"))));
    }

    /** Restarts with nodes running: requeued while attempts remain, failed as interrupted on the last one. */
    static Tour restarts() {
        return new Tour(
                "restarts",
                () -> TrackedSession.withNodes("a", "b"),
                List.of(
                        new Step("start", TrackedSession::start),
                        new Step("start a", t -> t.startTask("a")),
                        new Step(
                                "a fails transiently",
                                t -> t.failTransiently("a", t.now().plusSeconds(2))),
                        new Step("start b", t -> t.startTask("b")),
                        new Step("restart: b requeued", TrackedSession::restart),
                        new Step("start a again", t -> {
                            t.advanceTo(t.task("a").retryAt());
                            return t.startTask("a");
                        }),
                        new Step("restart: a requeued", TrackedSession::restart),
                        new Step("start a a third time", t -> t.startTask("a")),
                        new Step("restart: a fails, its last attempt interrupted", TrackedSession::restart),
                        new Step("start b again", t -> t.startTask("b")),
                        new Step("b succeeds: partial failure", t -> t.succeed("b"))));
    }

    /** A cancel with work in flight, then a person's rerun of a cancelled node. */
    static Tour cancelThenRerun() {
        return new Tour(
                "cancel, then rerun",
                () -> TrackedSession.withNodes("a", "b", "c"),
                List.of(
                        new Step("start", TrackedSession::start),
                        new Step("start a", t -> t.startTask("a")),
                        new Step("start b", t -> t.startTask("b")),
                        new Step("b succeeds", t -> t.succeed("b")),
                        new Step("cancel", TrackedSession::cancel),
                        new Step("rerun a", t -> t.requestRerun("a", null)),
                        new Step("start a's rerun", t -> t.startTask("a")),
                        new Step("a fails", t -> t.fail("a")),
                        new Step("rerun c", t -> t.requestRerun("c", AgentId.MEMORY_ANCHOR)),
                        new Step("start c's rerun", t -> t.startTask("c")),
                        new Step("c succeeds", t -> t.succeed("c"))));
    }
}
