package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vault whose disk fills up: each failure says what could not be written, where and why, the canvas is left as it
 * was, and every note written before is linked exactly once as soon as there is room again — by the next try, when
 * the vault closes, or at the next start.
 *
 * <p>The first link of a canvas is written at once; the tests write one ({@link #linkAFirstNote}) before the disk
 * fills, so that the later ones wait for the one-hour coalesce interval and meet the full disk when the test says.
 */
class FullDiskTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
    private static final String Q1 = "01000c386bbc4";
    private static final String Q2 = "01001414c343c";
    private static final String Q3 = "010027311d8a3";

    @TempDir
    Path root;

    final FullDisk disk = new FullDisk();
    final BlockingQueue<String> writes = new LinkedBlockingQueue<>();
    FileVault vault;

    @BeforeEach
    void openVault() {
        Fixtures.copyVaultTo(root);
    }

    @AfterEach
    void closeVault() {
        if (vault != null) {
            vault.close();
        }
    }

    @Test
    void aNoteThatCannotBeWrittenSaysWhichWhereAndWhy() throws IOException {
        vault = open(Duration.ofHours(1));
        disk.full = true;

        VaultException error = catchThrowableOfType(
                VaultException.class, () -> vault.writeNote(draft(Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION)));

        assertThat(error.reason()).isEqualTo(Reason.FULL);
        assertThat(error.getMessage())
                .isEqualTo("Cannot write the note '数学/离散数学-notes/什么是逆否命题 (oral-explanation).md': no space left"
                        + " on device.");
        assertThat(error.path()).isEqualTo("数学/离散数学-notes/什么是逆否命题 (oral-explanation).md");
        assertThat(root.resolve(error.path())).doesNotExist();
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void linksThatFoundTheDiskFullAreWrittenByTheNextTryOnceThereIsRoom() throws Exception {
        // the first retry 2 s on: a retry on the full disk makes and deletes a temporary file, which the check for
        // temporary files below must not catch in passing on a slow machine
        vault = open(Duration.ofSeconds(2));
        linkAFirstNote();
        String canvasBefore = read();
        List<WrittenNote> notes = writeTwoNotes();
        disk.full = true;

        vault.flush(Fixtures.DISCRETE_MATH);

        assertThat(read()).as("left as it was").isEqualTo(canvasBefore);
        assertThat(disk.refused.get()).isPositive();
        assertThat(temporaryFiles()).isEmpty();

        disk.full = false;
        assertThat(writes.poll(30, TimeUnit.SECONDS))
                .as("the next try, by itself")
                .isEqualTo(Fixtures.DISCRETE_MATH);
        assertLinkedExactlyOnce(notes);
    }

    @Test
    void closingTheVaultLinksWhatWaitedOnceThereIsRoom() throws Exception {
        vault = open(Duration.ofHours(1));
        linkAFirstNote();
        List<WrittenNote> notes = writeTwoNotes();
        disk.full = true;
        vault.flush(Fixtures.DISCRETE_MATH);
        assertThat(discreteMath().noteNodes()).hasSize(1);

        disk.full = false;
        vault.close();

        assertLinkedExactlyOnce(notes);
        assertThat(root.resolve(PendingLinks.FOLDER)).doesNotExist();
    }

    @Test
    void linksStillWaitingWhenTheProcessStopsAreWrittenAtTheNextStart() throws Exception {
        vault = open(Duration.ofHours(1));
        linkAFirstNote();
        List<WrittenNote> notes = writeTwoNotes();
        disk.full = true;
        vault.close();
        assertThat(discreteMath().noteNodes()).hasSize(1);
        assertThat(Files.readAllLines(root.resolve(vault.ledgerFile()))).hasSize(2);

        disk.full = false;
        vault = open(Duration.ofHours(1));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.DISCRETE_MATH);

        assertLinkedExactlyOnce(notes);
        assertThat(root.resolve(PendingLinks.FOLDER))
                .as("nothing waits any more")
                .doesNotExist();

        vault.close();
        vault = open(Duration.ofHours(1));
        vault.close();
        assertLinkedExactlyOnce(notes);
    }

    @Test
    void aLedgerCutInsideItsLastLineByACrashStillLinksEveryCompleteLine() throws Exception {
        vault = open(Duration.ofHours(1));
        linkAFirstNote();
        List<WrittenNote> notes = writeTwoNotes();
        disk.full = true;
        vault.close();
        // what a crash in the middle of appending a third line leaves: its end cut inside "最"
        appendToLedger(tornLine());

        disk.full = false;
        vault = open(Duration.ofHours(1));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.DISCRETE_MATH);

        assertLinkedExactlyOnce(notes);
        assertThat(root.resolve(PendingLinks.FOLDER))
                .as("nothing waits any more, the torn line included")
                .doesNotExist();
    }

    @Test
    void aLinkRecordedAfterATornLineIsKeptWholeAndLinkedAtTheNextStart() throws Exception {
        vault = open(Duration.ofHours(1));
        linkAFirstNote();
        WrittenNote first = vault.writeNote(draft(Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION));
        // an append the disk cut short while the server ran
        appendToLedger(tornLine());
        WrittenNote second = vault.writeNote(draft(Q2, "逆否命题和否命题的区别", AgentId.COMPARISON_TABLE));
        disk.full = true;
        vault.close();

        disk.full = false;
        vault = open(Duration.ofHours(1));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.DISCRETE_MATH);

        assertLinkedExactlyOnce(List.of(first, second));
    }

    private static byte[] tornLine() {
        byte[] whole = ("{\"canvas\":\"数学/离散数学.canvas\",\"node\":\"x\",\"agent\":\"oral-explanation\",\"note\":"
                        + "\"数学/离散数学-notes/最")
                .getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(whole, whole.length - 1);
    }

    /** Appends to the ledger of the vault last opened, running or stopped. */
    private void appendToLedger(byte[] bytes) throws IOException {
        Files.write(root.resolve(vault.ledgerFile()), bytes, StandardOpenOption.APPEND);
    }

    @Test
    void aLeftoverLinkWhoseNoteIsNotItsNodesIsNeverWritten() throws Exception {
        vault = open(Duration.ofHours(1));
        List<WrittenNote> notes = writeTwoNotes();
        vault.close();
        Files.createDirectories(root.resolve(PendingLinks.FOLDER));
        Files.writeString(
                root.resolve(PendingLinks.FILE),
                "{\"canvas\":\"数学/离散数学.canvas\",\"node\":\"" + Q1 + "\",\"agent\":\"oral-explanation\",\"note\":\""
                        + notes.get(1).path() + "\"}\n" // Q2's note claimed for Q1
                        + "{\"canvas\":\"../outside.canvas\",\"node\":\"x\",\"agent\":\"oral-explanation\",\"note\":\"a.md\"}\n"
                        + "not json at all\n");
        String canvasBefore = read();

        vault = open(Duration.ofHours(1));
        vault.close();

        assertThat(read()).isEqualTo(canvasBefore);
        assertThat(root.resolve(PendingLinks.FOLDER)).doesNotExist();
    }

    private FileVault open(Duration firstRetry) {
        return new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(Duration.ofHours(1)),
                CLOCK,
                writes::add,
                disk,
                new CanvasWriteBack.RetryDelays(firstRetry, firstRetry.multipliedBy(4)),
                nanos -> {});
    }

    private List<WrittenNote> writeTwoNotes() {
        return List.of(
                vault.writeNote(draft(Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION)),
                vault.writeNote(draft(Q2, "逆否命题和否命题的区别", AgentId.COMPARISON_TABLE)));
    }

    /** Written and linked while there is room; the canvas's coalescing window starts with it. */
    private void linkAFirstNote() throws InterruptedException {
        vault.writeNote(draft(Q3, "逆否命题和原命题等价吗", AgentId.CLARIFICATION_PATH));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.DISCRETE_MATH);
    }

    /** The two notes, and the first one, each linked once. */
    private void assertLinkedExactlyOnce(List<WrittenNote> notes) {
        CanvasOnDisk canvas = discreteMath();
        assertThat(canvas.noteNodes()).hasSize(3);
        assertThat(canvas.noteEdges()).hasSize(3);
        assertThat(canvas.labelNodes()).hasSize(3);
        for (WrittenNote note : notes) {
            assertThat(canvas.notesPointingAt(note.path())).hasSize(1);
        }
    }

    private static NoteDraft draft(String nodeId, String text, AgentId agent) {
        return new NoteDraft(Fixtures.DISCRETE_MATH, nodeId, text, agent, "# note", "offline", CLOCK.instant());
    }

    private CanvasOnDisk discreteMath() {
        return CanvasOnDisk.read(root.resolve(Fixtures.DISCRETE_MATH));
    }

    private String read() throws IOException {
        return Files.readString(root.resolve(Fixtures.DISCRETE_MATH));
    }

    private List<String> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".tmp"))
                    .toList();
        }
    }
}
