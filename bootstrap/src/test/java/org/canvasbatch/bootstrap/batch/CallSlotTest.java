package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A concurrency slot belongs to the agent call alone (issue 12): the next node's call starts the moment the previous
 * agent answers, while the previous note, its canvas link and its outcome's journal append are still under way; and
 * still no outcome reaches a watcher before the journal holds it.
 */
class CallSlotTest {

    private static final String CANVAS = "study/topics.canvas";
    private static final String NOTE_OF_A = "study/topics-notes/What is topic a (oral-explanation).md";

    private final CountDownLatch releaseNoteOfA = new CountDownLatch(1);
    private final CountDownLatch noteOfAStarted = new CountDownLatch(1);
    private final CountDownLatch releaseOutcomeOfA = new CountDownLatch(1);
    private final CountDownLatch outcomeOfAArrived = new CountDownLatch(1);
    private final InMemoryEventLog memory = new InMemoryEventLog();
    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault notes = new InMemoryVault();
    private final AtomicInteger sessions = new AtomicInteger();
    private volatile boolean blockNoteOfA;
    private volatile boolean blockOutcomeOfA;

    /** A vault whose write of node a's note waits until the test lets it go, as a slow or stalled disk would. */
    private final Vault slowVault = new Vault() {
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
            if (blockNoteOfA && draft.nodeId().equals("a")) {
                noteOfAStarted.countDown();
                OneGroupCanvas.awaitRelease(releaseNoteOfA);
            }
            return notes.writeNote(draft);
        }
    };

    /** A journal whose append of node a's outcome waits until the test lets it go, as a slow fsync would. */
    private final ForwardingEventLog slowJournal = new ForwardingEventLog(memory) {
        @Override
        public void append(List<SessionEvent> events) {
            if (blockOutcomeOfA
                    && events.stream()
                            .anyMatch(e ->
                                    e instanceof TaskSucceeded s && s.nodeId().equals("a"))) {
                outcomeOfAArrived.countDown();
                OneGroupCanvas.awaitRelease(releaseOutcomeOfA);
            }
            super.append(events);
        }
    };

    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    slowJournal,
                    agent,
                    slowVault,
                    executor,
                    new TestClock(),
                    () -> new SessionId("s" + sessions.incrementAndGet()),
                    new SplittableRandom(7)),
            CoreSettings.DEFAULT.withGlobalConcurrency(1));

    @AfterEach
    void stop() {
        releaseNoteOfA.countDown();
        releaseOutcomeOfA.countDown();
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void theNextAgentCallStartsWhileThePreviousNoteIsStillBeingWritten() throws Exception {
        blockNoteOfA = true;
        CountDownLatch bCalled = agent.calledTimes("b", 1);
        SessionId id = analyzeOneGroup("a", "b", "c");
        EventRecorder events = record(id);
        start(id);
        assertThat(noteOfAStarted.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(bCalled.await(10, TimeUnit.SECONDS))
                .as("with one slot, b's agent is called while a's note is still being written")
                .isTrue();
        assertThat(events.events())
                .noneMatch(e -> e instanceof TaskSucceeded s && s.nodeId().equals("a"));
        assertThat(notes.notes()).doesNotContainKey(NOTE_OF_A);

        releaseNoteOfA.countDown();
        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(notes.notes()).hasSize(3);
        var progress = core.useCases().status().status(id).progress();
        assertThat(progress.peakRunning())
                .as("never more than one agent call at once, though a was still running as b started")
                .isEqualTo(1);
        assertThat(agent.peakInFlight()).isEqualTo(1);
    }

    @Test
    void anOutcomeReachesNoWatcherBeforeTheJournalHoldsItThoughTheNextCallHasStarted() throws Exception {
        CountDownLatch aMayAnswer = new CountDownLatch(1);
        agent.then("a", new ScriptedAgent.WaitFor(aMayAnswer));
        CountDownLatch bCalled = agent.calledTimes("b", 1);
        SessionId id = analyzeOneGroup("a", "b");
        EventRecorder events = record(id);
        start(id);
        // held only once confirm has returned: the append holds the session's lock, which confirm's answer reads
        blockOutcomeOfA = true;
        aMayAnswer.countDown();
        assertThat(outcomeOfAArrived.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(bCalled.await(10, TimeUnit.SECONDS))
                .as("b's call waits neither for a's note nor for a's journal append")
                .isTrue();
        assertThat(notes.notes()).as("a's note is written").containsKey(NOTE_OF_A);
        assertThat(events.events())
                .as("a's outcome is not published while its append has not returned")
                .noneMatch(e -> e instanceof TaskSucceeded s && s.nodeId().equals("a"));
        assertThat(memory.readAfter(id, 0, 100))
                .noneMatch(e -> e instanceof TaskSucceeded s && s.nodeId().equals("a"));

        releaseOutcomeOfA.countDown();
        events.await(TaskSucceeded.class, e -> e.nodeId().equals("a"));
        assertThat(memory.readAfter(id, 0, 100))
                .as("published only once appended")
                .anyMatch(e -> e instanceof TaskSucceeded s && s.nodeId().equals("a"));
        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
    }

    private SessionId analyzeOneGroup(String... ids) {
        return OneGroupCanvas.analyze(core, notes, CANVAS, 1, ids);
    }

    private EventRecorder record(SessionId id) {
        EventRecorder recorder = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, recorder::accept);
        return recorder;
    }

    private void start(SessionId id) {
        core.useCases().start().start(StartSessionCommand.of(id));
    }
}
