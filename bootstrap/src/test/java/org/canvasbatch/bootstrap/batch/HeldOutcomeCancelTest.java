package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The journal refuses a node's outcome once (a disk that hiccups): its note is in the vault and its outcome is held
 * until the journal's next try. A cancel that the journal stores before that try must not make the plugin's summary
 * list the question as never processed while its note is in the vault and linked into the canvas.
 */
class HeldOutcomeCancelTest {

    private final AtomicBoolean refuseNextOutcome = new AtomicBoolean(true);
    private final ForwardingEventLog hiccup = new ForwardingEventLog(new InMemoryEventLog()) {
        @Override
        public void append(List<SessionEvent> events) {
            if (events.stream().anyMatch(TaskSucceeded.class::isInstance) && refuseNextOutcome.getAndSet(false)) {
                throw new EventLogException("could not store events: input/output error");
            }
            super.append(events);
        }
    };

    private final LocalTaskExecutor executor = new LocalTaskExecutor(8);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault vault = new InMemoryVault();
    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    hiccup, agent, vault, executor, Instant::now, () -> new SessionId("s1"), new SplittableRandom(7)),
            CoreSettings.DEFAULT.withRetryBackoff(Duration.ofMillis(800), Duration.ofSeconds(2)));

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void aNoteWhoseOutcomeIsHeldWhenTheBatchIsCancelledIsListedAsDone() throws Exception {
        CountDownLatch bMayAnswer = new CountDownLatch(1);
        agent.then("b", new ScriptedAgent.WaitFor(bMayAnswer));
        SessionId id = OneGroupCanvas.analyze(core, vault, "study/topics.canvas", 2, "a", "b");
        core.useCases().start().start(StartSessionCommand.of(id));
        EventRecorder.awaitCondition(
                () -> core.storageProblem().map(p -> p.heldWrites() == 1).orElse(false),
                "a's note written, its refused outcome held");

        core.useCases().cancel().cancel(id, "cancelled by request");
        bMayAnswer.countDown();
        EventRecorder.awaitCondition(() -> core.storageProblem().isEmpty(), "the journal takes events again");

        assertThat(vault.notes()).as("a's note is in the vault").hasSize(1);
        assertThat(core.useCases().status().status(id).tasks())
                .filteredOn(t -> t.nodeId().equals("a"))
                .singleElement()
                .extracting(t -> t.state())
                .as("the question whose note is in the vault is listed as done")
                .isEqualTo(NodeState.SUCCEEDED);
    }
}
