package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Grouping reads only the beginning of a long question (its cost grows with the words it reads), but the session
 * keeps the whole question: the agent is asked about all of it.
 */
class LongQuestionsTest {

    private final CoreHarness harness = new CoreHarness();

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void aQuestionAtTheSizeLimitKeepsItsWholeTextForTheAgent() {
        String whole = "What is the rank of a matrix? " + "Details the learner pasted in. ".repeat(2_000);
        List<CanvasNode> questions = List.of(
                CanvasNode.text("long", whole, "1", 0, 0, 250, 60),
                CanvasNode.text("short", "What is a graph?", "1", 0, 100, 250, 60));
        harness.holdInCanvas(questions);
        SessionId id = harness.core
                .useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        CoreHarness.CANVAS,
                        Optional.of(questions),
                        Set.of(),
                        2,
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.empty(),
                        Optional.empty()))
                .session()
                .id();

        assertThat(harness.core
                        .useCases()
                        .status()
                        .status(id)
                        .task("long")
                        .orElseThrow()
                        .text())
                .isEqualTo(whole);
    }
}
