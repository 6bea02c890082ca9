package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.Test;

/**
 * A run reads its canvas once, and the next run of that canvas reads it again, with whatever the learner changed in
 * between. A gathering ahead begun as a run started may be run by the scheduler only after that run ended: it must
 * not leave behind the canvas it reads then for the next run.
 */
class LateGatheringTest {

    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor();

    @Test
    void aFirstRoundGatheringRunAfterItsRunEndedLeavesTheNextRunTheCanvasAsTheLearnerLeftIt() {
        core.holdingGatherings = true;
        SessionId first = core.analyze(2, "a", "b");
        core.start(first);
        assertThat(core.heldGatherings)
                .as("the first round's gathering, begun as the run started")
                .isNotEmpty();
        core.useCases.cancel().cancel(first, "not now");
        List<Runnable> late = List.copyOf(core.heldGatherings);
        core.heldGatherings.clear();
        late.forEach(Runnable::run); // the scheduler runs it only now, after its run ended

        // before the next run the learner rewrites question a in the canvas
        String rewritten = "What is topic a, after all?";
        core.vault.withCanvas(new Canvas(
                CoreOnAManualExecutor.CANVAS,
                List.of(
                        CanvasNode.text("a", rewritten, "1", 0, 0, 250, 60),
                        CoreOnAManualExecutor.nodes("a", "b").get(1)),
                List.of()));
        List<String> askedAboutA = new CopyOnWriteArrayList<>();
        core.then("a", request -> {
            askedAboutA.add(request.content());
            return new AgentAnswer("# a", "scripted");
        });
        SessionId second = core.analyze(2, "a", "b");
        core.start(second);
        core.executor.runAll();

        assertThat(askedAboutA).as("the canvas as the learner left it").containsExactly(rewritten);
    }
}
