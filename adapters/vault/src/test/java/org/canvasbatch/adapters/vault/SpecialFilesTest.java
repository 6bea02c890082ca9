package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A named pipe (FIFO) in the vault must never hang a request: opening one for reading blocks until someone writes
 * into it. Only regular files are ever opened; anything else is refused at once with words that say what it is. (The
 * guard below only keeps a regression from hanging the build; it measures nothing.)
 */
class SpecialFilesTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    @TempDir
    Path root;

    FileVault vault;

    @BeforeEach
    void openVault() {
        Fixtures.copyVaultTo(root);
        vault = new FileVault(root, VaultOptions.defaults().withCoalesceInterval(Duration.ZERO), Clock.systemUTC());
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @Test
    void aFifoNamedLikeACanvasIsRefusedAtOnce() throws Exception {
        mkfifo("数学/x.canvas");

        VaultException error = assertTimeoutPreemptively(
                HANG_GUARD, () -> catchThrowableOfType(VaultException.class, () -> vault.readCanvas("数学/x.canvas")));

        assertThat(error.reason()).isEqualTo(VaultException.Reason.INVALID_CANVAS);
        assertThat(error.getMessage())
                .isEqualTo("'数学/x.canvas' is a named pipe (FIFO), not a canvas file; only regular files are read.");
        assertThat(vault.canvasExists("数学/x.canvas")).isFalse();
    }

    @Test
    void writingANoteOfAFifoCanvasNeitherHangsNorReplacesIt() throws Exception {
        Path fifo = mkfifo("数学/x.canvas");

        assertTimeoutPreemptively(HANG_GUARD, () -> {
            vault.writeNote(draft("数学/x.canvas"));
            vault.close();
        });

        assertThat(isFifo(fifo)).as("still the pipe it was").isTrue();
    }

    @Test
    void aLinkWaitingForACanvasThatBecameAFifoNeitherHangsNorReplacesIt() throws Exception {
        aNoteWhoseLinkWaitsWhenItsCanvasGoes();
        // meanwhile the canvas was replaced by a pipe
        Path fifo = mkfifo("数学/x.canvas");

        assertTimeoutPreemptively(HANG_GUARD, () -> {
            vault = new FileVault(root, VaultOptions.defaults().withCoalesceInterval(Duration.ZERO), Clock.systemUTC());
            vault.close();
        });

        assertThat(isFifo(fifo)).as("still the pipe it was").isTrue();
    }

    @Test
    void aLinkWaitingForACanvasThatBecameAFolderIsLetGoAsForADeletedCanvas() throws Exception {
        String note = aNoteWhoseLinkWaitsWhenItsCanvasGoes();
        // meanwhile a folder took the canvas's name
        Path folder = Files.createDirectory(root.resolve("数学/x.canvas"));

        vault = new FileVault(root, VaultOptions.defaults().withCoalesceInterval(Duration.ZERO), Clock.systemUTC());
        vault.close();

        try (var inside = Files.list(folder)) {
            assertThat(inside).as("nothing written into the folder").isEmpty();
        }
        assertThat(ledgers())
                .as("the link is not kept to be tried at every start for good: there is no canvas to link it into")
                .doesNotContain(note);
    }

    @Test
    void aFifoAtThePendingLinksLedgerIsNeverOpenedAndEveryNoteIsStillWritten() throws Exception {
        Files.createDirectories(root.resolve(PendingLinks.FOLDER));
        Path fifo = mkfifo(vault.ledgerFile());

        try (CapturedLogs logs = CapturedLogs.of(PendingLinks.class.getName())) {
            String first = assertTimeoutPreemptively(
                            HANG_GUARD, () -> vault.writeNote(draft("01000c386bbc4", "什么是逆否命题")))
                    .path();
            String second = assertTimeoutPreemptively(
                            HANG_GUARD, () -> vault.writeNote(draft("01001414c343c", "什么是否命题")))
                    .path();

            assertThat(root.resolve(first)).isRegularFile();
            assertThat(root.resolve(second)).isRegularFile();
            assertThat(logs.visibleRecordsContaining(vault.ledgerFile()))
                    .as("one line for the refused ledger, not one per note, and no stack trace")
                    .singleElement()
                    .satisfies(line -> {
                        assertThat(line.getMessage()).contains("a named pipe (FIFO)");
                        assertThat(line.getThrown()).isNull();
                    });
        }
        assertThat(isFifo(fifo)).as("still the pipe it was").isTrue();
    }

    /**
     * A note of the canvas 数学/x.canvas whose link a run that stopped before writing it left waiting in the ledger; the
     * vault closed, and the canvas deleted. Returns the note's path.
     */
    private String aNoteWhoseLinkWaitsWhenItsCanvasGoes() throws IOException {
        Files.writeString(
                root.resolve("数学/x.canvas"),
                "{\"nodes\": [{\"id\": \"q\", \"type\": \"text\", \"text\": \"什么是管道\", \"x\": 0, \"y\": 0,"
                        + " \"width\": 250, \"height\": 60}]}");
        String note = vault.writeNote(draft("数学/x.canvas")).path();
        vault.close();
        Files.createDirectories(root.resolve(PendingLinks.FOLDER));
        Files.writeString(
                root.resolve(PendingLinks.FILE),
                "{\"canvas\":\"数学/x.canvas\",\"node\":\"q\",\"agent\":\"oral-explanation\",\"note\":\"" + note
                        + "\"}\n");
        Files.delete(root.resolve("数学/x.canvas"));
        return note;
    }

    private static NoteDraft draft(String canvasPath) {
        return new NoteDraft(canvasPath, "q", "什么是管道", AgentId.ORAL_EXPLANATION, "# note", "offline", Instant.now());
    }

    @Test
    void aFifoAsAFileNodesFileIsRefusedAtOnce() throws Exception {
        mkfifo("notes/pipe.md");

        VaultException error = assertTimeoutPreemptively(
                HANG_GUARD,
                () -> catchThrowableOfType(
                        VaultException.class, () -> vault.contentOf(Fixtures.MIXED, fileNode("notes/pipe.md"))));

        assertThat(error.getMessage())
                .isEqualTo("The file node 'f' points to 'notes/pipe.md', which is a named pipe (FIFO); only regular"
                        + " files are read.");
    }

    @Test
    void aFifoWhereTheNoteGoesIsRefusedAndOneElsewhereInTheFolderIsIgnored() throws Exception {
        Path notes = Files.createDirectories(root.resolve("数学/离散数学-notes"));
        Path inTheWay = mkfifo("数学/离散数学-notes/什么是逆否命题 (oral-explanation).md");
        mkfifo("数学/离散数学-notes/other.md");

        VaultException error = assertTimeoutPreemptively(
                HANG_GUARD,
                () -> catchThrowableOfType(
                        VaultException.class, () -> vault.writeNote(draft("01000c386bbc4", "什么是逆否命题"))));
        String written = assertTimeoutPreemptively(
                HANG_GUARD,
                () -> vault.writeNote(draft("01001414c343c", "什么是否命题")).path());

        assertThat(error.getMessage())
                .isEqualTo("Cannot write the note '数学/离散数学-notes/什么是逆否命题 (oral-explanation).md': a named pipe"
                        + " (FIFO) is in its place; notes replace only regular files.");
        assertThat(isFifo(inTheWay)).isTrue();
        assertThat(written).isEqualTo("数学/离散数学-notes/什么是否命题 (oral-explanation).md");
        assertThat(notes.resolve("什么是否命题 (oral-explanation).md")).isRegularFile();
    }

    private Path mkfifo(String vaultPath) throws IOException, InterruptedException {
        Path fifo = root.resolve(vaultPath);
        Files.createDirectories(fifo.getParent());
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).as("mkfifo").isZero();
        assertThat(isFifo(fifo)).isTrue();
        return fifo;
    }

    /** What the vault's ledgers of links still to write hold, all together; empty when it keeps none. */
    private String ledgers() throws IOException {
        Path folder = root.resolve(PendingLinks.FOLDER);
        if (!Files.isDirectory(folder)) {
            return "";
        }
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(file));
            }
        }
        return all.toString();
    }

    private static boolean isFifo(Path path) throws IOException {
        return Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && ((Integer) Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) & 0170000)
                        == 0010000;
    }

    private static CanvasNode fileNode(String file) {
        return new CanvasNode("f", "file", null, file, null, null, "1", 0, 0, 400, 300);
    }

    private static NoteDraft draft(String nodeId, String text) {
        return new NoteDraft(
                Fixtures.DISCRETE_MATH,
                nodeId,
                text,
                AgentId.ORAL_EXPLANATION,
                "# note",
                "offline",
                Instant.parse("2026-11-26T12:00:00Z"));
    }
}
