package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node whose agent has answered holds no slot while it writes its note (issue 12). When its batch is cancelled in
 * that moment, the node stops running, but its note may still be on its way to a slow disk: the session's own limit
 * must then count the calls that really are in flight, so that a learner's reruns after the cancel still go one at a
 * time in a batch set to one call at a time.
 */
class CancelledAnswerSlotsTest {

    private static final String CANVAS = "study/topics.canvas";

    private final CountDownLatch noteOfAStarted = new CountDownLatch(1);
    private final CountDownLatch releaseNoteOfA = new CountDownLatch(1);
    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault notes = new InMemoryVault();

    /** A vault whose write of a's note neither ends nor stops for an interrupt until the test lets it go: a slow disk. */
    private final Vault slowDisk = new Vault() {
        @Override
        public Canvas readCanvas(String canvasPath) throws VaultException {
            return notes.readCanvas(canvasPath);
        }

        @Override
        public boolean canvasExists(String canvasPath) {
            return notes.canvasExists(canvasPath);
        }

        @Override
        public String contentOf(String canvasPath, CanvasNode node) throws VaultException {
            return notes.contentOf(canvasPath, node);
        }

        @Override
        public WrittenNote writeNote(NoteDraft draft) throws VaultException {
            if (draft.nodeId().equals("a") && noteOfAStarted.getCount() > 0) {
                noteOfAStarted.countDown();
                boolean interrupted = false;
                while (true) {
                    try {
                        if (!releaseNoteOfA.await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the test never let a's note go");
                        }
                        break;
                    } catch (InterruptedException stopped) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return notes.writeNote(draft);
        }
    };

    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    new InMemoryEventLog(),
                    agent,
                    slowDisk,
                    executor,
                    new TestClock(),
                    () -> new SessionId("s1"),
                    new SplittableRandom(7)),
            CoreSettings.DEFAULT.withGlobalConcurrency(4));

    @AfterEach
    void stop() {
        releaseNoteOfA.countDown();
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void rerunsAfterACancelGoOneAtATimeWhileACancelledNodeStillWritesItsNote() throws Exception {
        Semaphore rerunsMayAnswer = new Semaphore(0);
        agent.then("b", new ScriptedAgent.Hang());
        agent.then("b", new ScriptedAgent.WaitForPermit(rerunsMayAnswer));
        agent.then("c", new ScriptedAgent.WaitForPermit(rerunsMayAnswer));
        CountDownLatch bCalled = agent.calledTimes("b", 1);
        SessionId id = OneGroupCanvas.analyze(core, notes, CANVAS, 1, "a", "b", "c");
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        core.useCases().start().start(StartSessionCommand.of(id));
        assertThat(noteOfAStarted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(bCalled.await(10, TimeUnit.SECONDS))
                .as("a's answer freed the batch's one slot for b")
                .isTrue();

        core.useCases().cancel().cancel(id, "the learner stopped it");
        EventRecorder.awaitCondition(
                () -> agent.interruptedCalls().contains("b") && executor.runningCount() == 1,
                "b's call is stopped and only a's note is still being written");

        core.useCases().retryNode().retry(id, "b");
        EventRecorder.awaitCondition(() -> agent.callsOf("b") == 2, "b's rerun is with the agent");
        core.useCases().retryNode().retry(id, "c");

        assertThat(taskOf(id, "c").state())
                .as("the batch runs one call at a time: c waits while b's rerun is with the agent")
                .isEqualTo(NodeState.QUEUED);

        releaseNoteOfA.countDown();
        rerunsMayAnswer.release(2);
        events.await(TaskSucceeded.class, e -> e.nodeId().equals("c"));
        assertThat(agent.peakInFlight()).as("never two calls at once").isEqualTo(1);
    }

    private NodeTask taskOf(SessionId id, String nodeId) {
        return core.useCases().status().status(id).tasks().stream()
                .filter(t -> t.nodeId().equals(nodeId))
                .findFirst()
                .orElseThrow();
    }
}
