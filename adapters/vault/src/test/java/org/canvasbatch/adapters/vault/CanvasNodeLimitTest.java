package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.port.in.BatchLimits;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write-back never writes a canvas with more nodes than a batch may read, whatever the learner added meanwhile. */
class CanvasNodeLimitTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
    private static final String CANVAS = "big.canvas";

    @TempDir
    Path root;

    private final BlockingQueue<String> writes = new LinkedBlockingQueue<>();
    private FileVault vault;

    @AfterEach
    void close() {
        if (vault != null) {
            vault.close();
        }
    }

    @Test
    void aLinkThatNoLongerFitsBecauseTheLearnerAddedNodesIsLeftOutAndTheCanvasStaysReadable() throws Exception {
        writeCanvas(BatchLimits.MAX_NODES - 6, "");
        vault = vaultCoalescing(Duration.ofHours(1));
        WrittenNote first = vault.writeNote(draft("a"));
        assertThat(writes.poll(30, TimeUnit.SECONDS))
                .as("the first link, at once")
                .isEqualTo(CANVAS);
        WrittenNote second = vault.writeNote(draft("b"));
        assertThat(first.linkProblem()).isNull();
        assertThat(second.linkProblem()).as("it fits when it is written").isNull();
        // meanwhile the learner adds a node: 9 999 nodes, and the second link would need two more
        String canvas = Files.readString(root.resolve(CANVAS));
        Files.writeString(
                root.resolve(CANVAS),
                canvas.replaceFirst(
                        "\"nodes\":\\s*\\[",
                        "\"nodes\": [{\"id\":\"mine\",\"type\":\"text\",\"text\":\"my own\",\"x\":0,\"y\":-900,"
                                + "\"width\":10,\"height\":10},"));

        vault.close();

        FileVault again = new FileVault(root, VaultOptions.defaults(), CLOCK);
        try {
            assertThat(again.readCanvas(CANVAS).nodes())
                    .hasSize(BatchLimits.MAX_NODES - 1)
                    .anySatisfy(node -> assertThat(node.id()).isEqualTo("mine"));
        } finally {
            again.close();
        }
        assertThat(root.resolve(second.path())).as("the note itself stays").isRegularFile();
    }

    @Test
    void aNoteWrittenAfterTheLearnerFilledTheCanvasSaysItsLinkHasNoRoom() throws Exception {
        writeCanvas(BatchLimits.MAX_NODES - 12, "");
        vault = vaultCoalescing(Duration.ofMillis(1));
        WrittenNote first = vault.writeNote(draft("a"));
        assertThat(writes.poll(30, TimeUnit.SECONDS))
                .as("the first link written")
                .isEqualTo(CANVAS);
        assertThat(first.linkProblem()).isNull();
        // the learner fills the canvas after that write (the write-back knows how many nodes it wrote): one node short
        // of the limit, where the second note's link and label do not fit
        String canvas = Files.readString(root.resolve(CANVAS));
        StringBuilder added = new StringBuilder();
        int room = BatchLimits.MAX_NODES - 1 - (BatchLimits.MAX_NODES - 12 + 4);
        for (int i = 0; i < room; i++) {
            added.append("{\"id\":\"mine")
                    .append(i)
                    .append("\",\"type\":\"text\",\"text\":\"my own\",")
                    .append("\"x\":")
                    .append(i * 20)
                    .append(",\"y\":-900,\"width\":10,\"height\":10},");
        }
        Files.writeString(root.resolve(CANVAS), canvas.replaceFirst("\"nodes\":\\s*\\[", "\"nodes\": [" + added));

        WrittenNote second = vault.writeNote(draft("b"));

        assertThat(second.linkProblem())
                .as("judged on the canvas as the learner saved it, not as the write-back last wrote it")
                .isNotNull()
                .contains("linking the note would take it beyond");
        assertThat(root.resolve(second.path())).as("the note itself is written").isRegularFile();
    }

    /**
     * A CLI tester read "has 9997 nodes, and linking the note would take it beyond 10000" for a note of two nodes: the
     * link of another note, waiting to be written, was the rest of the sum. The reason says so.
     */
    @Test
    void aNoteWithoutRoomBecauseOfLinksWaitingSaysTheyAreWaiting() throws Exception {
        // a, b and c, and fillers up to 9 995 nodes: a's link and label are written at once (9 997), b's wait to be
        // written with the next ones (9 999), and c's do not fit beside them
        writeCanvas(
                BatchLimits.MAX_NODES - 5 - 3,
                ",\n{\"id\":\"c\",\"type\":\"text\",\"text\":\"What is c?\",\"color\":\"1\",\"x\":800,\"y\":-400,"
                        + "\"width\":300,\"height\":100}");
        vault = vaultCoalescing(Duration.ofHours(1));
        assertThat(vault.writeNote(draft("a")).linkProblem()).isNull();
        assertThat(writes.poll(30, TimeUnit.SECONDS)).as("a's link written").isEqualTo(CANVAS);
        assertThat(vault.writeNote(draft("b")).linkProblem())
                .as("room for b's beside a's")
                .isNull();

        WrittenNote third = vault.writeNote(draft("c"));

        assertThat(third.linkProblem())
                .contains("has " + (BatchLimits.MAX_NODES - 3) + " nodes and 1 other note link(s) waiting to go into"
                        + " it; with them, linking the note would take it beyond " + BatchLimits.MAX_NODES);
    }

    /** The vault, telling {@link #writes} of each canvas write; links wait {@code interval} to be written together. */
    private FileVault vaultCoalescing(Duration interval) {
        return new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(interval),
                CLOCK,
                writes::add,
                FileOpener.DEFAULT,
                CanvasWriteBack.RetryDelays.DEFAULT,
                nanos -> {});
    }

    private static NoteDraft draft(String nodeId) {
        return new NoteDraft(
                CANVAS,
                nodeId,
                "What is " + nodeId + "?",
                AgentId.ORAL_EXPLANATION,
                "# note",
                "offline",
                CLOCK.instant());
    }

    private void writeCanvas(int fillers, String extra) throws IOException {
        StringBuilder json = new StringBuilder("{\"nodes\":[\n");
        json.append("{\"id\":\"a\",\"type\":\"text\",\"text\":\"What is a?\",\"color\":\"1\",\"x\":0,\"y\":-400,")
                .append("\"width\":300,\"height\":100},\n");
        json.append("{\"id\":\"b\",\"type\":\"text\",\"text\":\"What is b?\",\"color\":\"1\",\"x\":400,\"y\":-400,")
                .append("\"width\":300,\"height\":100}");
        for (int i = 0; i < fillers; i++) {
            json.append(",\n{\"id\":\"f")
                    .append(i)
                    .append("\",\"type\":\"text\",\"text\":\"filler\",\"x\":")
                    .append((i % 100) * 350)
                    .append(",\"y\":")
                    .append((i / 100) * 150)
                    .append(",\"width\":300,\"height\":100}");
        }
        json.append(extra).append("\n],\"edges\":[]}\n");
        Files.writeString(root.resolve(CANVAS), json, StandardCharsets.UTF_8);
    }
}
