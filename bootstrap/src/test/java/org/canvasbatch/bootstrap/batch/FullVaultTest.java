package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
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
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A vault whose disk is full fails each node with what could not be written, where and why, as the file vault says
 * it, and with the error type {@code vault_full} that the status, {@code task_failed} and the single-node retry carry.
 */
class FullVaultTest {

    private static final String CANVAS = "study/topics.canvas";

    private final InMemoryEventLog log = new InMemoryEventLog();
    private final LocalTaskExecutor executor = new LocalTaskExecutor(8);
    private final InMemoryVault notes = new InMemoryVault().withCanvas(new Canvas(CANVAS, nodes(), List.of()));
    private final Vault fullVault = new Vault() {
        @Override
        public Canvas readCanvas(String canvasPath) {
            return notes.readCanvas(canvasPath);
        }

        @Override
        public boolean canvasExists(String canvasPath) {
            return notes.canvasExists(canvasPath);
        }

        @Override
        public String contentOf(String canvasPath, CanvasNode node) {
            return notes.contentOf(canvasPath, node);
        }

        @Override
        public WrittenNote writeNote(NoteDraft draft) {
            String path = "study/topics-notes/" + draft.nodeText() + " ("
                    + draft.agent().wireName() + ").md";
            throw new VaultException(
                    VaultException.Reason.FULL, path, "Cannot write the note '" + path + "': no space left on device.");
        }
    };

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void eachNodeFailsWithWhatWhereAndWhyAndTheTypeVaultFull() {
        CanvasBatchCore core = core();
        SessionId id = core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        CANVAS,
                        Optional.of(nodes()),
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
        core.useCases().subscriptions().subscribe(id, events::accept).snapshot();
        core.useCases().start().start(StartSessionCommand.of(id));
        events.await(SessionFinished.class);

        TaskFailed failed = events.await(TaskFailed.class, e -> e.nodeId().equals("a"));
        assertThat(failed.errorType()).isEqualTo("vault_full");
        assertThat(failed.errorMessage())
                .isEqualTo("Cannot write the note 'study/topics-notes/What is a? (oral-explanation).md': no space left"
                        + " on device.");
        NodeTask task = core.useCases().status().status(id).task("b").orElseThrow();
        assertThat(task.errorType()).isEqualTo("vault_full");
        assertThat(task.errorMessage()).endsWith("': no space left on device.");
    }

    @Test
    void aSingleNodeRetryOnAFullVaultSaysSoToo() {
        CanvasBatchCore core = core();
        notes.withCanvas(new Canvas(CANVAS, nodes(), List.of()));

        NodeRunFailedException failure = catchThrowableOfType(
                NodeRunFailedException.class,
                () -> core.useCases()
                        .runSingleNode()
                        .run(new RunSingleNodeCommand(CANVAS, "a", Optional.empty(), Optional.empty())));

        assertThat(failure.errorType()).isEqualTo("vault_full");
        assertThat(failure.getMessage()).endsWith("': no space left on device.");
    }

    private CanvasBatchCore core() {
        return new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        log,
                        new ScriptedAgent(),
                        fullVault,
                        executor,
                        new TestClock(),
                        () -> new SessionId("full-1"),
                        new SplittableRandom(7)),
                CoreSettings.DEFAULT);
    }

    private static List<CanvasNode> nodes() {
        return List.of(
                CanvasNode.text("a", "What is a?", "1", 0, 0, 250, 60),
                CanvasNode.text("b", "What is b?", "1", 0, 100, 250, 60));
    }
}
