package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.canvasbatch.application.batch.CoreOnAManualExecutor.permanentFailure;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.in.InvalidCommandException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunFailedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunNotFinishedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.RunSingleNodeCommand;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.SingleNodeResult;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionConflict;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.junit.jupiter.api.Test;

/**
 * Running one node again: the socket's retry queues it, the plugin's retry button waits for its outcome. The button's
 * call waits on its own thread in a real server; here every task runs inside the call ({@code runAtOnce}), so the
 * outcome is known before the call starts waiting.
 */
class RetryingNodesTest {

    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor();

    private RunSingleNodeCommand button(String nodeId, AgentId agent) {
        return new RunSingleNodeCommand(
                CoreOnAManualExecutor.CANVAS, nodeId, Optional.ofNullable(agent), Optional.empty());
    }

    /** a fails, b takes the slot; the retried a goes before c, which the batch would have started next. */
    @Test
    void theSocketsRetryPutsAFailedNodeBackAheadOfTheBatch() {
        core.then("a", permanentFailure("refused"));
        SessionId id = core.analyze(1, "a", "b", "c");
        core.start(id);
        core.executor.runNext();

        core.useCases.retryNode().retry(id, "a");
        core.executor.runAll();

        assertThat(core.calls).containsExactly("a", "b", "a", "c");
        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.COMPLETED);
    }

    @Test
    void aRetryAfterTheBatchEndedRunsTheNodeAndAnnouncesTheNewOutcome() {
        core.then("b", permanentFailure("refused"));
        SessionId id = core.analyze(1, "a", "b");
        core.start(id);
        core.executor.runAll();
        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.PARTIAL_FAILURE);

        core.useCases.retryNode().retry(id, "b");
        core.executor.runAll();

        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(core.trace(id)).endsWith("TaskSucceeded(b)", "SessionFinished(COMPLETED)");
    }

    @Test
    void theButtonRunsANodeOfASessionInThatSessionWithTheAgentAsked() {
        core.withCanvas("a");
        core.then("a", permanentFailure("refused"));
        SessionId id = core.analyze(1, "a");
        core.start(id);
        core.executor.runAll();
        core.executor.runAtOnce();

        SingleNodeResult result = core.useCases.runSingleNode().run(button("a", AgentId.MEMORY_ANCHOR));

        assertThat(result.recordedIn()).contains(id);
        assertThat(result.agent()).isEqualTo(AgentId.MEMORY_ANCHOR);
        assertThat(core.vault.notes()).containsKey(result.filePath());
        assertThat(result.filePath()).endsWith("(memory-anchor).md");
        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(core.vault.readCanvas(CoreOnAManualExecutor.CANVAS).nodes())
                .as("the note is linked into the canvas")
                .anyMatch(node -> result.filePath().equals(node.file()));
    }

    /**
     * The plugin's retry button names no session. A preview of the same canvas opened since and closed unconfirmed (a
     * pending session holding the node too), or cancelled before it was confirmed ({@code pending → cancelled}), took
     * the retry away from the batch whose summary offered it: the node ran elsewhere and the batch still listed it as
     * failed.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "preview cancelled: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void theButtonRunsTheNodeInTheBatchThatRanItNotInAPreviewNeverConfirmed(boolean previewCancelled) {
        core.withCanvas("a");
        core.then("a", permanentFailure("refused"));
        SessionId ran = core.analyze(1, "a");
        core.start(ran);
        core.executor.runAll();
        core.clock.advance(java.time.Duration.ofMinutes(1));
        SessionId preview = core.analyze(1, "a");
        if (previewCancelled) {
            core.useCases.cancel().cancel(preview, "not now");
            core.executor.runAll();
        }
        core.executor.runAtOnce();

        SingleNodeResult result = core.useCases.runSingleNode().run(button("a", null));

        assertThat(result.recordedIn()).contains(ran);
        assertThat(core.useCases.status().status(ran).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(core.useCases.status().status(preview).state())
                .isEqualTo(previewCancelled ? SessionState.CANCELLED : SessionState.PENDING);
    }

    /**
     * A plugin-truth tester's case: the retry button of one batch's summary, while a newer batch of the same canvas had
     * already written that node. The rerun was booked into the newer batch, whose window counted the node twice ("5/4
     * 节点", 108 %, "13个节点" for 12), while the batch that offered the button kept it failed.
     */
    @Test
    void theButtonRunsTheNodeInTheBatchWhereItFailedNotInANewerOneWhereItSucceeded() {
        core.withCanvas("a", "b");
        core.then("a", permanentFailure("refused"));
        SessionId failedIn = core.analyze(1, "a", "b");
        core.start(failedIn);
        core.executor.runAll();
        core.clock.advance(java.time.Duration.ofMinutes(1));
        SessionId newer = core.analyze(1, "a", "b");
        core.start(newer);
        core.executor.runAll();
        List<String> newerBefore = core.trace(newer);
        core.executor.runAtOnce();

        SingleNodeResult result = core.useCases.runSingleNode().run(button("a", null));

        assertThat(result.recordedIn()).contains(failedIn);
        assertThat(core.useCases.status().status(failedIn).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(core.trace(newer)).as("the newer batch hears nothing of it").isEqualTo(newerBefore);

        // a node that succeeded everywhere is regenerated in the newest batch, as before
        SingleNodeResult again = core.useCases.runSingleNode().run(button("b", null));
        assertThat(again.recordedIn()).contains(newer);
    }

    /**
     * A reviewer's case against the rule above: a newer batch of the canvas is running the node when the older batch's
     * button is clicked. The node must not run twice at once (contract §2.5): the call joins that run, and another agent
     * meanwhile is refused as busy. The rule had queued a second run in the older batch.
     */
    @Test
    void theButtonDoesNotRunANodeASecondTimeWhileANewerBatchRunsIt() {
        core.withCanvas("a");
        core.then("a", permanentFailure("refused"));
        SessionId failedIn = core.analyze(1, "a");
        core.start(failedIn);
        core.executor.runAll();
        core.clock.advance(java.time.Duration.ofMinutes(1));
        SessionId newer = core.analyze(1, "a");
        core.start(newer);
        assertThat(core.executor.waiting()).containsExactly(newer.value() + "/a");

        var call = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> core.useCases.runSingleNode().run(button("a", AgentId.COMPARISON_TABLE)));

        assertThat(call)
                .failsWithin(java.time.Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause()
                .isInstanceOfSatisfying(
                        SessionConflict.class,
                        conflict -> assertThat(conflict.kind()).isEqualTo(SessionConflict.Kind.NODE_BUSY));
        assertThat(core.executor.waiting()).containsExactly(newer.value() + "/a");
    }

    /** The reviewer's second case: a newer batch cancelled before it reached the node never offered the button. */
    @Test
    void theButtonRunsTheNodeInTheBatchWhereItFailedNotInANewerOneCancelledBeforeReachingIt() {
        core.withCanvas("a", "b");
        core.then("a", permanentFailure("refused"));
        SessionId failedIn = core.analyze(1, "a", "b");
        core.start(failedIn);
        core.executor.runAll();
        core.clock.advance(java.time.Duration.ofMinutes(1));
        SessionId newer = core.analyze(1, "b", "a");
        core.start(newer);
        core.useCases.cancel().cancel(newer, "wrong settings");
        core.executor.runAll();
        core.executor.runAtOnce();

        SingleNodeResult result = core.useCases.runSingleNode().run(button("a", null));

        assertThat(result.recordedIn()).contains(failedIn);
        assertThat(core.useCases.status().status(newer).state()).isEqualTo(SessionState.CANCELLED);
    }

    /**
     * A hostile tester's case: a preview cancelled before it was confirmed still held the plugin's request for a node
     * the canvas does not have, and the single-agent call ran it there, wrote its note from the request's text and
     * counted it a success of a batch that never started. Such a session is no batch: the node is read from the canvas.
     */
    @Test
    void aPreviewCancelledBeforeItWasConfirmedRunsNothingAndANodeNotInTheCanvasIsRefused() {
        SessionId preview = core.analyze(1, "a", "ghost");
        core.withCanvas("a");
        core.useCases.cancel().cancel(preview, "not now");
        core.executor.runAll();
        core.executor.runAtOnce();

        assertThatThrownBy(() -> core.useCases.runSingleNode().run(button("ghost", null)))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessageContaining("has no node 'ghost'");
        assertThatThrownBy(() -> core.useCases
                        .runSingleNode()
                        .run(new RunSingleNodeCommand(
                                CoreOnAManualExecutor.CANVAS, "ghost", Optional.empty(), Optional.of(preview))))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessageContaining("has no node 'ghost'");
        assertThat(core.vault.notes()).isEmpty();
        assertThat(core.useCases.status().status(preview).progress().session().succeeded())
                .isZero();
    }

    /**
     * Analyze leaves out a node that holds nothing to ask (its note would be named after its id); the single-agent
     * route ran one, a group without a label, and wrote "g (oral-explanation).md" (a hostile tester's finding).
     */
    @Test
    void theButtonRefusesANodeThatHoldsNothingToAskAsAnalyzeLeavesItOut() {
        core.vault.withCanvas(new org.canvasbatch.domain.canvas.Canvas(
                CoreOnAManualExecutor.CANVAS,
                List.of(
                        new org.canvasbatch.domain.canvas.CanvasNode(
                                "g", "group", null, null, null, "", "1", 0, 0, 400, 300),
                        new org.canvasbatch.domain.canvas.CanvasNode(
                                "t", "text", "  ", null, null, null, "1", 0, 400, 400, 100)),
                List.of()));
        core.executor.runAtOnce();

        for (String node : List.of("g", "t")) {
            assertThatThrownBy(() -> core.useCases.runSingleNode().run(button(node, null)))
                    .isInstanceOf(InvalidCommandException.class)
                    .hasMessageContaining("holds nothing to ask about");
        }
        assertThat(core.vault.notes()).isEmpty();
    }

    @Test
    void theButtonRunsANodeNoSessionHoldsOnItsOwn() {
        core.withCanvas("a");
        core.executor.runAtOnce();

        SingleNodeResult result = core.useCases.runSingleNode().run(button("a", null));

        assertThat(result.recordedIn()).isEmpty();
        assertThat(result.agent()).isEqualTo(AgentId.ORAL_EXPLANATION);
        assertThat(core.vault.notes()).containsKey(result.filePath());
    }

    @Test
    void theButtonSaysWhyWhenTheAgentRefusesAndWhenTheModelAsksToWaitTooLong() {
        core.withCanvas("a", "b");
        core.then("a", permanentFailure("The model refused: content policy"));
        core.then("b", request -> {
            throw AgentFailure.transientFailure("rate_limited", "Too many requests", Duration.ofHours(2));
        });
        core.executor.runAtOnce();

        assertThatThrownBy(() -> core.useCases.runSingleNode().run(button("a", null)))
                .isInstanceOfSatisfying(NodeRunFailedException.class, e -> {
                    assertThat(e.errorType()).isEqualTo("http_400");
                    assertThat(e.getMessage()).isEqualTo("The model refused: content policy");
                });
        assertThatThrownBy(() -> core.useCases.runSingleNode().run(button("b", null)))
                .isInstanceOfSatisfying(
                        NodeRunNotFinishedException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofHours(2)));
    }

    /**
     * A model server that asks a batch's node to wait past the batch's own time limit: the node fails at once with the
     * server's words, instead of waiting into the batch's timeout and ending as "the batch exceeded its timeout".
     */
    @Test
    void aNodeAskedToWaitPastTheBatchsTimeLimitFailsWithTheServersWords() {
        core.then("a", request -> {
            throw AgentFailure.transientFailure("rate_limited", "Too many requests", Duration.ofHours(2));
        });
        SessionId id = core.analyze(1, "a", "b");
        core.start(id);
        core.executor.runAll();

        assertThat(core.trace(id)).doesNotContain("TaskRetryScheduled(a)").contains("TaskFailed(a:rate_limited)");
        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.PARTIAL_FAILURE);
        assertThat(core.useCases.status().status(id).task("a").orElseThrow().errorMessage())
                .startsWith("Too many requests")
                .contains("it asked to wait an hour or more, past the batch's time limit");
    }

    /**
     * The adapters keep at most an hour of a server's Retry-After (a billion seconds overflowed the executor): such a
     * wait was reported as "it asked to wait 3600 s", which the server never said.
     */
    @Test
    void aWaitThatPassesTheTimeLimitIsReportedAsTheServerAskedIt() {
        core.then("a", request -> {
            throw AgentFailure.transientFailure("rate_limited", "Too many requests", Duration.ofMinutes(90));
        });
        core.then("b", request -> {
            throw AgentFailure.transientFailure("overloaded", "Overloaded", Duration.ofSeconds(2400));
        });
        SessionId id = core.analyze(1, "a", "b");
        core.start(id);
        core.executor.runAll();

        assertThat(core.useCases.status().status(id).task("a").orElseThrow().errorMessage())
                .contains("it asked to wait an hour or more")
                .doesNotContain("3600");
        assertThat(core.useCases.status().status(id).task("b").orElseThrow().errorMessage())
                .contains("it asked to wait 2400 s");
    }

    /** A wait the batch's time allows is still waited out, and the node run again. */
    @Test
    void aNodeAskedToWaitWithinTheBatchsTimeLimitIsRunAgainAfterIt() {
        core.then("a", request -> {
            throw AgentFailure.transientFailure("rate_limited", "Too many requests", Duration.ofSeconds(30));
        });
        SessionId id = core.analyze(1, "a");
        core.start(id);
        core.executor.runAll();

        assertThat(core.trace(id))
                .contains("TaskRetryScheduled(a)")
                .noneMatch(event -> event.startsWith("TaskFailed(a"));
        core.executor.advance(Duration.ofSeconds(31));
        core.executor.runAll();
        assertThat(core.trace(id)).contains("TaskSucceeded(a)");
    }

    @Test
    void aNodeBeingRunWithOneAgentIsNotRunWithAnotherAtTheSameTime() {
        SessionId id = core.analyze(1, "a");
        core.start(id);
        assertThat(core.executor.waiting()).containsExactly("s1/a");

        assertThatThrownBy(() -> core.useCases.runSingleNode().run(button("a", AgentId.COMPARISON_TABLE)))
                .isInstanceOfSatisfying(
                        SessionConflict.class, e -> assertThat(e.kind()).isEqualTo(SessionConflict.Kind.NODE_BUSY));
        assertThat(core.calls).isEmpty();
    }

    @Test
    void aNodeOfNoCanvasAndNoSessionIsTheCanvasPathsFault() {
        assertThatThrownBy(() -> core.useCases.runSingleNode().run(button("zz", null)))
                .isInstanceOfSatisfying(
                        InvalidCommandException.class,
                        e -> assertThat(e.errors())
                                .extracting(InvalidCommandException.FieldError::field)
                                .containsExactly("canvas_path"));
    }
}
