package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.TooManyPendingSessionsException;
import org.canvasbatch.application.port.in.TooManyPendingSessionsException.Scope;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The limits of sessions waiting for confirmation, in the core that owns them: over the server (a client's own is
 * {@code AnalyzingCanvasTest}'s),
 * {@code Retry-After} as the time until the oldest expires, and a place freed by expiry, by a failed analysis, and
 * counted again for sessions recovered from the journal.
 */
class PendingLimitScenariosTest {

    private final InMemoryEventLog log = new InMemoryEventLog();
    private final LocalTaskExecutor executor = new LocalTaskExecutor(8);
    private final TestClock clock = new TestClock();
    private final AtomicInteger ids = new AtomicInteger();
    private final CoreSettings settings = CoreSettings.DEFAULT.withPendingLimits(3, 2);

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    private CanvasBatchCore core() {
        return new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        log,
                        new ScriptedAgent(),
                        new InMemoryVault()
                                .withCanvas(new Canvas("a.canvas", List.of(), List.of()))
                                .withCanvas(new Canvas("b.canvas", List.of(), List.of()))
                                .withCanvas(new Canvas("c.canvas", List.of(), List.of()))
                                .withCanvas(new Canvas("d.canvas", List.of(), List.of())),
                        executor,
                        clock,
                        () -> new SessionId("p" + ids.incrementAndGet()),
                        new SplittableRandom(7)),
                settings);
    }

    private static AnalyzeCanvasCommand from(String client, String canvas) {
        return new AnalyzeCanvasCommand(
                canvas,
                Optional.of(List.of(CanvasNode.text("n1", "What is a set?", "1", 0, 0, 250, 60))),
                Set.of(),
                1,
                1,
                AgentChoice.AUTO,
                false,
                Optional.empty(),
                Optional.empty(),
                client);
    }

    @Test
    void retryAfterIsTheTimeUntilTheOldestExpiresAndExpiryFreesThePlace() {
        CanvasBatchCore core = core();
        core.useCases().analyze().analyze(from("10.0.0.1", "a.canvas"));
        clock.advance(Duration.ofMinutes(10));
        core.useCases().analyze().analyze(from("10.0.0.2", "b.canvas"));
        core.useCases().analyze().analyze(from("10.0.0.3", "c.canvas"));

        assertThatThrownBy(() -> core.useCases().analyze().analyze(from("10.0.0.4", "d.canvas")))
                .isInstanceOfSatisfying(TooManyPendingSessionsException.class, e -> {
                    assertThat(e.scope()).isEqualTo(Scope.SERVER);
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(20));
                });

        clock.advance(Duration.ofMinutes(20));
        assertThat(core.sweepExpired()).hasSize(1);
        assertThat(core.useCases()
                        .analyze()
                        .analyze(from("10.0.0.4", "d.canvas"))
                        .session()
                        .canvasPath())
                .isEqualTo("d.canvas");
    }

    @Test
    void aFailedAnalysisGivesItsPlaceBack() {
        CanvasBatchCore core = core();
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> core.useCases()
                            .analyze()
                            .analyze(new AnalyzeCanvasCommand(
                                    "missing.canvas",
                                    Optional.empty(),
                                    Set.of(),
                                    1,
                                    1,
                                    AgentChoice.AUTO,
                                    false,
                                    Optional.empty(),
                                    Optional.empty(),
                                    "10.0.0.2")))
                    .isNotInstanceOf(TooManyPendingSessionsException.class);
        }

        core.useCases().analyze().analyze(from("10.0.0.2", "a.canvas"));
        core.useCases().analyze().analyze(from("10.0.0.2", "b.canvas"));
    }

    /**
     * Recovered batches belong to no client, and count for the server. A tester restarted a server whose only place
     * held the plugin's own preview: every analysis was refused for half an hour. At the server's limit a client's
     * analysis replaces the oldest recovered one; a caller without an address is still refused.
     */
    @Test
    void pendingSessionsRecoveredFromTheJournalCountForTheServerAndTheOldestIsReplacedByAClient() {
        CanvasBatchCore before = core();
        var oldest = before.useCases()
                .analyze()
                .analyze(from("10.0.0.3", "a.canvas"))
                .session()
                .id();
        clock.advance(Duration.ofMinutes(1));
        before.useCases().analyze().analyze(from("10.0.0.4", "b.canvas"));
        before.useCases().analyze().analyze(from(null, "c.canvas"));

        CanvasBatchCore after = core();
        after.recover();

        assertThatThrownBy(() -> after.useCases().analyze().analyze(from(null, "d.canvas")))
                .isInstanceOfSatisfying(TooManyPendingSessionsException.class, e -> {
                    assertThat(e.scope()).isEqualTo(Scope.SERVER);
                    assertThat(e.retryAfter())
                            .as("until the oldest expires, recovered ones counted")
                            .isEqualTo(Duration.ofMinutes(29));
                });
        assertThat(after.useCases()
                        .analyze()
                        .analyze(from("10.0.0.5", "d.canvas"))
                        .session()
                        .canvasPath())
                .isEqualTo("d.canvas");
        assertThat(log.readAfter(oldest, 0, 100).getLast())
                .isInstanceOf(org.canvasbatch.domain.session.SessionEvent.SessionCancelled.class);
    }
}
