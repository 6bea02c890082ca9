package org.canvasbatch.adapters.vault;

import static org.canvasbatch.application.port.out.VaultException.Reason.INVALID_CANVAS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;

/**
 * The learner's Obsidian vault on disk: JSON Canvas files to read, Markdown notes to write, canvases to link the notes
 * into. Every path is relative to the vault root and is refused with {@code OUTSIDE_VAULT} if it would lead out of it,
 * symbolic links included. Safe for many agents finishing at once. The vault alone decides when a canvas is written:
 * {@link #writeNote} links the note, and {@link #close} writes the links still waiting.
 */
public final class FileVault implements Vault, AutoCloseable {

    private final VaultPaths paths;
    private final VaultOptions options;
    private final NodeContent content;
    private final NoteWriter notes;
    private final CanvasWriteBack writeBack;
    private final PendingLinks pendingLinks;
    private final CompletableFuture<Integer> litterSwept;

    /**
     * How old a temporary file must be before it is taken for a stopped writer's: far longer than a live process's
     * atomic write takes, even on a slow network share. The same alone as in a cluster: a {@code run} started beside a
     * {@code serve} on the same vault writes into it too, and its start says nothing about the other's writes.
     */
    static final Duration LITTER_AGE = Duration.ofMinutes(5);

    /**
     * @param root    the vault's folder; must exist
     * @param clock   times the coalescing of canvas writes, and the age of temporary files left in the vault
     */
    public FileVault(Path root, VaultOptions options, Clock clock) {
        this(root, options, clock, canvasPath -> {});
    }

    /**
     * A vault shared with other servers of a cluster (by path): this one is {@code writer} among them, and keeps the
     * links it has not yet written in a ledger of its own, {@code .canvas-batch/pending-links-<writer>.jsonl}; a
     * stopped server's is taken over with {@link #adoptLinksLeftBy}. Hidden temporary files a killed writer left are
     * deleted at start only once they are old enough that no live server can still be writing them.
     *
     * @param writer this server's name in the cluster: letters, digits, {@code . _ -}, at most 100
     */
    public FileVault(Path root, VaultOptions options, Clock clock, String writer) {
        this(
                root,
                options,
                clock,
                canvasPath -> {},
                FileOpener.DEFAULT,
                CanvasWriteBack.RetryDelays.DEFAULT,
                nanos -> {},
                Objects.requireNonNull(writer, "writer"));
    }

    /** @param afterCanvasWrite told the vault-relative path of each canvas right after a write-back changed it */
    FileVault(Path root, VaultOptions options, Clock clock, Consumer<String> afterCanvasWrite) {
        this(
                root,
                options,
                clock,
                afterCanvasWrite,
                FileOpener.DEFAULT,
                CanvasWriteBack.RetryDelays.DEFAULT,
                nanos -> {});
    }

    /**
     * @param disk               opens every file the vault writes (tests give a disk that fills up)
     * @param retryDelays        how long links that could not be written wait before the next try
     * @param checkToRenameNanos told, per canvas write, the time from its last look at the canvas to its rename
     */
    FileVault(
            Path root,
            VaultOptions options,
            Clock clock,
            Consumer<String> afterCanvasWrite,
            FileOpener disk,
            CanvasWriteBack.RetryDelays retryDelays,
            LongConsumer checkToRenameNanos) {
        this(root, options, clock, afterCanvasWrite, disk, retryDelays, checkToRenameNanos, null);
    }

    /**
     * @param writer this server's name in a cluster sharing the vault; null outside a cluster: the process then keeps
     *     its ledger under a name of its own ({@code local-<pid>-<random>}), and takes over at start the ledgers of
     *     such processes that stopped (their lock released)
     */
    FileVault(
            Path root,
            VaultOptions options,
            Clock clock,
            Consumer<String> afterCanvasWrite,
            FileOpener disk,
            CanvasWriteBack.RetryDelays retryDelays,
            LongConsumer checkToRenameNanos,
            String writer) {
        this(root, options, clock, afterCanvasWrite, disk, retryDelays, checkToRenameNanos, writer, path -> {});
    }

    /**
     * @param beforeNoteActs told each folder on the way to a notes folder right before it is entered, and each note
     *     right before it is written: tests swap a folder for a link there
     */
    FileVault(
            Path root,
            VaultOptions options,
            Clock clock,
            Consumer<String> afterCanvasWrite,
            FileOpener disk,
            CanvasWriteBack.RetryDelays retryDelays,
            LongConsumer checkToRenameNanos,
            String writer,
            Consumer<Path> beforeNoteActs) {
        this(
                root,
                options,
                clock,
                afterCanvasWrite,
                disk,
                retryDelays,
                checkToRenameNanos,
                writer,
                beforeNoteActs,
                CanvasWriteBack.Steps.NONE);
    }

    /**
     * @param beforeCanvasStep told each step of a canvas write-back on the canvas's name right before it is made: tests
     *     swap the canvas's folder for a link there
     */
    FileVault(
            Path root,
            VaultOptions options,
            Clock clock,
            Consumer<String> afterCanvasWrite,
            FileOpener disk,
            CanvasWriteBack.RetryDelays retryDelays,
            LongConsumer checkToRenameNanos,
            String writer,
            Consumer<Path> beforeNoteActs,
            CanvasWriteBack.Steps beforeCanvasStep) {
        Objects.requireNonNull(root, "root");
        this.options = Objects.requireNonNull(options, "options");
        this.paths = new VaultPaths(root);
        AtomicFiles files = new AtomicFiles(Objects.requireNonNull(disk, "disk"));
        PendingLinks pendingLinks = !options.writeBack()
                ? PendingLinks.none()
                : writer == null ? PendingLinks.inVault(paths, disk) : PendingLinks.sharedBy(writer, paths, disk);
        this.content = new NodeContent(paths);
        this.writeBack = new CanvasWriteBack(
                paths,
                options,
                Objects.requireNonNull(clock, "clock"),
                files,
                pendingLinks,
                retryDelays,
                Objects.requireNonNull(afterCanvasWrite, "afterCanvasWrite"),
                checkToRenameNanos,
                Objects.requireNonNull(beforeCanvasStep, "beforeCanvasStep"));
        this.notes = new NoteWriter(paths, files, writeBack, Objects.requireNonNull(beforeNoteActs, "beforeNoteActs"));
        this.pendingLinks = pendingLinks;
        Instant cutoff = clock.instant().minus(LITTER_AGE);
        if (options.writeBack()) {
            writeBack.resume(pendingLinks.load(cutoff));
        }
        // a vault that writes nothing back is also a dry run's, which may change nothing: the litter of earlier runs
        // (and the canvas copies settled into visible kept files) waits for a run that writes
        this.litterSwept = options.writeBack()
                ? TemporaryLitter.sweepInBackground(paths.root(), cutoff, options.maxCanvasBytes())
                : CompletableFuture.completedFuture(0);
    }

    @Override
    public Canvas readCanvas(String canvasPath) throws VaultException {
        VaultFile file = paths.resolveVisible(canvasPath);
        if (!file.relative().endsWith(".canvas")) {
            throw new VaultException(
                    INVALID_CANVAS,
                    file.relative(),
                    "'" + file.relative() + "' is not a canvas: its name does not end in .canvas.");
        }
        return CanvasModel.toCanvas(CanvasFile.readAfterASaveInProgress(paths, file, options.maxCanvasBytes()));
    }

    @Override
    public boolean canvasExists(String canvasPath) {
        return Files.isRegularFile(paths.resolve(canvasPath).absolute());
    }

    /** The vault folder's absolute path. */
    @Override
    public String location() {
        return paths.root().toString();
    }

    @Override
    public String contentOf(String canvasPath, CanvasNode node) throws VaultException {
        Objects.requireNonNull(node, "node");
        paths.resolve(canvasPath);
        return content.of(node);
    }

    /**
     * Writes the note and, unless write-back is off or there is no canvas file, links it: the link is recorded in this
     * process's {@code .canvas-batch/pending-links-<writer>.jsonl} before the note is written, and queued for the canvas
     * once it is.
     */
    @Override
    public WrittenNote writeNote(NoteDraft draft) throws VaultException {
        return notes.write(Objects.requireNonNull(draft, "draft"));
    }

    @Override
    public java.util.Optional<FoundNote> noteWrittenSince(
            String canvasPath, String nodeId, AgentId agent, java.time.Instant since) {
        return notes.writtenSince(canvasPath, nodeId, agent, since);
    }

    @Override
    public void checkNotesFolder(String canvasPath) {
        notes.check(canvasPath);
    }

    @Override
    public Vault.NotedQuestions nodesWithNotes(String canvasPath) {
        return notes.nodesWithNotes(canvasPath);
    }

    @Override
    public String noteNameFor(String canvasPath, String nodeId, String nodeText, AgentId agent) {
        return notes.nameOf(canvasPath, nodeId, nodeText, agent);
    }

    @Override
    public void relink(String canvasPath, String nodeId, AgentId agent, String notePath) {
        if (!options.writeBack()) {
            return;
        }
        PendingLinks.Entry entry = pendingLinks.adopt(canvasPath, nodeId, agent, notePath);
        if (entry != null) {
            writeBack.resume(List.of(entry));
        }
    }

    /**
     * Takes over the links {@code writer}, another server of the cluster that stopped, left waiting in its own ledger:
     * each whose note is still that node's by that agent for that canvas is recorded in this server's ledger and
     * written into its canvas like any link (once: a link already there is not added twice), and that ledger is
     * deleted. Never called for a live server: nothing here can tell one from a dead one, the cluster can.
     */
    @Override
    public boolean adoptLinksLeftBy(String writer) {
        PendingLinks.Adopted adopted = pendingLinks.adopt(writer);
        if (!adopted.entries().isEmpty()) {
            writeBack.resume(adopted.entries());
        }
        return adopted.complete();
    }

    /** This process's pending-links ledger, vault-relative (tests). */
    String ledgerFile() {
        return pendingLinks.ledgerFile();
    }

    /** How many temporary files a stopped writer had left were deleted, once the look at start is done (tests). */
    CompletableFuture<Integer> litterSwept() {
        return litterSwept;
    }

    /** Writes the links waiting for this canvas now rather than after the coalesce interval (tests). */
    void flush(String canvasPath) {
        writeBack.flush(canvasPath);
    }

    /**
     * Writes every link still waiting, checks once more those written since each canvas was last quiet, and stops the
     * background writer; a note written afterwards is linked at once. Closing twice does nothing more.
     */
    @Override
    public void close() {
        writeBack.close();
        pendingLinks.close();
    }

    @Override
    public List<LinksLeftWaiting> linksLeftWaiting() {
        return writeBack.leftWaiting();
    }
}
