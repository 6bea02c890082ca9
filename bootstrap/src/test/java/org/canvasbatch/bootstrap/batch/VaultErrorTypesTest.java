package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunFailedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.RunSingleNodeCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One failure of the vault, one {@code error_type}, whichever way the node ran: in a batch ({@code task_failed} and
 * the status), as a person's rerun of a node of the batch, and as a single-node run of a node no session holds. A full
 * disk is not such a failure in a batch: its notes are held until there is room (FullVaultTest).
 */
class VaultErrorTypesTest {

    private static final String CANVAS = "study/topics.canvas";

    private final LocalTaskExecutor executor = new LocalTaskExecutor(8);

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @EnumSource(value = Reason.class, names = "FULL", mode = EnumSource.Mode.EXCLUDE)
    void aBatchNodeARerunAndALooseSingleNodeRunNameTheSameFailureAlike(Reason reason) {
        InMemoryVault canvases = new InMemoryVault().withCanvas(new Canvas(CANVAS, nodes(), List.of()));
        CanvasBatchCore core = core(refusingNotes(canvases, reason));
        SessionId id = core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        CANVAS,
                        Optional.of(nodes().subList(0, 2)),
                        Set.of(),
                        1,
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.of(1),
                        Optional.empty()))
                .session()
                .id();
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        core.useCases().start().start(StartSessionCommand.of(id));
        events.await(SessionFinished.class);

        String inTheBatch =
                events.await(TaskFailed.class, e -> e.nodeId().equals("a")).errorType();
        String inTheStatus =
                core.useCases().status().status(id).task("b").orElseThrow().errorType();
        String rerun = failureOf(core, "a");
        String loose = failureOf(core, "c");

        String expected = "vault_" + reason.name().toLowerCase(Locale.ROOT);
        assertThat(List.of(inTheBatch, inTheStatus, rerun, loose)).containsOnly(expected);
    }

    private static String failureOf(CanvasBatchCore core, String nodeId) {
        NodeRunFailedException failure = catchThrowableOfType(
                NodeRunFailedException.class,
                () -> core.useCases()
                        .runSingleNode()
                        .run(new RunSingleNodeCommand(CANVAS, nodeId, Optional.empty(), Optional.empty())));
        assertThat(failure).as("node %s failed", nodeId).isNotNull();
        return failure.errorType();
    }

    /** The in-memory vault, except that every note is refused for {@code reason}. */
    private static Vault refusingNotes(InMemoryVault canvases, Reason reason) {
        return new Vault() {
            @Override
            public Canvas readCanvas(String canvasPath) {
                return canvases.readCanvas(canvasPath);
            }

            @Override
            public boolean canvasExists(String canvasPath) {
                return canvases.canvasExists(canvasPath);
            }

            @Override
            public String contentOf(String canvasPath, CanvasNode node) {
                return canvases.contentOf(canvasPath, node);
            }

            @Override
            public WrittenNote writeNote(NoteDraft draft) {
                throw new VaultException(reason, "study/topics-notes/x.md", "Cannot write the note: " + reason);
            }
        };
    }

    private CanvasBatchCore core(Vault vault) {
        AtomicInteger ids = new AtomicInteger();
        return new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        new InMemoryEventLog(),
                        new ScriptedAgent(),
                        vault,
                        executor,
                        new TestClock(),
                        () -> new SessionId("types-" + ids.incrementAndGet()),
                        new SplittableRandom(7)),
                CoreSettings.DEFAULT);
    }

    /** a and b are the batch's; c is on the canvas but in no session. */
    private static List<CanvasNode> nodes() {
        return List.of(
                CanvasNode.text("a", "What is a?", "1", 0, 0, 250, 60),
                CanvasNode.text("b", "What is b?", "1", 0, 100, 250, 60),
                CanvasNode.text("c", "What is c?", "1", 0, 200, 250, 60));
    }
}
