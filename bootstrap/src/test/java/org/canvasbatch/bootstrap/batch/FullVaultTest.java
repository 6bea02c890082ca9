package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunFailedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.RunSingleNodeCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A vault whose disk is full: a batch asks the model for nothing more while notes cannot be written — the note the
 * model already wrote is held and written once there is room, the status says why the batch waits, and the batch goes
 * on by itself, each node's model asked once. A single-node retry that no session holds answers at once instead: it
 * fails with what could not be written, where and why, and the error type {@code vault_full}.
 */
class FullVaultTest {

    private static final String CANVAS = "study/topics.canvas";

    private final InMemoryEventLog log = new InMemoryEventLog();
    private final LocalTaskExecutor executor = new LocalTaskExecutor(8);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault notes = new InMemoryVault().withCanvas(new Canvas(CANVAS, nodes(), List.of()));
    private volatile boolean full = true;
    /** When positive, only this many writes find the disk full; the writes after them have room. */
    private volatile int refusedWritesOnly;

    private final java.util.concurrent.atomic.AtomicInteger refusedWrites =
            new java.util.concurrent.atomic.AtomicInteger();
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
            if (!full || (refusedWritesOnly > 0 && refusedWrites.get() >= refusedWritesOnly)) {
                return notes.writeNote(draft);
            }
            refusedWrites.incrementAndGet();
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
    void aBatchHoldsItsNoteAsksTheModelNothingMoreAndGoesOnOnceThereIsRoom() {
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
        List<StorageProblem> notices = new CopyOnWriteArrayList<>();
        core.useCases().subscriptions().onStorageProblem(id, notices::add);
        core.useCases().start().start(StartSessionCommand.of(id));

        awaitTrue(() -> !notices.isEmpty() && refusedWrites.get() >= 3, "the watchers told, the note tried again");

        assertThat(notices.getFirst().message())
                .matches("Cannot write the note 'study/topics-notes/What is [a-h]\\? \\([a-z-]+\\)\\.md': no space left"
                        + " on device");
        // calls begun before the vault said it is full may finish (the slot is the call's alone); none begins after
        List<String> callsWhileFull = agent.calls();
        awaitTrue(() -> refusedWrites.get() >= 6, "the held notes tried again");
        assertThat(agent.calls())
                .as("no model call while the vault is full")
                .isEqualTo(callsWhileFull)
                .hasSizeLessThan(nodes().size());
        assertThat(core.useCases().status().storageProblem(id)).isPresent();
        assertThat(core.useCases().status().status(id).state()).isEqualTo(SessionState.RUNNING);
        assertThat(events.events()).noneMatch(TaskFailed.class::isInstance);

        full = false;
        events.await(SessionFinished.class);

        assertThat(core.useCases().status().status(id).state()).isEqualTo(SessionState.COMPLETED);
        for (CanvasNode node : nodes()) {
            assertThat(agent.callsOf(node.id()))
                    .as("node %s: a held note is written, not asked for again", node.id())
                    .isEqualTo(1);
        }
        assertThat(notes.notes()).hasSize(nodes().size());
        assertThat(core.useCases().status().storageProblem(id)).isEmpty();
    }

    @Test
    void aNoteHeldForRoomIsNotWrittenIntoTheVaultAfterTheLearnerCancelledTheBatch() throws Exception {
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
        List<StorageProblem> notices = new CopyOnWriteArrayList<>();
        core.useCases().subscriptions().onStorageProblem(id, notices::add);
        core.useCases().start().start(StartSessionCommand.of(id));
        awaitTrue(() -> !notices.isEmpty() && refusedWrites.get() >= 2, "a note held for room");

        // the learner sees "no space left on device" and cancels the batch; then frees some space
        core.useCases().cancel().cancel(id, "cancelled by request");
        full = false;
        awaitTrue(() -> core.storageProblem().isEmpty(), "the outage over, what was held written or dropped");
        Thread.sleep(100);

        var tasks = core.useCases().status().status(id).tasks();
        long succeeded = tasks.stream()
                .filter(t -> t.state() == org.canvasbatch.domain.session.NodeState.SUCCEEDED)
                .count();
        assertThat(notes.notes())
                .as("the notes in the vault are the questions the plugin's summary lists as done, no others")
                .hasSize((int) succeeded);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(
                    Duration.ofMillis(5).toNanos());
        }
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

    @Test
    void aNoteTheFullVaultRefusesAgainAfterItsOutageEndedIsStillWrittenAndTheBatchEnds() {
        // the note's write and its first retry find the disk full; the outage the first refusal started has ended
        // (nothing was held yet) before the note is handed over to be held
        refusedWritesOnly = 2;
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
        core.useCases().subscriptions().subscribe(id, events::accept);
        core.useCases().subscriptions().onStorageProblem(id, problem -> awaitOutageOver(core));
        core.useCases().start().start(StartSessionCommand.of(id));

        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(notes.notes()).as("every note written, the refused one too").hasSize(nodes().size());
        assertThat(agent.calls()).as("the model asked once a node").hasSize(nodes().size());
    }

    private static void awaitOutageOver(CanvasBatchCore core) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (core.storageProblem().isPresent() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private CanvasBatchCore core() {
        return new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        log,
                        agent,
                        fullVault,
                        executor,
                        new TestClock(),
                        () -> new SessionId("full-1"),
                        new SplittableRandom(7)),
                CoreSettings.DEFAULT.withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50)));
    }

    private static List<CanvasNode> nodes() {
        return List.of(
                CanvasNode.text("a", "What is a?", "1", 0, 0, 250, 60),
                CanvasNode.text("b", "What is b?", "1", 0, 100, 250, 60),
                CanvasNode.text("c", "What is c?", "1", 0, 200, 250, 60),
                CanvasNode.text("d", "What is d?", "1", 0, 300, 250, 60),
                CanvasNode.text("e", "What is e?", "1", 0, 400, 250, 60),
                CanvasNode.text("f", "What is f?", "1", 0, 500, 250, 60),
                CanvasNode.text("g", "What is g?", "1", 0, 600, 250, 60),
                CanvasNode.text("h", "What is h?", "1", 0, 700, 250, 60));
    }
}
