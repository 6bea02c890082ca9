package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
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
 * A round's answers come together, and turning each into a note, a canvas link and events takes the CPU the next
 * calls need (two cores, a fresh JVM compiling as it goes): a task whose agent answered lets the starts under way go
 * to their threads before it writes its note, so the model's slots are not left empty behind the round's notes.
 */
class NextCallsBeforeNotesTest {

    private static final String CANVAS = "study/topics.canvas";

    private final CountDownLatch startOfCArrived = new CountDownLatch(1);
    private final CountDownLatch startOfCStored = new CountDownLatch(1);
    private final AtomicReference<Map<String, String>> notesWhenCStarted = new AtomicReference<>();
    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault vault = new InMemoryVault();

    /** A journal whose append of c's start waits until the test lets it go, as an fsync behind other writes does. */
    private final ForwardingEventLog slowJournal = new ForwardingEventLog(new InMemoryEventLog()) {
        @Override
        public void append(List<SessionEvent> events) {
            if (events.stream()
                    .anyMatch(e ->
                            e instanceof TaskStarted started && started.nodeId().equals("c"))) {
                startOfCArrived.countDown();
                OneGroupCanvas.awaitRelease(startOfCStored);
                notesWhenCStarted.set(vault.notes());
            }
            super.append(events);
        }
    };

    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    slowJournal,
                    agent,
                    vault,
                    executor,
                    new TestClock(),
                    () -> new SessionId("s1"),
                    new SplittableRandom(7)),
            CoreSettings.DEFAULT.withGlobalConcurrency(2));

    @AfterEach
    void stop() {
        startOfCStored.countDown();
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void aTaskThatAnsweredWhileTheNextStartIsStoredWritesItsNoteAfterIt() throws Exception {
        CountDownLatch aAnswers = new CountDownLatch(1);
        CountDownLatch bAnswers = new CountDownLatch(1);
        agent.then("a", new ScriptedAgent.WaitFor(aAnswers));
        agent.then("b", new ScriptedAgent.WaitFor(bAnswers));
        SessionId id = OneGroupCanvas.analyze(core, vault, CANVAS, 2, "a", "b", "c");
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        core.useCases().start().start(StartSessionCommand.of(id));

        aAnswers.countDown();
        assertThat(startOfCArrived.await(10, TimeUnit.SECONDS))
                .as("a's answer freed its slot: c starts")
                .isTrue();
        bAnswers.countDown();
        // long enough for b to write its note if nothing held it back; what holds it is c's start (at most half a
        // second), not this pause: a slow machine only makes the check below weaker, never wrong
        TimeUnit.MILLISECONDS.sleep(100);
        startOfCStored.countDown();

        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(notesWhenCStarted.get())
                .as("no note of the round was written before the start its answers freed was stored")
                .isEmpty();
        assertThat(vault.notes()).hasSize(3);
    }
}
