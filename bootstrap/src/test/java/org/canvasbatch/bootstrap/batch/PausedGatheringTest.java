package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.TextEmbedder;
import org.canvasbatch.application.port.out.VaultPassage;
import org.canvasbatch.application.port.out.VaultPassages;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.ScriptedAgent.WaitFor;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a node's agent is asked is gathered while the call before it runs; a learner who pauses the batch and edits
 * the vault meanwhile gets the node asked about the vault as it is when the node starts, not as it was before the pause.
 */
class PausedGatheringTest {

    private static final String CANVAS = "study/topics.canvas";

    private final LocalTaskExecutor executor = new LocalTaskExecutor(8);
    private final ScriptedAgent agent = new ScriptedAgent();
    private final InMemoryVault vault = new InMemoryVault();
    /** What the learner's note about b says now; the vault's search finds it for b. */
    private final AtomicReference<String> noteAboutB = new AtomicReference<>("Photosynthesis needs no light.");

    private final VaultPassages passages = query -> query.nodeId().equals("b")
            ? List.of(
                    new VaultPassage("Biology/Light.md", "Light", "Light", noteAboutB.get(), VaultPassage.Origin.NOTE))
            : List.of();

    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    new InMemoryEventLog(),
                    agent,
                    vault,
                    executor,
                    new TestClock(),
                    () -> new SessionId("s1"),
                    new SplittableRandom(7),
                    TextEmbedder.none(),
                    passages),
            CoreSettings.DEFAULT);

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void aNodeStartedAfterAPauseIsAskedAboutTheVaultAsTheLearnerLeftIt() throws Exception {
        CountDownLatch aAnswers = new CountDownLatch(1);
        agent.then("a", new WaitFor(aAnswers));
        CountDownLatch aCalled = agent.calledTimes("a", 1);
        SessionId id = analyze("a", "b");
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        core.useCases().start().start(StartSessionCommand.of(id));
        assertThat(aCalled.await(10, TimeUnit.SECONDS)).isTrue();

        core.useCases().pause().pause(id, "user request");
        aAnswers.countDown();
        events.await(TaskSucceeded.class, e -> e.nodeId().equals("a"));
        noteAboutB.set("Photosynthesis turns light into sugar."); // the learner corrects the note while paused
        core.useCases().resume().resume(id, "user request");
        events.await(SessionFinished.class);

        assertThat(agent.requests())
                .filteredOn(request -> request.nodeId().equals("b"))
                .singleElement()
                .extracting(AgentRequest::context)
                .satisfies(context -> assertThat(context.vaultPassages())
                        .extracting(VaultPassage::excerpt)
                        .containsExactly("Photosynthesis turns light into sugar."));
    }

    private SessionId analyze(String... ids) {
        return OneGroupCanvas.analyze(core, vault, CANVAS, 1, ids);
    }
}
