package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.Analysis;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.CanvasNotInVaultException;
import org.canvasbatch.application.port.in.TooManyPendingSessionsException;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionSettings;
import org.canvasbatch.domain.session.SessionState;
import org.junit.jupiter.api.Test;

/** Analysis: the nodes, their groups and agents, the estimate, and the limits of batches waiting to be confirmed. */
class AnalyzingCanvasTest {

    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor(CoreSettings.DEFAULT.withPendingLimits(3, 2));

    private Analysis analyze(Optional<List<CanvasNode>> nodes, AgentChoice agent, boolean autoExecute, String client) {
        nodes.ifPresent(core::holdInCanvas);
        return core.useCases
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        CoreOnAManualExecutor.CANVAS,
                        nodes,
                        Set.of(),
                        6,
                        1,
                        agent,
                        autoExecute,
                        Optional.of(2),
                        Optional.empty(),
                        client));
    }

    /**
     * A reviewer's cases: the oldest was cancelled before the new analysis had succeeded (one that failed left the
     * client a batch fewer), and a client at the server's limit was refused though it had its own batches to replace.
     */
    @Test
    void anAnalysisThatFailsReplacesNothingAndAtTheServersLimitAClientReplacesItsOwn() {
        var oldest = analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.1")
                .session()
                .id();
        analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.1");

        assertThatThrownBy(() -> core.useCases
                        .analyze()
                        .analyze(new AnalyzeCanvasCommand(
                                "missing.canvas",
                                Optional.empty(),
                                Set.of(),
                                6,
                                1,
                                AgentChoice.AUTO,
                                false,
                                Optional.empty(),
                                Optional.empty(),
                                "10.0.0.1")))
                .isInstanceOf(CanvasNotInVaultException.class);
        assertThat(core.memory.readAfter(oldest, 0, 100))
                .as("still waiting: the analysis that would have replaced it failed")
                .singleElement()
                .isInstanceOf(org.canvasbatch.domain.session.SessionEvent.SessionCreated.class);

        analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.2"); // the server's 3
        var newest = analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.1");

        assertThat(newest.session().state()).isEqualTo(SessionState.PENDING);
        assertThat(core.memory.readAfter(oldest, 0, 100).getLast())
                .isInstanceOf(org.canvasbatch.domain.session.SessionEvent.SessionCancelled.class);
    }

    /**
     * A hostile tester's case: a server started with {@code --concurrency 1} for a local model, a batch limit of one
     * minute: the preview promised "4分钟" for 145 questions with no warning, and the batch was cut at 60 s. The estimate
     * counts the calls the server really runs at once, and a batch expected to outlast its limit is warned of.
     */
    @Test
    void theEstimateRunsAsManyCallsAsTheServerAllowsAndWarnsOfABatchThatWouldOutlastItsLimit() {
        var oneAtATime = new CoreOnAManualExecutor(CoreSettings.DEFAULT
                .withGlobalConcurrency(1)
                .withSessionDefaults(SessionSettings.DEFAULT.withBatchTimeout(java.time.Duration.ofSeconds(50))));
        oneAtATime.holdInCanvas(CoreOnAManualExecutor.nodes("a", "b", "c"));

        Analysis analysis = oneAtATime
                .useCases
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        CoreOnAManualExecutor.CANVAS,
                        Optional.of(CoreOnAManualExecutor.nodes("a", "b", "c")),
                        Set.of(),
                        6,
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.of(2),
                        Optional.empty(),
                        "10.0.0.1"));

        assertThat(analysis.totalEstimatedSeconds())
                .as("three calls one after another, 20 s each, though the batch asks for two at once")
                .isEqualTo(60);
        assertThat(analysis.resourceWarning())
                .isEqualTo("at the expected pace this batch needs about 60 s, past its time limit of 50 s: the"
                        + " questions not done by then are stopped; split the canvas, or raise the limit"
                        + " (run --timeout, batch.timeout in the settings file, CANVASBATCH_BATCH_TIMEOUT)");
        assertThat(analyze(Optional.of(CoreOnAManualExecutor.nodes("a", "b", "c")), AgentChoice.AUTO, false, "10.0.0.1")
                        .resourceWarning())
                .as("within the default limit, nothing to warn of")
                .isNull();
    }

    @Test
    void theRequestsNodesBecomeAPendingSessionWithAnEstimateAndNothingStarts() {
        Analysis analysis =
                analyze(Optional.of(CoreOnAManualExecutor.nodes("a", "b", "c")), AgentChoice.AUTO, false, "10.0.0.1");

        assertThat(analysis.session().state()).isEqualTo(SessionState.PENDING);
        assertThat(analysis.session().totalNodes()).isEqualTo(3);
        assertThat(analysis.totalEstimatedSeconds())
                .as("two rounds of two calls, 20 s each")
                .isEqualTo(40);
        assertThat(analysis.groupEstimates().values().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .as("every node counted once, in its group")
                .isEqualTo(3 * 20);
        assertThat(core.executor.waiting()).isEmpty();
        assertThat(core.calls).isEmpty();
    }

    @Test
    void withoutNodesTheCanvasInTheVaultIsReadForTheQuestionColours() {
        core.withCanvas("a", "b");

        Analysis analysis = analyze(Optional.empty(), AgentChoice.AUTO, false, null);

        assertThat(analysis.session().tasks()).extracting(t -> t.nodeId()).containsExactly("a", "b");
    }

    @Test
    void aCanvasMissingFromTheVaultIsRefusedWithThePathAndTheVault() {
        assertThatThrownBy(() -> analyze(Optional.empty(), AgentChoice.AUTO, false, null))
                .isInstanceOfSatisfying(
                        CanvasNotInVaultException.class,
                        e -> assertThat(e.canvasPath()).isEqualTo(CoreOnAManualExecutor.CANVAS));
    }

    @Test
    void aNamedAgentWritesEveryNote() {
        Analysis analysis = analyze(
                Optional.of(CoreOnAManualExecutor.nodes("a", "b")),
                AgentChoice.named(AgentId.MEMORY_ANCHOR),
                false,
                null);

        assertThat(analysis.session().tasks()).extracting(t -> t.agent()).containsOnly(AgentId.MEMORY_ANCHOR);
    }

    @Test
    void anAnalysisThatStartsAtOnceRunsAndTakesNoPlaceAmongThoseWaitingForConfirmation() {
        for (int i = 0; i < 5; i++) {
            Analysis started =
                    analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, true, "10.0.0.1");
            assertThat(started.session().state()).isEqualTo(SessionState.RUNNING);
        }

        assertThat(core.executor.waiting()).hasSize(5);
        analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.1");
    }

    /**
     * The plugin's 取消 only closes its preview and it confirms only the preview it shows, so a client at its limit of
     * waiting batches has its oldest replaced by its newest (cancelled, with why) rather than be refused for half an
     * hour; the server's limit over all clients still refuses.
     */
    @Test
    void aClientPastItsLimitHasItsOldestWaitingBatchReplacedAndTheServerTakesOnlySoManyInAll() {
        var oldest = analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.1")
                .session()
                .id();
        var second = analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.1")
                .session()
                .id();

        var newest = analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.1");

        assertThat(newest.session().state()).isEqualTo(SessionState.PENDING);
        assertThat(core.memory.readAfter(oldest, 0, 100).getLast())
                .isInstanceOfSatisfying(
                        org.canvasbatch.domain.session.SessionEvent.SessionCancelled.class,
                        cancelled -> assertThat(cancelled.reason())
                                .isEqualTo("replaced by a newer batch analysed for the same client, never confirmed"));
        assertThat(core.memory.readAfter(second, 0, 100))
                .as("the newer one still waits")
                .singleElement()
                .isInstanceOf(org.canvasbatch.domain.session.SessionEvent.SessionCreated.class);
        analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.2");
        assertThatThrownBy(() ->
                        analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.3"))
                .isInstanceOfSatisfying(
                        TooManyPendingSessionsException.class,
                        e -> assertThat(e.scope()).isEqualTo(TooManyPendingSessionsException.Scope.SERVER));
    }

    @Test
    void confirmingABatchFreesItsPlace() {
        var first = analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.1");
        analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.1");

        core.start(first.session().id());

        assertThat(analyze(Optional.of(CoreOnAManualExecutor.nodes("a")), AgentChoice.AUTO, false, "10.0.0.1")
                        .session()
                        .state())
                .isEqualTo(SessionState.PENDING);
    }
}
