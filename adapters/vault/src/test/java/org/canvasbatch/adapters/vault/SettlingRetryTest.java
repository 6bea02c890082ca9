package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.testsupport.CapturedLogs;
import org.canvasbatch.testsupport.EventRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settling of a canvas (its links merged once more after a burst) is tried again when it cannot be written, as a
 * settling: a card a stale save dropped comes back once there is room, not only at the next link or at shutdown. Found
 * by a hostile review of the settling.
 */
class SettlingRetryTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
    private static final String Q1 = "01000c386bbc4";
    private static final String Q2 = "01001414c343c";

    @TempDir
    Path root;

    final BlockingQueue<String> writes = new LinkedBlockingQueue<>();
    final FullDisk disk = new FullDisk();
    FileVault vault;
    Map<String, String> texts = new HashMap<>();

    @AfterEach
    void closeVault() {
        if (vault != null) {
            disk.full = false;
            vault.close();
        }
    }

    /**
     * A stale copy's save dropped the first card; the canvas goes quiet and its settling write (which would link the
     * card again) meets a full disk. Once there is room, the settling is tried again (before, the failure scheduled a
     * plain retry, which found nothing waiting and did nothing, so the card stayed missing until the next link or until
     * the server stopped).
     */
    @Test
    void aSettlingThatFoundTheDiskFullIsTriedAgainOnceThereIsRoom() throws Exception {
        Fixtures.copyVaultTo(root);
        vault = open(Duration.ZERO, new CanvasWriteBack.RetryDelays(Duration.ofMillis(100), Duration.ofMillis(100)));
        Path canvas = root.resolve(Fixtures.DISCRETE_MATH);
        String before = Files.readString(canvas);
        link(Fixtures.DISCRETE_MATH, Q1, AgentId.ORAL_EXPLANATION);
        awaitWrite();
        Files.writeString(canvas, before); // an editor's stale copy: the first card is gone, nobody deleted it
        link(Fixtures.DISCRETE_MATH, Q2, AgentId.COMPARISON_TABLE);
        awaitWrite();
        String first = notePath(Q1, AgentId.ORAL_EXPLANATION);
        assertThat(CanvasOnDisk.read(canvas).notesPointingAt(first)).isEmpty();

        disk.full = true; // the canvas settles QUIET (5 s) later, on a full disk
        // the disk's own count: nothing else tells when the settling ran
        EventRecorder.awaitCondition(() -> disk.refused.get() > 0, "the settling met the full disk");
        disk.full = false;

        assertThat(writes.poll(10, TimeUnit.SECONDS))
                .as("the settling is tried again once there is room (retry delay: 100 ms)")
                .isNotNull();
        assertThat(CanvasOnDisk.read(canvas).notesPointingAt(first))
                .as("the card only a stale save dropped is linked again")
                .hasSize(1);
    }

    /** The warning of a refused settling counts the links it was to put back, not the none waiting for a first write. */
    @Test
    void aRefusedSettlingDoesNotWarnThatNoNoteIsLinked() throws Exception {
        Fixtures.copyVaultTo(root);
        try (CapturedLogs logs = CapturedLogs.of(CanvasWriteBack.class.getName())) {
            vault = open(
                    Duration.ZERO, new CanvasWriteBack.RetryDelays(Duration.ofMillis(100), Duration.ofMillis(100)));
            Path canvas = root.resolve(Fixtures.DISCRETE_MATH);
            String before = Files.readString(canvas);
            link(Fixtures.DISCRETE_MATH, Q1, AgentId.ORAL_EXPLANATION);
            awaitWrite();
            Files.writeString(canvas, before); // a stale copy's save: the first card is gone
            link(Fixtures.DISCRETE_MATH, Q2, AgentId.COMPARISON_TABLE);
            awaitWrite();

            disk.full = true; // the settling, QUIET (5 s) later, meets the full disk
            // the log: nothing else tells when the settling ran
            EventRecorder.awaitCondition(
                    () -> !logs.visibleRecordsContaining("Not linking").isEmpty(), "the refused settling's warning");
            disk.full = false;
            List<LogRecord> warnings = logs.visibleRecordsContaining("Not linking");
            assertThat(warnings).as("the refused settling is reported").isNotEmpty();
            assertThat(warnings.getFirst().getParameters()[0])
                    .as("the warning counts the card waiting to be linked again, not zero")
                    .isNotEqualTo(0);
        }
    }

    private FileVault open(Duration interval, CanvasWriteBack.RetryDelays retries) {
        FileVault opened = new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(interval),
                CLOCK,
                writes::add,
                disk,
                retries,
                nanos -> {});
        if (Files.exists(root.resolve(Fixtures.DISCRETE_MATH))) {
            opened.readCanvas(Fixtures.DISCRETE_MATH).nodes().forEach(node -> texts.put(node.id(), node.displayText()));
        }
        return opened;
    }

    private void link(String canvas, String nodeId, AgentId agent) {
        vault.writeNote(new NoteDraft(canvas, nodeId, texts.get(nodeId), agent, "# note", "offline", T0));
    }

    private String notePath(String nodeId, AgentId agent) {
        return "数学/离散数学-notes/" + org.canvasbatch.domain.note.NoteName.fileName(texts.get(nodeId), agent);
    }

    private void awaitWrite() throws InterruptedException {
        assertThat(writes.poll(10, TimeUnit.SECONDS)).as("a canvas write").isNotNull();
    }
}
