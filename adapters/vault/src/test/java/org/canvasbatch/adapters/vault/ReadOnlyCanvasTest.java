package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canvas the learner made read-only is not rewritten: the rename that replaces it needs only its folder to be
 * writable, so a canvas of mode {@code r--r--r--} (which Obsidian itself could not save) was changed all the same (a
 * hostile tester's finding). Its notes are written; their links wait, and are written once the canvas can be.
 */
class ReadOnlyCanvasTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);
    private static final String CANVAS = "locked.canvas";

    @TempDir
    Path root;

    private final BlockingQueue<String> writes = new LinkedBlockingQueue<>();

    private FileVault openVault() {
        return new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(Duration.ofMillis(1)),
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

    @Test
    void aReadOnlyCanvasIsLeftAsItIsAndItsLinksWaitUntilItCanBeWritten() throws Exception {
        Path canvas = root.resolve(CANVAS);
        Files.writeString(
                canvas,
                "{\"nodes\":[{\"id\":\"a\",\"type\":\"text\",\"text\":\"What is a?\",\"color\":\"1\",\"x\":0,\"y\":0,"
                        + "\"width\":300,\"height\":100}],\"edges\":[]}\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(canvas, PosixFilePermissions.fromString("r--r--r--"));
        byte[] before = Files.readAllBytes(canvas);

        FileVault vault = openVault();
        var written = vault.writeNote(draft("a"));
        Path note = root.resolve(written.path());
        vault.close();

        assertThat(written.linkProblem())
                .as("a reviewer: the outcome said linked (the plugin's summary \"Canvas已自动更新\" with no notice)")
                .isEqualTo("the canvas '" + CANVAS + "' is read-only (no one may write it): the note is written, and"
                        + " linked into it once it can be written again");

        assertThat(note).as("the note is written").isRegularFile();
        assertThat(Files.readAllBytes(canvas)).as("the canvas is not rewritten").isEqualTo(before);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(canvas)))
                .isEqualTo("r--r--r--");
        assertThat(vault.linksLeftWaiting()).singleElement().satisfies(waiting -> {
            assertThat(waiting.canvasPath()).isEqualTo(CANVAS);
            assertThat(waiting.count()).isEqualTo(1);
            assertThat(waiting.reason()).contains("is read-only");
        });

        Files.setPosixFilePermissions(canvas, PosixFilePermissions.fromString("rw-r--r--"));
        FileVault again = openVault();
        try {
            assertThat(writes.poll(30, TimeUnit.SECONDS))
                    .as("the waiting link is written once the canvas can be")
                    .isEqualTo(CANVAS);
            assertThat(Files.readString(canvas)).contains(root.relativize(note).toString());
        } finally {
            again.close();
        }
    }

    @Test
    void linksThatCouldNotBeRecordedInTheVaultAreNotSaidToBeKept() throws Exception {
        // a hostile tester: with the canvas read-only and the ledger's folder unusable (here a file in its place; a
        // vault root the process may not write does the same), run said "They are kept, and linked by the next
        // canvas-batch run or serve", though they were in memory only and gone when it exited
        Path canvas = root.resolve(CANVAS);
        Files.writeString(
                canvas,
                "{\"nodes\":[{\"id\":\"a\",\"type\":\"text\",\"text\":\"What is a?\",\"color\":\"1\",\"x\":0,\"y\":0,"
                        + "\"width\":300,\"height\":100}],\"edges\":[]}\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(canvas, PosixFilePermissions.fromString("r--r--r--"));
        Files.writeString(root.resolve(PendingLinks.FOLDER), "not a folder", StandardCharsets.UTF_8);

        FileVault vault = openVault();
        vault.writeNote(draft("a"));
        vault.close();

        assertThat(vault.linksLeftWaiting()).singleElement().satisfies(waiting -> {
            assertThat(waiting.count()).isEqualTo(1);
            assertThat(waiting.kept())
                    .as("nothing holds the link once this process stops")
                    .isFalse();
        });
    }

    @Test
    void linksRecordedInTheVaultAreSaidToBeKept() throws Exception {
        Path canvas = root.resolve(CANVAS);
        Files.writeString(
                canvas,
                "{\"nodes\":[{\"id\":\"a\",\"type\":\"text\",\"text\":\"What is a?\",\"color\":\"1\",\"x\":0,\"y\":0,"
                        + "\"width\":300,\"height\":100}],\"edges\":[]}\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(canvas, PosixFilePermissions.fromString("r--r--r--"));

        FileVault vault = openVault();
        vault.writeNote(draft("a"));
        vault.close();

        assertThat(vault.linksLeftWaiting())
                .singleElement()
                .satisfies(waiting -> assertThat(waiting.kept()).isTrue());
    }
}
