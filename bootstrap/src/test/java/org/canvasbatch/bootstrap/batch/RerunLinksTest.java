package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.adapters.vault.FileVault;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.RunSingleNodeCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A person's rerun after the batch ended links its note into the canvas on disk, like the batch's own notes: no batch
 * end follows it, and nothing needs to, since the vault links every note it writes.
 */
class RerunLinksTest {

    private static final String CANVAS = "study/topics.canvas";

    @TempDir
    Path vaultRoot;

    private final LocalTaskExecutor executor = new LocalTaskExecutor(16);

    @AfterEach
    void stop() {
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void theNoteOfARerunAfterTheEndIsLinkedIntoTheCanvasOnDiskWithoutABatchEndOrAShutdown() throws Exception {
        Files.createDirectories(vaultRoot.resolve(".obsidian"));
        Files.createDirectories(vaultRoot.resolve("study"));
        Files.writeString(vaultRoot.resolve(CANVAS), """
                {"nodes":[
                  {"id":"a","type":"text","text":"What is a monad?","color":"1","x":0,"y":0,"width":250,"height":60},
                  {"id":"b","type":"text","text":"What is a functor?","color":"1","x":0,"y":200,"width":250,"height":60}
                ],"edges":[]}
                """, StandardCharsets.UTF_8);
        // the vault's clock stands still: the rerun's link comes within the coalescing window, one interval later
        Clock still = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
        AtomicInteger ids = new AtomicInteger();
        CanvasBatchCore core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        new InMemoryEventLog(),
                        new ScriptedAgent(),
                        new FileVault(vaultRoot, VaultOptions.defaults(), still),
                        executor,
                        Instant::now,
                        () -> new SessionId("s" + ids.incrementAndGet()),
                        new SplittableRandom(3)),
                CoreHarness.DEFAULT_SETTINGS);
        SessionId id = core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        CANVAS,
                        Optional.of(CoreHarness.nodes("a", "b")),
                        Set.of(),
                        1,
                        1,
                        AgentChoice.named(AgentId.ORAL_EXPLANATION),
                        false,
                        Optional.empty(),
                        Optional.empty()))
                .session()
                .id();
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        core.useCases().start().start(StartSessionCommand.of(id));
        assertThat(events.await(SessionFinished.class).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(Files.readString(vaultRoot.resolve(CANVAS))).doesNotContain("comparison-table");

        var result = core.useCases()
                .runSingleNode()
                .run(new RunSingleNodeCommand(CANVAS, "a", Optional.of(AgentId.COMPARISON_TABLE), Optional.empty()));

        assertThat(result.recordedIn()).contains(id);
        assertThat(eventually(() -> Files.readString(vaultRoot.resolve(CANVAS))))
                .as("the rerun's note is linked without waiting for a later batch")
                .contains("What is topic a (comparison-table).md", "\"label\": \"comparison-table\"");
    }

    /** The canvas once it holds the rerun's link, or as it is after ten seconds. */
    private static String eventually(Callable<String> canvas) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String text = canvas.call();
        while (!text.contains("comparison-table") && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            text = canvas.call();
        }
        return text;
    }
}
