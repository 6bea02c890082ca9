package org.canvasbatch.adapters.vault;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.canvasbatch.adapters.vault.CanvasMerge.Link;
import org.canvasbatch.application.port.in.BatchLimits;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.canvasbatch.domain.agent.AgentId;

/**
 * Links notes back into their canvas (what is added is {@link CanvasMerge}'s to say), and alone decides when: a note's
 * link is recorded before the note is written ({@link #expect}) and queued once it is ({@link #written}); nobody else
 * links or flushes.
 *
 * <p>Links wait per canvas and are written together: the first at once, later ones at most once per coalesce interval
 * (measured with the injected clock), and all that wait on {@link #close}. Once a canvas has had no new link for a
 * while ({@link #QUIET}, at least one coalesce interval), the links written into it since it was last quiet are merged
 * once more, and at {@link #close} too: an editor that saved a copy it had loaded before a write-back (Obsidian saving
 * the canvas the learner works in) removed them, and this puts them back. Links already there change nothing.
 *
 * <p>A write never overwrites what someone else saved meanwhile (Obsidian saves a canvas while the learner works in
 * it): it reads the canvas, merges, writes the result to a temporary file, then compares the canvas again, byte for
 * byte and by its file's identity, size and time, with what it merged into; when something changed, it merges again.
 * Its last look is a hard link to the canvas's file right before the rename, which also keeps the replaced file
 * readable: a save that still landed in it is put back at once and merged again (see {@link #swap}). Only a save
 * renamed over the canvas between that link and the rename can still be lost: POSIX has no compare-and-swap rename.
 * docs/architecture.md says how long that window is. A canvas that is a symbolic link inside the vault is written
 * through: the rename replaces the file it points to, never the link.
 *
 * <p>Each merge round acts in the canvas's folder held open ({@link CanvasFolder}), entered from the vault's root
 * through the canvas's real folder path without following a link: the read, the temporary file, the last look, the
 * rename, the read of the replaced file, the put-back and every delete are relative to it, so a folder on the way
 * swapped for a link meanwhile leads none of them outside the vault. Only the hard link is made by path (Java has no
 * {@code linkat}), and checked through the held folder afterwards ({@link CanvasFolder#link}): a folder found swapped
 * ends the write without writing anything, and its links wait ({@link Swap.Moved}).
 *
 * <p>A write that cannot be done now (a canvas broken in the middle of a sync, a full disk, a canvas that keeps
 * changing) leaves the canvas as it is; its links wait and are tried again after a backoff, with the next link and on
 * every flush. A deleted canvas drops its links, and so does one that the links would push over the size limit. Links
 * also wait on disk ({@link PendingLinks}), so that those still waiting when the process stops are written at the
 * next start.
 */
final class CanvasWriteBack {

    private static final System.Logger LOG = System.getLogger(CanvasWriteBack.class.getName());
    /** How often one write merges again because the canvas changed under it, before it waits and tries later. */
    private static final int MERGE_ROUNDS = 20;
    /** How long a save found half-written in the replaced file is waited for, and how often it is looked at. */
    private static final Duration SAVE_IN_PROGRESS = Duration.ofSeconds(2);

    private static final Duration SAVE_POLL = Duration.ofMillis(2);
    /** How many saves found in replaced files wait at most to be carried into a write that could not be done yet. */
    private static final int MAX_CARRIED = 2 * MERGE_ROUNDS;
    /**
     * How long a canvas has had no new link before the links written since it was last quiet are merged once more:
     * longer than an editor takes to save a copy it loaded just before a write-back.
     */
    static final Duration QUIET = Duration.ofSeconds(5);

    private final VaultPaths paths;
    private final VaultOptions options;
    private final Clock clock;
    private final AtomicFiles files;
    private final PendingLinks pendingOnDisk;
    private final Consumer<String> afterWrite;
    private final RetryDelays retryDelays;
    private final LongConsumer checkToRenameNanos;
    private final Steps beforeStep;
    private final Map<String, PendingCanvas> canvases = new ConcurrentHashMap<>();
    /** Canvases whose absence was logged once: a batch of 170 notes for a renamed canvas is one log line, not 170. */
    private final Set<String> reportedGone = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService scheduler;
    private final Duration settleAfter;
    private volatile boolean closed;
    /** What {@link #close} could not write, per canvas; only touched under this object's lock. */
    private final List<Vault.LinksLeftWaiting> leftAtClose = new ArrayList<>();

    /** How long links that could not be written wait before the next try: doubling from {@code first} up to {@code max}. */
    record RetryDelays(Duration first, Duration max) {

        static final RetryDelays DEFAULT = new RetryDelays(Duration.ofMillis(250), Duration.ofMinutes(1));

        Duration after(int failures) {
            Duration delay = first.multipliedBy(1L << Math.min(20, Math.max(0, failures - 1)));
            return delay.compareTo(max) > 0 ? max : delay;
        }
    }

    /**
     * @param afterWrite         told the canvas's vault-relative path after each write that changed it
     * @param checkToRenameNanos told, for each write, the time from the last look at the canvas to the end of the
     *                           rename: the window in which another program's save could still be overwritten
     */
    CanvasWriteBack(
            VaultPaths paths,
            VaultOptions options,
            Clock clock,
            AtomicFiles files,
            PendingLinks pendingOnDisk,
            RetryDelays retryDelays,
            Consumer<String> afterWrite,
            LongConsumer checkToRenameNanos) {
        this(paths, options, clock, files, pendingOnDisk, retryDelays, afterWrite, checkToRenameNanos, Steps.NONE);
    }

    /**
     * The steps of a write on the canvas's name, in order, each told right before it is made: tests swap a folder for
     * a link there.
     */
    enum Step {
        /** The canvas's folder on the way, right before it is entered. */
        ENTERING,
        /** The canvas, right before it is read. */
        READING,
        /** The canvas, right before the temporary file beside it is written. */
        WRITING,
        /** The canvas, right before the last look at it. */
        CHECKING,
        /** The hidden second name about to be given to the canvas's file ({@code .prev}), right before it is. */
        LINKING,
        /** The canvas, right before the temporary file is renamed over it. */
        RENAMING,
        /** The second name of the file the rename replaced, right before it is read. */
        READING_REPLACED,
        /** The canvas, right before a save found in the replaced file is put back. */
        PUTTING_BACK
    }

    /** Told each {@link Step} of a write, with the path it acts on. */
    @FunctionalInterface
    interface Steps {
        Steps NONE = (step, path) -> {};

        void before(Step step, Path path);
    }

    /** @param beforeStep told each step of a write on the canvas's name, right before it is made (tests) */
    CanvasWriteBack(
            VaultPaths paths,
            VaultOptions options,
            Clock clock,
            AtomicFiles files,
            PendingLinks pendingOnDisk,
            RetryDelays retryDelays,
            Consumer<String> afterWrite,
            LongConsumer checkToRenameNanos,
            Steps beforeStep) {
        this.beforeStep = beforeStep;
        this.paths = paths;
        this.options = options;
        this.clock = clock;
        this.files = files;
        this.pendingOnDisk = pendingOnDisk;
        this.retryDelays = retryDelays;
        this.afterWrite = afterWrite;
        this.checkToRenameNanos = checkToRenameNanos;
        this.settleAfter = options.coalesceInterval().compareTo(QUIET) > 0 ? options.coalesceInterval() : QUIET;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "canvas-write-back");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = executor;
    }

    /**
     * A note of the canvas is about to be written: its link is recorded on disk first, so that no crash between the two
     * leaves the note unlinked. False when the note is not to be linked: write-back is off, or there is no canvas file.
     */
    Expected expect(VaultFile canvas, String sourceNodeId, AgentId agent, VaultFile note) {
        if (!options.writeBack()) {
            return Expected.NOTHING_TO_LINK;
        }
        if (!Files.isRegularFile(canvas.absolute())) {
            // the canvas was there when its batch was analysed: the learner renamed, moved or deleted it since
            if (reportedGone.add(canvas.relative())) {
                LOG.log(
                        WARNING,
                        "The canvas ''{0}'' is no longer in the vault: the notes written for it are not linked",
                        canvas.relative());
            }
            return new Expected(false, gone(canvas.relative()));
        }
        reportedGone.remove(canvas.relative());
        PendingCanvas pending = canvases.computeIfAbsent(canvas.relative(), key -> new PendingCanvas(canvas));
        Link link = new Link(sourceNodeId, note.relative(), agent.wireName(), clock.instant());
        String noRoom = pending.reserve(link);
        if (noRoom != null) {
            return new Expected(false, noRoom);
        }
        if (pending.lacksNode(sourceNodeId, paths)) {
            // the learner deleted the question's card since the batch began: the merge would skip the link
            pending.release(link);
            return new Expected(false, cardGone(canvas.relative()));
        }
        pendingOnDisk.add(canvas.relative(), sourceNodeId, agent, note.relative());
        if (readOnly(canvas.absolute())) {
            // linked once it can be written (the link waits), but not now: the node's outcome says so, and the plugin's
            // window gets the notice its summary ("Canvas已自动更新") needs
            return new Expected(true, readOnlyReason(canvas.relative()));
        }
        return Expected.LINKED;
    }

    private static String readOnlyReason(String canvasPath) {
        return "the canvas '" + canvasPath + "' is read-only (no one may write it): the note is written, and linked"
                + " into it once it can be written again";
    }

    /** {@link #readOnly(CanvasFolder)} by the canvas's path, for the note's outcome before anything is written. */
    private static boolean readOnly(Path canvas) {
        try {
            Set<java.nio.file.attribute.PosixFilePermission> permissions = Files.getPosixFilePermissions(canvas);
            return !permissions.contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE)
                    && !permissions.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    && !permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Whether a note about to be written is to be linked into its canvas.
     *
     * @param notLinkedBecause null, or why it is not although it has a canvas: for the node's outcome
     */
    record Expected(boolean linked, String notLinkedBecause) {

        static final Expected LINKED = new Expected(true, null);
        static final Expected NOTHING_TO_LINK = new Expected(false, null);
    }

    /**
     * Why a note of the canvas found after a restart is not linked into it, if that can be told now: its canvas is gone
     * (a note written then was not linked either). Null when write-back is off or the canvas is there.
     */
    String notLinkedNow(VaultFile canvas) {
        return options.writeBack() && !Files.isRegularFile(canvas.absolute()) ? gone(canvas.relative()) : null;
    }

    /** The note {@link #expect}ed could not be written: nothing to link. */
    void withdraw(VaultFile canvas, String sourceNodeId, AgentId agent) {
        release(canvas, new Link(sourceNodeId, "", agent.wireName(), null));
        pendingOnDisk.withdraw(canvas.relative(), sourceNodeId, agent);
    }

    /** The note {@link #expect}ed is written: its link goes into the canvas with the next write. */
    void written(VaultFile canvas, String sourceNodeId, AgentId agent, VaultFile note, Instant generatedAt) {
        Link link = new Link(sourceNodeId, note.relative(), agent.wireName(), generatedAt);
        submit(canvas, link);
        release(canvas, link);
    }

    private void release(VaultFile canvas, Link link) {
        PendingCanvas pending = canvases.get(canvas.relative());
        if (pending != null) {
            pending.release(link);
        }
    }

    /**
     * Queues links waiting on disk from an earlier run, all of a canvas before its write is scheduled, so that they are
     * written together, at once, as the first link of a canvas is.
     */
    void resume(List<PendingLinks.Entry> entries) {
        Map<PendingCanvas, List<Link>> byCanvas = new LinkedHashMap<>();
        for (PendingLinks.Entry entry : entries) {
            try {
                VaultFile canvas = paths.resolveVisible(entry.canvasPath());
                VaultFile note = paths.resolveVisible(entry.link().notePath());
                PendingCanvas pending = canvases.computeIfAbsent(canvas.relative(), key -> new PendingCanvas(canvas));
                byCanvas.computeIfAbsent(pending, p -> new ArrayList<>())
                        .add(new Link(
                                entry.link().sourceNodeId(),
                                note.relative(),
                                entry.link().agent(),
                                generatedAt(note)));
            } catch (VaultException e) {
                pendingOnDisk.resolved(entry.canvasPath(), List.of(entry.link()));
                LOG.log(WARNING, "Dropped a note link left from an earlier run: {0}", e.getMessage());
            }
        }
        byCanvas.forEach((pending, links) -> {
            pending.putBack(links);
            if (pending.add(links.getLast())) {
                write(pending, false);
            }
        });
    }

    private void submit(VaultFile canvas, Link link) {
        PendingCanvas pending = canvases.computeIfAbsent(canvas.relative(), key -> new PendingCanvas(canvas));
        if (pending.add(link)) {
            write(pending, false);
        }
    }

    /** Writes the links waiting for this canvas now rather than after the coalesce interval (tests). */
    void flush(String canvasPath) {
        PendingCanvas pending = canvases.get(paths.resolve(canvasPath).relative());
        if (pending != null) {
            pending.cancelScheduled();
            write(pending, false);
        }
    }

    /**
     * Writes every link still waiting, merges once more those written since each canvas was last quiet, and stops the
     * background writer; a link queued afterwards is written at once by the thread that queues it.
     */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdown();
        try {
            // A write in progress finishes rather than being interrupted halfway through its rename.
            scheduler.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (PendingCanvas pending : canvases.values()) {
            pending.cancelScheduled();
            write(pending, true);
            int left = pending.waiting();
            int notCarried = pending.notCarried();
            if (notCarried > 0) {
                LOG.log(
                        WARNING,
                        "{0} save(s) of ''{1}'' found in a file a write-back replaced could not be put back into it.",
                        notCarried,
                        pending.canvas.relative());
            }
            if (left > 0) {
                boolean kept = pendingOnDisk.recordAll();
                LOG.log(
                        WARNING,
                        kept
                                ? "{0} note link(s) could not be written into ''{1}'' yet; they are kept and written at"
                                        + " the next start."
                                : "{0} note link(s) could not be written into ''{1}'', nor recorded in the vault to be"
                                        + " written later (see above); they are lost when this process stops.",
                        left,
                        pending.canvas.relative());
                leftAtClose.add(
                        new Vault.LinksLeftWaiting(pending.canvas.relative(), left, pending.lastFailure(), kept));
            }
        }
    }

    /** Per canvas, the links {@link #close} could not write; none before it. */
    synchronized List<Vault.LinksLeftWaiting> leftWaiting() {
        return List.copyOf(leftAtClose);
    }

    private void writeScheduled(PendingCanvas pending, Object run) {
        Boolean settle = pending.scheduledRan(run);
        if (settle == null) {
            return;
        }
        try {
            write(pending, settle);
        } catch (RuntimeException e) {
            LOG.log(WARNING, "Linking notes into ''{0}'' failed: {1}", pending.canvas.relative(), e.toString());
        }
    }

    /** @param settle whether the links written since the canvas was last quiet are merged once more */
    private void write(PendingCanvas pending, boolean settle) {
        pending.writing.lock();
        try {
            Batch batch = pending.take(settle);
            if (batch.isEmpty()) {
                return;
            }
            Outcome outcome = writeLinks(pending, batch.merged(), batch.againOnly());
            switch (outcome) {
                case Outcome.Written written -> {
                    if (batch.settles()) {
                        // the canvas is quiet: an editor that loaded it without a save put back has reloaded since
                        pending.forgetKept();
                    }
                    pendingOnDisk.resolved(pending.canvas.relative(), batch.waiting());
                    if (!written.overLimit().isEmpty()) {
                        LOG.log(
                                WARNING,
                                "Not linked {0} note(s): {1}",
                                written.overLimit().size(),
                                overLimit(
                                        pending.canvas.relative(),
                                        nodeCount(written.merge().canvas())));
                    }
                    pending.succeeded(written, batch.without(written.overLimit()));
                    if (written.changed()) {
                        afterWrite.accept(pending.canvas.relative());
                    }
                }
                case Outcome.Dropped dropped -> {
                    pending.forgetKept();
                    pendingOnDisk.resolved(pending.canvas.relative(), batch.waiting());
                    pending.dropped();
                    LOG.log(
                            WARNING,
                            "Dropped {0} note link(s): {1}",
                            batch.merged().size(),
                            dropped.reason());
                }
                case Outcome.Later later -> {
                    pending.putBack(batch.waiting());
                    pending.failed(later, batch.settles(), batch.merged().size());
                }
            }
        } finally {
            pending.writing.unlock();
        }
    }

    /**
     * One write's links: those waiting, and when it settles the canvas, those written since it was last quiet, merged
     * again in case a save removed them.
     */
    private record Batch(List<Link> waiting, List<Link> again, boolean settles) {

        boolean isEmpty() {
            return waiting.isEmpty() && again.isEmpty();
        }

        Batch without(List<Link> left) {
            if (left.isEmpty()) {
                return this;
            }
            Set<String> keys = new HashSet<>();
            left.forEach(link -> keys.add(link.key()));
            return new Batch(
                    waiting.stream().filter(link -> !keys.contains(link.key())).toList(),
                    again.stream().filter(link -> !keys.contains(link.key())).toList(),
                    settles);
        }

        /** The links merged once more that no waiting link of the same note replaces. */
        List<Link> againOnly() {
            if (again.isEmpty()) {
                return List.of();
            }
            Set<String> waitingKeys = new HashSet<>();
            waiting.forEach(link -> waitingKeys.add(link.key()));
            return again.stream()
                    .filter(link -> !waitingKeys.contains(link.key()))
                    .toList();
        }

        /** A waiting link replaces an older one of the same note. */
        List<Link> merged() {
            Map<String, Link> byKey = new LinkedHashMap<>();
            again.forEach(link -> byKey.put(link.key(), link));
            waiting.forEach(link -> byKey.put(link.key(), link));
            return List.copyOf(byKey.values());
        }
    }

    /** What became of one write of waiting links. */
    private sealed interface Outcome {

        /**
         * Merged, and written when that changed the canvas (not when every link was already there).
         *
         * @param overLimit links left out because the canvas would have had more nodes than a batch may read
         */
        record Written(CanvasMerge.Result merge, boolean changed, List<Link> overLimit) implements Outcome {}

        /** Never to be written: the canvas is gone, or would be too large. */
        record Dropped(String reason) implements Outcome {}

        /** Not now: tried again later. */
        record Later(Reason kind, String reason) implements Outcome {}
    }

    /**
     * Merges and writes, carrying the saves still to be carried over: a write that cannot be done now keeps them for
     * the next one (they are nowhere else: the files they were saved into are gone), a write done or dropped ends them.
     */
    private Outcome writeLinks(PendingCanvas pending, List<Link> batch, List<Link> again) {
        List<LostSave> carried = pending.carried;
        Outcome outcome = writeLinks(pending, batch, again, carried);
        if (outcome instanceof Outcome.Later) {
            if (carried.size() > MAX_CARRIED) {
                LOG.log(
                        WARNING,
                        "''{0}'' kept being saved while notes were linked into it; {1} save(s) made meanwhile could"
                                + " not be kept.",
                        pending.canvas.relative(),
                        carried.size() - MAX_CARRIED);
                carried.subList(0, carried.size() - MAX_CARRIED).clear();
            }
        } else {
            carried.clear();
        }
        return outcome;
    }

    /**
     * @param again the links of {@code batch} merged once more because a save may have removed them; those the
     *              learner removed are not
     */
    private Outcome writeLinks(PendingCanvas pending, List<Link> batch, List<Link> again, List<LostSave> carried) {
        VaultFile canvasFile = pending.canvas;
        for (int round = 1; round <= MERGE_ROUNDS; round++) {
            CanvasFolder folder;
            try {
                folder = DiskSnapshot.hold(paths, canvasFile, path -> beforeStep.before(Step.ENTERING, path));
            } catch (VaultException e) {
                return switch (e.reason()) {
                    case NOT_FOUND, NOT_A_FILE -> new Outcome.Dropped(e.getMessage());
                    // a canvas the batch read inside the vault: a folder on its way that is a link now was swapped
                    // (a link there from the start is refused before any batch), and may come back; its links wait
                    case OUTSIDE_VAULT ->
                        new Outcome.Later(e.reason(), e.getMessage() + " The canvas was left as it is.");
                    default -> new Outcome.Later(e.reason(), e.getMessage() + " The canvas was left as it is.");
                };
            }
            try {
                Outcome outcome = writeRound(pending, batch, again, carried, folder);
                if (outcome != null) {
                    return outcome;
                }
            } finally {
                closeQuietly(folder);
            }
        }
        return new Outcome.Later(
                Reason.IO, "The canvas '" + canvasFile.relative() + "' kept changing while notes were linked into it.");
    }

    /**
     * One merge round, in the canvas's folder held open: every step on the canvas's name is made relative to it. Null
     * when the canvas changed meanwhile and is to be merged again.
     */
    private Outcome writeRound(
            PendingCanvas pending, List<Link> batch, List<Link> again, List<LostSave> carried, CanvasFolder folder) {
        VaultFile canvasFile = pending.canvas;
        if (readOnly(folder)) {
            // looked at before the canvas is read and merged: its links wait, tried again now and then
            return new Outcome.Later(
                    Reason.IO,
                    "The canvas '" + canvasFile.relative() + "' is read-only (no one may write it), so its notes are"
                            + " not linked into it: they are linked once it can be written again. The canvas was left"
                            + " as it is.");
        }
        CanvasFile canvas;
        try {
            beforeStep.before(Step.READING, folder.path());
            canvas = readWaitingForASaveInProgress(folder, canvasFile);
            pending.counted(canvas);
            // Someone saved the canvas since this write-back put in place the one that carried a save over: it may
            // be an editor that loaded the canvas without that save (before it was put back), so it is carried once
            // more, before the saves found since (it is older than they are).
            carried.addAll(0, pending.keptIfSavedOver(canvas.snapshot().bytes()));
        } catch (VaultException e) {
            return switch (e.reason()) {
                case NOT_FOUND, NOT_A_FILE, OUTSIDE_VAULT -> new Outcome.Dropped(e.getMessage());
                default -> new Outcome.Later(e.reason(), e.getMessage() + " The canvas was left as it is.");
            };
        }
        // A save that went into a file this write-back replaced is carried into the canvas as it is now: into
        // what this write-back wrote, or into what the editor saved after it reloaded the canvas without that
        // save. Each stays to be carried over, in the order they were found, until a write replaces the canvas
        // with nobody saving meanwhile: a later save may have been made from a canvas without an earlier one.
        JsonObject base = canvas.root();
        boolean recovering = !carried.isEmpty();
        for (LostSave lost : carried) {
            base = SaveCarryOver.carry(lost.over(), lost.saved(), lost.replacedWith(), base);
        }
        CanvasMerge.Settings settings = mergeSettings();
        Set<Link> removedByTheLearner = pending.removedByTheLearner(base);
        List<Link> linking = batch;
        if (!removedByTheLearner.isEmpty() && !again.isEmpty()) {
            Set<Link> notAgain = new HashSet<>(again);
            notAgain.retainAll(removedByTheLearner);
            linking = batch.stream().filter(link -> !notAgain.contains(link)).toList();
        }
        List<Link> fitting = linking;
        CanvasMerge.Result merge = CanvasMerge.merge(base, fitting, settings);
        // Never a canvas a batch would refuse to read: the links beyond the node limit are left out (the learner
        // added nodes since their notes were written; the notes said so only when the canvas was full then).
        while (nodeCount(merge.canvas()) > BatchLimits.MAX_NODES && !fitting.isEmpty()) {
            int over = nodeCount(merge.canvas()) - BatchLimits.MAX_NODES;
            int drop = Math.min(fitting.size(), Math.max(1, (over + nodesPerLink() - 1) / nodesPerLink()));
            fitting = List.copyOf(fitting.subList(0, fitting.size() - drop));
            merge = CanvasMerge.merge(base, fitting, settings);
        }
        if (fitting.isEmpty() && nodeCount(merge.canvas()) > BatchLimits.MAX_NODES) {
            return new Outcome.Dropped(overLimit(canvas.path(), nodeCount(base)));
        }
        List<Link> overLimit = linking.subList(fitting.size(), linking.size());
        if (!merge.changed() && !recovering) {
            return new Outcome.Written(merge, false, overLimit);
        }
        byte[] bytes = (CanvasJsonWriter.write(merge.canvas()) + (canvas.endsWithNewline() ? "\n" : ""))
                .getBytes(StandardCharsets.UTF_8);
        if (bytes.length > options.maxCanvasBytes()) {
            return new Outcome.Dropped(CanvasFile.tooLarge(canvas.path(), bytes.length, options.maxCanvasBytes())
                    .getMessage());
        }
        Path temporary = null;
        try {
            beforeStep.before(Step.WRITING, folder.path());
            temporary = files.writeTemporary(folder.held(), folder.name(), bytes, true);
            Swap swap = swap(folder, canvas, temporary, bytes);
            switch (swap) {
                case Swap.Replaced replaced -> {
                    pending.placed(bytes, merge.canvas(), carried);
                    pending.wrote(merge, fitting);
                    pending.counted(replaced.ours(), merge.canvas());
                    return new Outcome.Written(merge, true, overLimit);
                }
                case Swap.Changed changed ->
                    LOG.log(DEBUG, "''{0}'' changed while links were merged into it; merging again", canvas.path());
                case Swap.Moved moved -> {
                    return new Outcome.Later(
                            Reason.IO,
                            "The folder of the canvas '" + canvas.path() + "' was moved or swapped for a link"
                                    + " while notes were linked into it; nothing was written outside the vault,"
                                    + " and the canvas was left as it is.");
                }
                case Swap.ReplacedAfterASave saved -> {
                    // what was renamed into place was the canvas for a moment, and an editor may have read it
                    pending.wrote(merge, fitting);
                    LOG.log(DEBUG, "''{0}'' was saved in place while it was replaced; merging again", canvas.path());
                    carried.add(new LostSave(canvas.root(), saved.canvas().root(), merge.canvas(), false));
                    if (saved.intoOurs() != null) {
                        carried.add(new LostSave(
                                merge.canvas(),
                                saved.intoOurs().root(),
                                saved.canvas().root(),
                                false));
                    }
                }
            }
        } catch (IOException e) {
            return new Outcome.Later(
                    DiskProblem.reason(e),
                    "Cannot write the canvas '" + canvas.path() + "': " + DiskProblem.describe(e)
                            + ". The canvas was left as it is.");
        } finally {
            deleteQuietly(folder, temporary);
        }
        return null;
    }

    /**
     * Whether the learner made the canvas read-only (no write bit for anyone: Obsidian could not save it either). The
     * rename that replaces the canvas needs only its folder to be writable, so without this look a canvas of mode
     * {@code r--r--r--} was rewritten all the same (a hostile tester's finding). Looked at through the held folder;
     * where there are no POSIX permissions, or they cannot be read, it is not taken as read-only.
     */
    private static boolean readOnly(CanvasFolder folder) {
        try {
            java.nio.file.attribute.PosixFileAttributeView view = folder.held().posix(folder.name());
            if (view == null) {
                return false;
            }
            Set<java.nio.file.attribute.PosixFilePermission> permissions =
                    view.readAttributes().permissions();
            return !permissions.contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE)
                    && !permissions.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    && !permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private CanvasMerge.Settings mergeSettings() {
        return new CanvasMerge.Settings(options.labelNodes(), clock.getZone(), clock.instant());
    }

    private int nodesPerLink() {
        return options.labelNodes() ? 2 : 1;
    }

    private static int nodeCount(jakarta.json.JsonObject canvas) {
        return canvas.get("nodes") instanceof jakarta.json.JsonArray nodes ? nodes.size() : 0;
    }

    /** Why a note is not linked into a canvas that has no room left for it. */
    private static String gone(String canvasPath) {
        return "the canvas '" + canvasPath + "' is no longer in the vault (renamed, moved or deleted since the batch"
                + " began); the note is written but not linked: link it by hand in the canvas as it is now.";
    }

    /** Why a note is not linked into a canvas that no longer has its question's card. */
    private static String cardGone(String canvasPath) {
        return "the question's card is no longer in the canvas '" + canvasPath + "' (deleted since the batch began);"
                + " the note is written but not linked.";
    }

    private static String overLimit(String canvasPath, int nodes) {
        return overLimit(canvasPath, nodes, 0);
    }

    /**
     * @param othersWaiting links of other notes waiting to go into the canvas before this one's: "9 997 nodes" and a
     *                      note of two nodes beyond 10 000 reads as a wrong sum without them
     */
    private static String overLimit(String canvasPath, int nodes, int othersWaiting) {
        return "the canvas '" + canvasPath + "' has " + nodes + " nodes"
                + (othersWaiting > 0
                        ? " and " + othersWaiting + " other note link(s) waiting to go into it; with them, linking the"
                                + " note would take it beyond "
                        : ", and linking the note would take it beyond ")
                + BatchLimits.MAX_NODES + ", the most a canvas may have for a batch to read it; the note is written"
                + " but not linked: link it by hand, or make room in the canvas and run the node again.";
    }

    /**
     * Why a link of this canvas does not fit, or null when it does: the canvas as it is, with every link waiting or
     * about to be written, must stay within the node limit. A canvas that cannot be read now (half saved) is not
     * refused here: its links wait and are tried again, as always.
     */
    private String noRoomFor(PendingCanvas pending, List<Link> coming, Link mine) {
        VaultFile canvasFile = pending.canvas;
        OptionalInt known = pending.nodesIfUnchanged(paths);
        if (known.isPresent() && known.getAsInt() + (long) nodesPerLink() * coming.size() <= BatchLimits.MAX_NODES) {
            return null;
        }
        CanvasFile canvas;
        try {
            canvas = CanvasFile.read(paths, canvasFile, options.maxCanvasBytes());
        } catch (VaultException e) {
            return e.reason() == Reason.TOO_LARGE ? e.getMessage() + " The note is written but not linked." : null;
        }
        pending.counted(canvas);
        int nodes = canvas.nodes().size();
        if (nodes + (long) nodesPerLink() * coming.size() <= BatchLimits.MAX_NODES) {
            return null;
        }
        // Near the limit: exactly, since a note linked before adds nothing when it is written again.
        CanvasMerge.Result merge = CanvasMerge.merge(
                canvas.root(),
                coming,
                new CanvasMerge.Settings(options.labelNodes(), clock.getZone(), clock.instant()));
        if (nodeCount(merge.canvas()) <= BatchLimits.MAX_NODES) {
            return null;
        }
        // the others that add nodes: a note linked before and written again adds none, and is no part of the sum
        Set<String> othersAdding = new HashSet<>();
        merge.linked().forEach(link -> othersAdding.add(link.key()));
        merge.labelled().forEach(link -> othersAdding.add(link.key()));
        othersAdding.remove(mine.key());
        return overLimit(canvasFile.relative(), nodes, othersAdding.size());
    }

    /**
     * The canvas as it is now. One that is not valid JSON may be in the middle of a save (an editor that truncates and
     * rewrites leaves it empty or half written for a moment), so it is read again for a short while before it counts
     * as broken.
     */
    private CanvasFile readWaitingForASaveInProgress(CanvasFolder folder, VaultFile canvasFile) {
        long deadline = System.nanoTime() + SAVE_IN_PROGRESS.toNanos();
        while (true) {
            try {
                return CanvasFile.read(folder, canvasFile, options.maxCanvasBytes());
            } catch (VaultException e) {
                if (e.reason() != Reason.INVALID_CANVAS || System.nanoTime() > deadline || closed) {
                    throw e;
                }
                LockSupport.parkNanos(SAVE_POLL.toNanos());
            }
        }
    }

    /**
     * A save another program made into a file that a rename of this write-back then took out of the canvas.
     *
     * @param over         what the file held before the save
     * @param saved        the save
     * @param replacedWith what the rename put in the canvas's place
     * @param again        carried once more, into a save made after a canvas that carried it was put in place: not
     *                     kept for another
     */
    private record LostSave(JsonObject over, JsonObject saved, JsonObject replacedWith, boolean again) {

        LostSave once() {
            return new LostSave(over, saved, replacedWith, true);
        }
    }

    /** How replacing the canvas went. */
    private sealed interface Swap {

        /** @param ours the state of the file written, now the canvas */
        record Replaced(FileState ours) implements Swap {}

        /** Not replaced: the canvas is not what the merge was made from any more. */
        record Changed() implements Swap {}

        /**
         * Not replaced: the folder's path no longer leads to the folder held (a folder on the way swapped for a link,
         * or moved), so the hard link, which only a path can make, cannot be taken there.
         */
        record Moved() implements Swap {}

        /**
         * Replaced, but another program wrote into the replaced file meanwhile: its save, to merge into again. When
         * that save was put back, {@code intoOurs} is a save found in the file written, which the put-back took out of
         * the canvas in its turn; else null.
         */
        record ReplacedAfterASave(CanvasFile canvas, CanvasFile intoOurs) implements Swap {}
    }

    /**
     * Renames the temporary file over the canvas if the canvas is still what {@code read} saw.
     *
     * <p>Right before the rename, a hard link to the canvas's current file keeps whatever the rename replaces readable.
     * Taking it waits for a rename another program has under way in the same folder (a look at the attributes would
     * not), and nothing but the rename follows it. After the rename, the replaced file is compared with what was read:
     * a save that landed since the last look, renamed over the canvas before the link or written in place into the
     * replaced file (as an editor that truncates and rewrites does), is merged into again instead of being lost. Only
     * a save renamed over the canvas between the link and the rename is not seen. Where the file system has no hard
     * links, the last look is the file's attributes.
     */
    private Swap swap(CanvasFolder folder, CanvasFile read, Path temporary, byte[] written) throws IOException {
        DiskSnapshot snapshot = read.snapshot();
        HeldFolder held = folder.held();
        beforeStep.before(Step.CHECKING, folder.path());
        if (!unchangedSince(folder, snapshot)) {
            return new Swap.Changed();
        }
        Path previous = Path.of(AtomicFiles.previousName());
        boolean linked = false;
        try {
            beforeStep.before(Step.LINKING, held.resolve(previous));
            switch (folder.link(previous)) {
                case LINKED -> linked = true;
                case GONE, CHANGED -> {
                    return new Swap.Changed();
                }
                case MOVED -> {
                    return new Swap.Moved();
                }
                case NONE -> LOG.log(DEBUG, "No hard link beside ''{0}''", read.path());
            }
            if (!linked) {
                BasicFileAttributes now = folder.attributes();
                if (now == null || !FileState.of(now).equals(snapshot.state())) {
                    return new Swap.Changed();
                }
            }
            beforeStep.before(Step.RENAMING, folder.path());
            BasicFileAttributes made = held.attributes(temporary);
            if (made == null || !made.isRegularFile()) {
                throw new NoSuchFileException(held.resolve(temporary).toString(), null, "the temporary file is gone");
            }
            FileState ours = FileState.of(made);
            long lastLook = System.nanoTime();
            held.rename(temporary, folder.name());
            checkToRenameNanos.accept(System.nanoTime() - lastLook);
            if (linked) {
                beforeStep.before(Step.READING_REPLACED, held.resolve(previous));
            }
            if (!linked || sameAsRead(held, previous, snapshot)) {
                return new Swap.Replaced(ours);
            }
            // A save landed in what was just replaced. It is read first: an editor that reloads the canvas before it
            // is put back saves next without it, into the file put back. Then it is put back at once, before anyone
            // else reads the canvas without it (an editor that reloads the file would lose the save from its own
            // memory), and merged again.
            Found found = savedInto(held, previous, read, snapshot.bytes());
            if (found.equals(Found.NOTHING)) {
                return new Swap.Replaced(ours);
            }
            PutBack putBack = putBack(folder, read, previous, ours, written);
            if (putBack == null) {
                return found.save() == null ? new Swap.Replaced(ours) : new Swap.ReplacedAfterASave(found.save(), null);
            }
            // A save not yet finished is finished into the canvas, and read there by the next merge.
            return found.save() == null
                    ? new Swap.Changed()
                    : new Swap.ReplacedAfterASave(found.save(), putBack.intoOurs());
        } finally {
            if (linked) {
                folder.delete(previous);
            }
        }
    }

    /** Whether the file {@code name} in {@code held} is still the one read, with the same bytes. */
    private static boolean sameAsRead(HeldFolder held, Path name, DiskSnapshot read) throws IOException {
        BasicFileAttributes now = held.attributes(name);
        if (now == null) {
            throw new NoSuchFileException(held.resolve(name).toString());
        }
        if (!now.isRegularFile() || !FileState.of(now).equals(read.state())) {
            return false;
        }
        try (InputStream in = held.read(name, now)) {
            return Arrays.equals(in.readNBytes(read.bytes().length + 1), read.bytes());
        } catch (RegularFiles.NotARegularFile e) {
            return false;
        }
    }

    /**
     * What a put-back did.
     *
     * @param intoOurs a save another program made into the file the put-back replaced (the one this write-back had
     *                 written), or null
     */
    private record PutBack(CanvasFile intoOurs) {}

    /**
     * Renames the replaced file, which holds another program's save, back over the canvas if the canvas is still the
     * file this write-back wrote; null when it is not put back. Guarded as the write's own rename is: a hard link keeps
     * the file the put-back replaces readable, and what an editor saved into it after reloading the canvas (a save
     * that may leave its size and time as they were: a file system's clock ticks every few milliseconds) is found
     * there rather than lost. When the folder's path no longer leads to the folder held, that link cannot be taken;
     * the save is put back all the same, relative to the folder held, on the last look at the canvas's attributes (as
     * where there are no hard links), so that it is not lost.
     */
    private PutBack putBack(CanvasFolder folder, CanvasFile read, Path previous, FileState ours, byte[] written)
            throws IOException {
        HeldFolder held = folder.held();
        Path replaced = Path.of(AtomicFiles.previousName());
        boolean linked = false;
        try {
            beforeStep.before(Step.PUTTING_BACK, folder.path());
            CanvasFolder.Linked link = folder.link(replaced);
            switch (link) {
                case LINKED -> linked = true;
                case MOVED -> LOG.log(DEBUG, "Putting back a save of ''{0}'' without a hard link", read.path());
                default -> {
                    LOG.log(DEBUG, "Did not put back a save of ''{0}'': {1}", read.path(), link);
                    return null;
                }
            }
            BasicFileAttributes now = held.attributes(linked ? replaced : folder.name());
            if (now == null || !FileState.of(now).equals(ours)) {
                return null;
            }
            try {
                held.rename(previous, folder.name());
            } catch (IOException e) {
                LOG.log(DEBUG, "Could not put back a save of ''{0}'': {1}", read.path(), e.toString());
                return null;
            }
            return new PutBack(linked ? savedInto(held, replaced, read, written).save() : null);
        } finally {
            if (linked) {
                folder.delete(replaced);
            }
        }
    }

    /**
     * What a replaced file holds: nothing but what it held ({@link #NOTHING}), another program's save, or a save that
     * did not finish in time ({@link #UNFINISHED}).
     */
    private record Found(CanvasFile save, boolean unfinished) {

        static final Found NOTHING = new Found(null, false);
        static final Found UNFINISHED = new Found(null, true);
    }

    /**
     * What another program saved into the file just replaced, {@code replaced} in {@code held}, which held
     * {@code had}. A save in progress (the file cut to nothing, or half written) is waited for, briefly: it is one
     * write of the whole canvas.
     */
    private Found savedInto(HeldFolder held, Path replaced, CanvasFile read, byte[] had) throws IOException {
        long deadline = System.nanoTime() + SAVE_IN_PROGRESS.toNanos();
        while (true) {
            byte[] now;
            BasicFileAttributes looked;
            try {
                looked = held.attributes(replaced);
                if (looked == null) {
                    throw new NoSuchFileException(held.resolve(replaced).toString());
                }
                if (!looked.isRegularFile()) {
                    throw new RegularFiles.NotARegularFile(
                            held.resolve(replaced), FileKind.describe(held.resolve(replaced), looked));
                }
                try (InputStream in = held.read(replaced, looked)) {
                    now = in.readAllBytes();
                }
            } catch (RegularFiles.NotARegularFile e) {
                // what the canvas's name held right before the rename was no canvas file: there is no save to keep
                LOG.log(
                        WARNING,
                        "''{0}'' was {1} when notes were linked into it; nothing of it was kept.",
                        read.path(),
                        e.what());
                return Found.NOTHING;
            }
            if (Arrays.equals(now, had)) {
                return Found.NOTHING;
            }
            try {
                BasicFileAttributes after = held.attributes(replaced);
                return new Found(
                        CanvasFile.parse(
                                read.file(),
                                new DiskSnapshot(
                                        read.snapshot().target(), now, FileState.of(after == null ? looked : after))),
                        false);
            } catch (VaultException halfWritten) {
                if (System.nanoTime() > deadline) {
                    LOG.log(
                            WARNING,
                            "''{0}'' was being saved while notes were linked into it, and that save did not finish.",
                            read.path());
                    return Found.UNFINISHED;
                }
                LockSupport.parkNanos(SAVE_POLL.toNanos());
            }
        }
    }

    /**
     * Whether the canvas is still exactly what the merge was made from: the same file (not another renamed over it),
     * with the same size and time, and the same bytes.
     */
    private boolean unchangedSince(CanvasFolder folder, DiskSnapshot read) throws IOException {
        BasicFileAttributes now = folder.attributes();
        if (now == null || !FileState.of(now).equals(read.state())) {
            return false;
        }
        try {
            return sameAsRead(folder.held(), folder.name(), read);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Deletes the temporary file {@code name} from the folder, if it is still there (not renamed into place). */
    private static void deleteQuietly(CanvasFolder folder, Path name) {
        if (name == null) {
            return;
        }
        try {
            folder.held().delete(name);
        } catch (NoSuchFileException e) {
            // renamed into place
        } catch (IOException e) {
            LOG.log(DEBUG, "A temporary file could not be removed: {0}", DiskProblem.describe(e));
        }
    }

    private static void closeQuietly(CanvasFolder folder) {
        try {
            folder.close();
        } catch (IOException e) {
            // only read and renamed in: everything done in it is done
        }
    }

    /** When the note was written, from its own front matter; null when that cannot be read. */
    private static Instant generatedAt(VaultFile note) {
        String value = FrontMatter.readFields(note.absolute()).get(FrontMatter.GENERATED_AT);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The links waiting for one canvas, those written since it was last quiet, when it may be written next, and how its
     * last writes went.
     */
    /**
     * Numbers of canvases put in place, as runs of consecutive numbers, each as long as it can be: a link that is
     * missing from one canvas of a burst is usually missing from those after it too.
     */
    private static final class Runs {
        private final List<int[]> runs = new ArrayList<>();

        /** Adds a number larger than any added before. */
        void add(int number) {
            if (!runs.isEmpty() && runs.getLast()[1] == number - 1) {
                runs.getLast()[1] = number;
            } else {
                runs.add(new int[] {number, number});
            }
        }

        /**
         * Whether every number here from {@code first} on is in {@code other} (null: none). Runs are as long as they
         * can be, so a stretch of numbers in {@code other} lies within one of its runs.
         */
        boolean coveredFrom(int first, Runs other) {
            for (int[] run : runs) {
                if (run[1] < first) {
                    continue;
                }
                int from = Math.max(run[0], first);
                boolean covered = false;
                if (other != null) {
                    for (int[] candidate : other.runs) {
                        if (candidate[0] <= from && run[1] <= candidate[1]) {
                            covered = true;
                            break;
                        }
                    }
                }
                if (!covered) {
                    return false;
                }
            }
            return true;
        }
    }

    private final class PendingCanvas {

        final VaultFile canvas;
        final ReentrantLock writing = new ReentrantLock();
        private final ReentrantLock guard = new ReentrantLock();
        private final Map<String, Link> links = new LinkedHashMap<>();
        /**
         * Saves found in files a write replaced and not yet in the canvas, in the order found, kept from a write that
         * could not be done to the next; only touched while {@link #writing} is held.
         */
        final List<LostSave> carried = new ArrayList<>();
        /**
         * Saves found in replaced files that the canvas this write-back put in place last carries, kept until someone
         * saves over that canvas: an editor that loaded the canvas while it was without a save (between a rename and the
         * put-back) may save what it loaded after the merge that carried the save was renamed into place, into that
         * file, with nobody saving into the one it replaced. Its first save after it is carried into once more
         * ({@link #keptIfSavedOver}); the canvas settling ends them too. Only touched while {@link #writing} is held.
         */
        private final List<LostSave> kept = new ArrayList<>();

        /** The bytes this write-back put in place last, while {@link #kept} holds saves. */
        private byte[] keptIn;

        /**
         * The saves kept, taken out to be carried once more, when the canvas read is not what this write-back put in
         * place last (someone saved over it); else none. Under {@link #writing}.
         */
        List<LostSave> keptIfSavedOver(byte[] read) {
            if (kept.isEmpty() || Arrays.equals(read, keptIn)) {
                return List.of();
            }
            List<LostSave> again = kept.stream().map(LostSave::once).toList();
            forgetKept();
            return again;
        }

        /**
         * {@code written} ({@code canvas}) was renamed into place with nobody saving into the file it replaced: the
         * saves it carries over that were found in replaced files (not those carried once more) are kept. Under
         * {@link #writing}.
         */
        void placed(byte[] written, JsonObject canvas, List<LostSave> carried) {
            for (LostSave lost : carried) {
                if (!lost.again() && SaveCarryOver.holds(lost.over(), lost.saved(), lost.replacedWith(), canvas)) {
                    kept.add(lost);
                }
            }
            keptIn = kept.isEmpty() ? null : written;
        }

        /** Under {@link #writing}. */
        void forgetKept() {
            kept.clear();
            keptIn = null;
        }

        /** Written since the canvas was last quiet; only touched while {@link #writing} is held. */
        private final Map<String, Link> unsettled = new LinkedHashMap<>();
        /**
         * The canvases this write-back put in place since the canvas was last quiet, numbered in order, and per link
         * the first of them that held it whole and those after it that did not; only touched while {@link #writing} is
         * held. A link the write-back added in this burst is its own, so a canvas that holds it was made from one of
         * the canvases that held it; if every one of those held another link too, a canvas that holds the first but
         * lacks the other was saved by someone who removed it: the learner, on purpose ({@link #alwaysHeldWith}). A
         * link is counted in the form it was written in (its note and the note's time, which its label shows): a note
         * run again is a new form, which the canvases from before do not hold. Numbers rather than a set of links per
         * link: a batch that never lets its canvas go quiet would keep sets quadratic in its nodes.
         */
        private int canvasesPutInPlace;

        private final Map<Link, Integer> firstHeldIn = new HashMap<>();
        private final Map<Link, Runs> lackedIn = new HashMap<>();
        private final Set<Link> addedInBurst = new HashSet<>();
        /**
         * Links written since the canvas was last quiet that a save of the learner's removed; not merged again when it
         * settles. Judged when the save is read, before this write-back's next canvas, made from that save, would lack
         * them too. Only touched while {@link #writing} is held.
         */
        private final Set<Link> learnerRemoved = new HashSet<>();

        private ScheduledFuture<?> scheduled;
        /** Which run {@link #scheduled} is: a run that finds another one due in its place was superseded. */
        private Object scheduledRun;

        private boolean settleScheduled;
        private Instant lastWrite;
        private int failures;
        private String lastFailure;

        /** Links of notes being written right now, between {@link #expect} and {@link #written}. */
        private final Map<String, Link> reserved = new LinkedHashMap<>();

        /**
         * How many nodes the canvas had in one state of its file; only touched while {@link #writing} is held. Every
         * note asks whether its link still fits, and parsing the whole canvas for it made a batch quadratic (43 % of a
         * warm server's CPU in a 1 000-node batch): a canvas nobody changed since it was last read or written is not
         * read again. A save that keeps the size within one tick of the file clock goes unseen here, and only here:
         * the write itself merges into the canvas as it is and still keeps to the limit.
         */
        private FileState countedState;

        private int countedNodes;

        /** The ids of the nodes of the canvas counted, or null when they were not read with its count. */
        private Set<String> countedIds;

        void counted(CanvasFile canvas) {
            counted(canvas.snapshot().state(), canvas.root());
        }

        /** The canvas {@code canvas} is in the file of {@code state}: as read, or as this write-back wrote it. */
        void counted(FileState state, jakarta.json.JsonObject canvas) {
            countedState = state;
            countedNodes = nodeCount(canvas);
            countedIds = canvas.get("nodes") instanceof jakarta.json.JsonArray nodes
                    ? nodes.stream()
                            .filter(node -> node instanceof jakarta.json.JsonObject)
                            // as the canvas is read and merged: an id written as a number is its text
                            .map(node -> CanvasModel.string((jakarta.json.JsonObject) node, "id"))
                            .filter(java.util.Objects::nonNull)
                            .collect(java.util.stream.Collectors.toUnmodifiableSet())
                    : null;
        }

        /**
         * Whether the canvas as last read or written here, still unchanged on disk, has no node {@code id}: asked right
         * after {@link #reserve}, which has just read it when it had changed. False when that is not known.
         */
        boolean lacksNode(String id, VaultPaths paths) {
            writing.lock();
            try {
                Set<String> ids = countedIds;
                if (ids == null || nodesIfUnchanged(paths).isEmpty() || ids.contains(id)) {
                    return false;
                }
                // A save of the same size within one tick of the file clock keeps the state cached: harmless for the
                // count, not here, since a note whose card is said gone is never linked. So a card that seems gone is
                // looked for in the canvas as it is (a read only then).
                try {
                    counted(CanvasFile.read(paths, canvas, options.maxCanvasBytes()));
                } catch (VaultException e) {
                    return false;
                }
                Set<String> now = countedIds;
                return now != null && !now.contains(id);
            } finally {
                writing.unlock();
            }
        }

        /**
         * The canvas's node count when its file is still the one counted (the same file, size and time; a symbolic
         * link put in its place is another file), else empty: it is read again.
         */
        OptionalInt nodesIfUnchanged(VaultPaths paths) {
            if (countedState == null) {
                return OptionalInt.empty();
            }
            try {
                return FileState.of(paths.realPathInside(canvas)).equals(countedState)
                        ? OptionalInt.of(countedNodes)
                        : OptionalInt.empty();
            } catch (IOException | VaultException e) {
                return OptionalInt.empty();
            }
        }

        PendingCanvas(VaultFile canvas) {
            this.canvas = canvas;
        }

        /**
         * Holds a place for the link, or says why there is none. One note at a time decides, and not while a write is
         * under way: its links are then neither waiting nor in the canvas yet.
         */
        String reserve(Link link) {
            writing.lock();
            try {
                Map<String, Link> coming = new LinkedHashMap<>();
                guard.lock();
                try {
                    links.values().forEach(l -> coming.put(l.key(), l));
                    reserved.values().forEach(l -> coming.put(l.key(), l));
                } finally {
                    guard.unlock();
                }
                coming.put(link.key(), link);
                String noRoom = noRoomFor(this, List.copyOf(coming.values()), link);
                if (noRoom == null) {
                    guard.lock();
                    try {
                        reserved.put(link.key(), link);
                    } finally {
                        guard.unlock();
                    }
                }
                return noRoom;
            } finally {
                writing.unlock();
            }
        }

        void release(Link link) {
            guard.lock();
            try {
                reserved.remove(link.key());
            } finally {
                guard.unlock();
            }
        }

        /** Queues the link; true when the caller must write at once because the background writer has stopped. */
        boolean add(Link link) {
            guard.lock();
            try {
                links.put(link.key(), link);
                if (scheduled != null && !settleScheduled) {
                    return false;
                }
                if (closed) {
                    return true;
                }
                // the canvas is not quiet any more: its settling waits until after the write of this link
                cancelScheduled();
                Duration wait = lastWrite == null
                        ? Duration.ZERO
                        : Duration.between(clock.instant(), lastWrite.plus(options.coalesceInterval()));
                return !schedule(wait, false);
            } finally {
                guard.unlock();
            }
        }

        /** Under the guard; false when the background writer has stopped. */
        private boolean schedule(Duration wait, boolean settle) {
            Object run = new Object();
            try {
                scheduled = scheduler.schedule(
                        () -> writeScheduled(this, run), Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
                scheduledRun = run;
                settleScheduled = settle;
                return true;
            } catch (RejectedExecutionException e) {
                return false;
            }
        }

        /**
         * Everything waiting, taken out, and when settling, what was written since the canvas was last quiet; the
         * coalescing window starts now, as this write does.
         */
        Batch take(boolean settle) {
            guard.lock();
            try {
                Batch batch = new Batch(
                        new ArrayList<>(links.values()), settle ? List.copyOf(unsettled.values()) : List.of(), settle);
                links.clear();
                if (!batch.isEmpty()) {
                    lastWrite = clock.instant();
                }
                return batch;
            } finally {
                guard.unlock();
            }
        }

        /** Links that could not be written wait again, unless a newer link for the same note came meanwhile. */
        void putBack(List<Link> batch) {
            guard.lock();
            try {
                batch.forEach(link -> links.putIfAbsent(link.key(), link));
            } finally {
                guard.unlock();
            }
        }

        /** Tries again after a backoff, and says so once per kind of failure rather than at every try. */
        /**
         * @param settling whether the write that could not be done was to settle the canvas: the next try is too
         * @param count    how many links that write was to write or to put back
         */
        void failed(Outcome.Later later, boolean settling, int count) {
            guard.lock();
            try {
                failures++;
                if (!later.reason().equals(lastFailure)) {
                    LOG.log(WARNING, "Not linking {0} note(s) yet: {1}", count, later.reason());
                    lastFailure = later.reason();
                } else {
                    LOG.log(DEBUG, "Still not linking {0} note(s): {1}", count, later.reason());
                }
                if ((scheduled == null || settleScheduled) && !closed) {
                    cancelScheduled();
                    schedule(retryDelays.after(failures), settling);
                }
            } finally {
                guard.unlock();
            }
        }

        /**
         * {@code merge}'s canvas, made with {@code links}, was put in place of the canvas: it gets the next number, and
         * each link of the burst is noted as held by it (from the first that held it) or lacked; a link judged deleted
         * too, for it may be written again.
         * Under {@link #writing}.
         */
        void wrote(CanvasMerge.Result merge, List<Link> links) {
            // a note written again is wanted again
            links.forEach(learnerRemoved::remove);
            addedInBurst.addAll(merge.linked());
            addedInBurst.addAll(merge.labelled());
            int canvas = ++canvasesPutInPlace;
            List<Link> tracked = tracked(links);
            Set<Link> held = held(merge.canvas(), tracked);
            for (Link link : tracked) {
                if (held.contains(link)) {
                    firstHeldIn.putIfAbsent(link, canvas);
                } else if (firstHeldIn.containsKey(link)) {
                    lackedIn.computeIfAbsent(link, l -> new Runs()).add(canvas);
                }
            }
        }

        /**
         * Whether every canvas put in place that held {@code own} (a link added in this burst) also held {@code other}:
         * {@code other} was held from no later than {@code own}, and each canvas since that lacked {@code other} lacked
         * {@code own} too.
         */
        private boolean alwaysHeldWith(Link own, Link other) {
            Integer ownFirst = firstHeldIn.get(own);
            Integer otherFirst = firstHeldIn.get(other);
            if (ownFirst == null || otherFirst == null || otherFirst > ownFirst || !addedInBurst.contains(own)) {
                return false;
            }
            Runs otherLacked = lackedIn.get(other);
            return otherLacked == null || otherLacked.coveredFrom(ownFirst, lackedIn.get(own));
        }

        /**
         * The links written since the canvas was last quiet that the learner removed, those {@code canvasRoot} (as it
         * was read) lacks included: it holds a link that every canvas this write-back put in place held together with
         * the missing one, so it was made from one of those. A link a stale copy's save dropped is not among them, and
         * is linked again when the canvas settles. Under {@link #writing}.
         */
        Set<Link> removedByTheLearner(JsonObject canvasRoot) {
            if (addedInBurst.isEmpty()) {
                return Set.copyOf(learnerRemoved);
            }
            List<Link> tracked = tracked(List.of());
            Set<Link> held = held(canvasRoot, tracked);
            int before = learnerRemoved.size();
            for (Link link : tracked) {
                if (!held.contains(link)
                        && !learnerRemoved.contains(link)
                        && held.stream().anyMatch(own -> alwaysHeldWith(own, link))) {
                    learnerRemoved.add(link);
                }
            }
            if (learnerRemoved.size() > before) {
                LOG.log(
                        INFO,
                        "{0} note link(s) removed from ''{1}'' while notes were linked into it stay removed.",
                        learnerRemoved.size() - before,
                        canvas.relative());
            }
            return Set.copyOf(learnerRemoved);
        }

        /** Under {@link #writing}. */
        private void forgetTheBurst() {
            canvasesPutInPlace = 0;
            firstHeldIn.clear();
            lackedIn.clear();
            addedInBurst.clear();
            learnerRemoved.clear();
        }

        /** The links not yet settled, with {@code links} (newer for the same note). */
        private List<Link> tracked(List<Link> links) {
            Map<String, Link> byKey = new LinkedHashMap<>();
            guard.lock();
            try {
                byKey.putAll(unsettled);
            } finally {
                guard.unlock();
            }
            links.forEach(link -> byKey.put(link.key(), link));
            return List.copyOf(byKey.values());
        }

        /** Which of {@code links} the canvas holds whole: their note's node, edge and label, as they would be written. */
        private Set<Link> held(JsonObject canvasRoot, List<Link> links) {
            CanvasMerge.Result merge = CanvasMerge.merge(canvasRoot, links, mergeSettings());
            Set<Link> held = new HashSet<>(links);
            merge.linked().forEach(held::remove);
            merge.labelled().forEach(held::remove);
            merge.sourceGone().forEach(held::remove);
            return held;
        }

        /**
         * Written: the new links are settled once the canvas has been quiet for a while, or all are when this write
         * settled it.
         */
        void succeeded(Outcome.Written written, Batch batch) {
            guard.lock();
            try {
                if (batch.settles()) {
                    unsettled.clear();
                    forgetTheBurst();
                } else {
                    batch.waiting().forEach(link -> unsettled.put(link.key(), link));
                    if (scheduled == null && !closed) {
                        schedule(settleAfter, true);
                    }
                }
                log(written, batch);
                failures = 0;
                lastFailure = null;
            } finally {
                guard.unlock();
            }
        }

        /** Under the guard. */
        private void log(Outcome.Written written, Batch batch) {
            CanvasMerge.Result merge = written.merge();
            Set<String> waiting = new HashSet<>();
            batch.waiting().forEach(link -> waiting.add(link.key()));
            long putBack = merge.linked().stream()
                    .filter(link -> !waiting.contains(link.key()))
                    .count();
            if (putBack > 0) {
                LOG.log(
                        INFO,
                        "{0} note link(s) that a save of ''{1}'' had removed are linked again.",
                        putBack,
                        canvas.relative());
            }
            if (waiting.isEmpty()) {
                return;
            }
            // a label the learner wrote in, of a note written again now (not of one merged again when settling)
            long labelsKept = merge.labelsKept().stream()
                    .filter(link -> waiting.contains(link.key()))
                    .count();
            boolean eventful = written.changed() || !merge.sourceGone().isEmpty() || labelsKept > 0 || failures > 0;
            LOG.log(
                    eventful ? INFO : DEBUG,
                    "Linked {0} note(s) into ''{1}''{2}{3}{4}{5}{6}.",
                    merge.linked().size() - putBack,
                    canvas.relative(),
                    merge.labelled().isEmpty() ? "" : ", " + merge.labelled().size() + " label(s) updated",
                    labelsKept == 0 ? "" : ", " + labelsKept + " label(s) the learner wrote in kept as they are",
                    merge.alreadyLinked().isEmpty()
                            ? ""
                            : ", " + merge.alreadyLinked().size() + " already linked",
                    merge.sourceGone().isEmpty()
                            ? ""
                            : ", " + merge.sourceGone().size() + " skipped: source node deleted",
                    failures == 0 ? "" : " (after " + failures + " failed tries)");
        }

        /** The canvas is gone or full: nothing of it is linked again. */
        void dropped() {
            forgetTheBurst();
            guard.lock();
            try {
                unsettled.clear();
                failures = 0;
                lastFailure = null;
            } finally {
                guard.unlock();
            }
        }

        /**
         * The run {@code run} starts: null when another run was scheduled in its place (it has nothing to do), else
         * whether it settles the canvas. The coalescing window starts now: a link arriving meanwhile waits a full
         * interval, not less.
         */
        Boolean scheduledRan(Object run) {
            guard.lock();
            try {
                if (run != scheduledRun) {
                    return null;
                }
                boolean settle = settleScheduled;
                scheduled = null;
                scheduledRun = null;
                settleScheduled = false;
                lastWrite = clock.instant();
                return settle;
            } finally {
                guard.unlock();
            }
        }

        void cancelScheduled() {
            guard.lock();
            try {
                if (scheduled != null) {
                    scheduled.cancel(false);
                    scheduled = null;
                    scheduledRun = null;
                    settleScheduled = false;
                }
            } finally {
                guard.unlock();
            }
        }

        /** How many saves found in replaced files still wait to be carried into the canvas. */
        int notCarried() {
            writing.lock();
            try {
                return carried.size();
            } finally {
                writing.unlock();
            }
        }

        /** Why the last write could not be done, or null after one was. */
        String lastFailure() {
            guard.lock();
            try {
                return lastFailure;
            } finally {
                guard.unlock();
            }
        }

        /** How many links still wait. */
        int waiting() {
            guard.lock();
            try {
                return links.size();
            } finally {
                guard.unlock();
            }
        }
    }
}
