package org.canvasbatch.bootstrap.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.InMemoryVault;

/** The tests of a batch's dispatching start from one group of plain questions, analyzed but not started. */
final class OneGroupCanvas {

    private OneGroupCanvas() {}

    /** Puts a canvas of one red question per id into the vault and analyzes it as one group at {@code concurrency}. */
    static SessionId analyze(
            CanvasBatchCore core, InMemoryVault vault, String canvasPath, int concurrency, String... ids) {
        List<CanvasNode> nodes = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            nodes.add(CanvasNode.text(ids[i], "What is topic " + ids[i] + "?", "1", 0, i * 100, 250, 60));
        }
        vault.withCanvas(new Canvas(canvasPath, nodes, List.of()));
        return core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        canvasPath,
                        Optional.of(nodes),
                        Set.of(),
                        1,
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.of(concurrency),
                        Optional.empty()))
                .session()
                .id();
    }

    /** Waits for the test to let a held journal append go; a test that never does fails instead of hanging. */
    static void awaitRelease(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the append go");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while held", e);
        }
    }
}
