package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.adapters.vault.FileVault;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.InvalidCommandException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.RunSingleNodeCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionProgress;
import org.canvasbatch.domain.session.SessionProgress.NodeResult;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canvas near the 10 000-node limit: each note's link adds a file node and a label, so linking could push the canvas
 * over the limit, and then no batch could read it any more. The vault never writes a canvas it would refuse to read;
 * the note is still written, and the node's outcome says that it was not linked and why.
 */
class CanvasAtTheNodeLimitTest {

    private static final String CANVAS = "study/big.canvas";
    private static final int LIMIT = 10_000;

    @TempDir
    Path vaultRoot;

    private final LocalTaskExecutor executor = new LocalTaskExecutor(16);
    private FileVault vault;

    @AfterEach
    void stop() {
        if (vault != null) {
            vault.close();
        }
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void linkingNeverPushesACanvasOverTheLimitAndItStaysReadable() throws Exception {
        // two questions and fillers up to 9 998 nodes: room for one note's file node and label, not for two
        writeCanvas(LIMIT - 2 - 2);
        CanvasBatchCore core = core();

        SessionId id = runBatch(core);
        vault.close();

        FileVault again = new FileVault(vaultRoot, VaultOptions.defaults(), Clock.systemUTC());
        try {
            assertThat(again.readCanvas(CANVAS).nodes()).hasSizeLessThanOrEqualTo(LIMIT);
        } finally {
            again.close();
        }
        assertThat(Files.list(vaultRoot.resolve("study/big-notes")))
                .as("both notes written")
                .hasSize(2);
        SessionProgress progress = core.useCases().status().status(id).progress();
        assertThat(progress.results()).extracting(NodeResult::succeeded).containsExactly(true, true);
        assertThat(progress.results())
                .extracting(NodeResult::linkProblem)
                .as("one note linked, the other one says why it is not")
                .containsOnlyOnce((String) null)
                .anySatisfy(problem -> assertThat(problem)
                        .startsWith("the canvas 'study/big.canvas' has ")
                        .contains("linking the note would take it beyond 10000"));
    }

    @Test
    void aRetryWithAnotherAgentOnAFullCanvasWritesItsNoteAndSaysItIsNotLinked() throws Exception {
        writeCanvas(LIMIT - 2 - 2);
        CanvasBatchCore core = core();
        SessionId id = runBatch(core);

        var result = core.useCases()
                .runSingleNode()
                .run(new RunSingleNodeCommand(CANVAS, "a", Optional.of(AgentId.MEMORY_ANCHOR), Optional.of(id)));

        assertThat(vaultRoot.resolve(result.filePath())).isRegularFile();
        assertThat(result.linkProblem())
                .hasValueSatisfying(problem -> assertThat(problem).contains("is written but not linked"));
        vault.close();
        FileVault again = new FileVault(vaultRoot, VaultOptions.defaults(), Clock.systemUTC());
        try {
            assertThat(again.readCanvas(CANVAS).nodes()).hasSize(LIMIT);
        } finally {
            again.close();
        }
    }

    @Test
    void aRetryOnACanvasOverTheLimitIsToldSoNotThatThereIsNoCanvas() throws Exception {
        writeCanvas(LIMIT + 1 - 2);
        CanvasBatchCore core = core();

        InvalidCommandException refused = catchThrowableOfType(
                InvalidCommandException.class,
                () -> core.useCases()
                        .runSingleNode()
                        .run(new RunSingleNodeCommand(
                                CANVAS, "a", Optional.of(AgentId.ORAL_EXPLANATION), Optional.empty())));

        assertThat(refused.getMessage())
                .contains("has 10001 nodes, more than the limit of 10000")
                .doesNotContain("no canvas at");
    }

    private SessionId runBatch(CanvasBatchCore core) {
        SessionId id = core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        CANVAS,
                        Optional.empty(),
                        Set.of(),
                        1,
                        1,
                        AgentChoice.named(AgentId.ORAL_EXPLANATION),
                        false,
                        Optional.of(1),
                        Optional.empty()))
                .session()
                .id();
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        core.useCases().start().start(StartSessionCommand.of(id));
        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        return id;
    }

    private CanvasBatchCore core() {
        vault = new FileVault(vaultRoot, VaultOptions.defaults(), Clock.systemUTC());
        AtomicInteger ids = new AtomicInteger();
        return new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        new InMemoryEventLog(),
                        new ScriptedAgent(),
                        vault,
                        executor,
                        java.time.Instant::now,
                        () -> new SessionId("big" + ids.incrementAndGet()),
                        new SplittableRandom(3)),
                CoreHarness.DEFAULT_SETTINGS);
    }

    /** Two red questions, {@code a} and {@code b}, and {@code fillers} grey text nodes. */
    private void writeCanvas(int fillers) throws IOException {
        StringBuilder json = new StringBuilder("{\"nodes\":[\n");
        json.append("{\"id\":\"a\",\"type\":\"text\",\"text\":\"What is a stack?\",\"color\":\"1\",")
                .append("\"x\":0,\"y\":-400,\"width\":300,\"height\":100},\n");
        json.append("{\"id\":\"b\",\"type\":\"text\",\"text\":\"What is a queue?\",\"color\":\"1\",")
                .append("\"x\":400,\"y\":-400,\"width\":300,\"height\":100}");
        for (int i = 0; i < fillers; i++) {
            json.append(",\n{\"id\":\"f")
                    .append(i)
                    .append("\",\"type\":\"text\",\"text\":\"filler ")
                    .append(i)
                    .append("\",\"x\":")
                    .append((i % 100) * 350)
                    .append(",\"y\":")
                    .append((i / 100) * 150)
                    .append(",\"width\":300,\"height\":100}");
        }
        json.append("\n],\"edges\":[]}\n");
        Files.createDirectories(vaultRoot.resolve(".obsidian"));
        Files.createDirectories(vaultRoot.resolve("study"));
        Files.writeString(vaultRoot.resolve(CANVAS), json, StandardCharsets.UTF_8);
    }
}
