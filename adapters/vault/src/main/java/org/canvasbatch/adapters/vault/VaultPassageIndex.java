package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.canvasbatch.adapters.vault.VaultWalk.Found;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultPassage;
import org.canvasbatch.application.port.out.VaultPassage.Origin;
import org.canvasbatch.application.port.out.VaultPassages;
import org.canvasbatch.domain.grouping.SearchTerms;

/**
 * A full-text index of the learner's vault: every paragraph, list item and table row of their Markdown notes and the
 * text of their canvases' note nodes, ranked by BM25 over the words the domain reads in a question ({@link SearchTerms}:
 * Chinese segmented with the subject lexicon, English stemmed). Kept in memory; built once at start, on a virtual
 * thread, and kept current by looking at the vault again when asked and the last look is older than
 * {@link #DEFAULT_FRESHNESS}: one listing of the files' states, and only new or changed files read again.
 *
 * <p>What is never quoted: the notes this program wrote (recognised by their front matter, wherever they were moved),
 * the questions of any canvas, the canvas labels the write-back adds, and of the question's own canvas anything but the
 * learner's note nodes. What is never read: hidden folders and files ({@code .obsidian}, {@code .trash}), anything
 * reached through a symbolic link, anything but a regular file, notes over {@value #MAX_NOTE_BYTES} bytes, canvases over
 * the vault's canvas limit, files that are not UTF-8 text; every file goes through the vault's sandbox
 * ({@link VaultPaths}) and its canvas checks ({@link CanvasFile}, {@link CanvasModel}).
 */
public final class VaultPassageIndex implements VaultPassages {

    private static final System.Logger LOG = System.getLogger(VaultPassageIndex.class.getName());

    /** The longest a question waits for edits to show: a batch's start, and every so often during one. */
    public static final Duration DEFAULT_FRESHNESS = Duration.ofSeconds(2);
    /**
     * The longest a question waits for a look at the vault (the first build included) before it is answered from the
     * index as it is, possibly empty: quotes are a bonus, and a note is never held up by a slow disk or a huge vault.
     */
    public static final Duration DEFAULT_WAIT_BUDGET = Duration.ofSeconds(2);

    static final long MAX_NOTE_BYTES = 1024 * 1024;
    static final int MAX_FILES = 50_000;
    /** How many of the best passages are looked at to pick a few from several files. */
    static final int CANDIDATES = 100;
    /** Passages from one file: a few quotes should show the learner several places, not one note's paragraphs. */
    static final int MAX_PER_FILE = 2;
    /** A passage scoring less than this share of the best one adds noise, not material. */
    static final double MIN_SHARE = 0.25;
    /**
     * The least share of a question's words (weighted by how rare they are) a passage must hold: one common word of
     * the question ("cell") is not what the question is about.
     */
    static final double MIN_COVERAGE = 0.3;
    /** What a file node's note says counts at this weight beside the question: it ranks, the question decides. */
    static final double DETAILS_WEIGHT = 0.5;
    /**
     * Passages of one section (a note's heading) that score within this share of its best are quoted in the order they
     * were written: a note says what a thing is before it adds to it, and BM25 alone would put a short list item that
     * names the word before the definition above it.
     */
    static final double SECTION_SHARE = 0.5;

    /** How large the index is after a look at the vault. */
    public record Size(int notes, int canvases, int passages, int terms, int generatedNotes, int refused) {}

    /**
     * A passage as kept in the index.
     *
     * @param ordinal where it is in its file: 0 for the first passage
     */
    private record Stored(
            String path,
            String heading,
            String headingAsWritten,
            String text,
            Origin origin,
            String nodeId,
            int ordinal) {

        /** A note's heading; a canvas's node. */
        String section() {
            return path + "\u0000" + (nodeId.isEmpty() ? heading : nodeId);
        }
    }

    /** What became of a file the index looked at. */
    private enum Outcome {
        SEARCHED,
        /** A note canvas-batch wrote: never quoted. */
        GENERATED,
        /** Not read: not UTF-8, a canvas that is not valid, a file swapped for a link … */
        REFUSED
    }

    /** A file as last read: its state, its passages' ids, and, for a canvas, the file each file node shows. */
    private record Indexed(
            VaultWalk.Kind kind, FileState state, Outcome outcome, int[] ids, Map<String, String> fileOfNode) {}

    /** A file read and cut into passages, their terms counted, ready to go into the index. */
    private record Read(
            Found found, FileState state, Outcome outcome, List<Terms> passages, Map<String, String> fileOfNode) {}

    private record Terms(Stored passage, Map<String, Integer> text, Map<String, Integer> heading) {}

    /**
     * A look at the vault asked for at {@code asked} (on the index's clock), done by its own thread.
     *
     * @param done completes once the look is over
     */
    private record Look(long asked, CompletableFuture<Void> done) {}

    private static final long NEVER = Long.MIN_VALUE;

    private final VaultPaths paths;
    private final Path realRoot;
    private final long maxCanvasBytes;
    private final long freshnessNanos;
    private final LongSupplier nanoTime;
    private final Duration waitBudget;
    private final Set<String> questionColors;

    /** The latest look asked for; a question joins it when it is recent enough, or asks for the next one. */
    private final AtomicReference<Look> latestLook =
            new AtomicReference<>(new Look(NEVER, CompletableFuture.completedFuture(null)));
    /** The last look that outlasted a question's budget: said once in the log, not once per question. */
    private final AtomicReference<Look> reportedSlow = new AtomicReference<>();

    private final ReentrantLock looking = new ReentrantLock();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final PassageIndex<Stored> index = new PassageIndex<>();
    /** Every file looked at, by vault-relative path; changed only by the thread that holds {@link #looking}. */
    private final Map<String, Indexed> files = new HashMap<>();

    private volatile boolean looked;
    private volatile long lastLookStarted;

    /**
     * @param root    the vault's folder; must exist
     * @param options the vault's limits (a canvas is read within {@link VaultOptions#maxCanvasBytes()})
     */
    public VaultPassageIndex(Path root, VaultOptions options) {
        this(root, options, AnalyzeCanvasUseCase.DEFAULT_COLORS);
    }

    /**
     * @param questionColors the colours of the canvases' question nodes (the {@code --colors} of a run): never quoted
     */
    public VaultPassageIndex(Path root, VaultOptions options, Set<String> questionColors) {
        this(root, options.maxCanvasBytes(), DEFAULT_FRESHNESS, DEFAULT_WAIT_BUDGET, System::nanoTime, questionColors);
    }

    VaultPassageIndex(Path root, long maxCanvasBytes, Duration freshness, LongSupplier nanoTime) {
        this(root, maxCanvasBytes, freshness, DEFAULT_WAIT_BUDGET, nanoTime);
    }

    VaultPassageIndex(Path root, long maxCanvasBytes, Duration freshness, Duration waitBudget, LongSupplier nanoTime) {
        this(root, maxCanvasBytes, freshness, waitBudget, nanoTime, AnalyzeCanvasUseCase.DEFAULT_COLORS);
    }

    /**
     * @param freshness how old the last look at the vault may be when a question is asked; {@link Duration#ZERO} looks
     *                  at every question
     * @param waitBudget how long a question waits for a look at the vault before it is answered without it
     */
    VaultPassageIndex(
            Path root,
            long maxCanvasBytes,
            Duration freshness,
            Duration waitBudget,
            LongSupplier nanoTime,
            Set<String> questionColors) {
        this.paths = new VaultPaths(Objects.requireNonNull(root, "root"));
        try {
            this.realRoot = root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot resolve the vault root " + root, e);
        }
        this.maxCanvasBytes = maxCanvasBytes;
        this.freshnessNanos = freshness.toNanos();
        this.nanoTime = nanoTime;
        this.waitBudget = waitBudget;
        this.questionColors = Set.copyOf(questionColors);
    }

    /**
     * Builds the index on a virtual thread, so that starting is not held up; a question asked meanwhile waits for it
     * within its budget.
     */
    public void buildInBackground() {
        lookNoOlderThan(nanoTime.getAsLong());
    }

    /** Looks at the vault now and brings the index up to date with it; returns how large the index is then. */
    public Size update() {
        looking.lock();
        try {
            return look();
        } finally {
            looking.unlock();
        }
    }

    @Override
    public List<VaultPassage> about(PassageQuery query) {
        if (query.limit() == 0) {
            return List.of();
        }
        try {
            if (!keepCurrent(query.nodeId())) {
                return List.of();
            }
            Map<String, Double> asked = SearchTerms.queryWeights(query.question());
            Map<String, Double> terms = new HashMap<>(asked);
            SearchTerms.queryWeights(query.details())
                    .forEach((term, weight) -> terms.merge(term, DETAILS_WEIGHT * weight, Math::max));
            if (terms.isEmpty()) {
                return List.of();
            }
            lock.readLock().lock();
            try {
                return search(query, terms, asked.isEmpty() ? terms.keySet() : asked.keySet());
            } finally {
                lock.readLock().unlock();
            }
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the vault could not be searched for node " + query.nodeId() + ": " + e);
            return List.of();
        }
    }

    /**
     * Brings the index up to date before a question is answered, waiting at most the budget: past it, or once the
     * question's task is interrupted (its node timed out or was cancelled), the question is answered from the index as
     * it is. The look itself runs on its own thread, so a question never holds the index, and never waits on a lock.
     *
     * @return false when the question's task was interrupted: it wants no answer any more
     */
    private boolean keepCurrent(String nodeId) {
        long asked = nanoTime.getAsLong();
        if (looked && asked - lastLookStarted <= freshnessNanos) {
            return true;
        }
        Look look = lookNoOlderThan(asked);
        try {
            look.done().get(waitBudget.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (reportedSlow.getAndSet(look) != look) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "the vault is still being indexed after " + waitBudget.toMillis() + " ms: node " + nodeId
                                + " and those asked meanwhile are answered from the index as it is ("
                                + index.size() + " passages)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "the vault could not be looked at for its passages: " + e.getCause());
        }
        return true;
    }

    /**
     * The look to wait for: the latest one while it runs (one look at a time, never a queue of them behind a slow
     * one) or if it was asked for within the freshness before {@code asked} (its look of the vault starts after that),
     * else a new one.
     */
    private Look lookNoOlderThan(long asked) {
        while (true) {
            Look latest = latestLook.get();
            if (!latest.done().isDone() || (latest.asked() != NEVER && asked - latest.asked() <= freshnessNanos)) {
                return latest;
            }
            Look next = new Look(asked, new CompletableFuture<>());
            if (latestLook.compareAndSet(latest, next)) {
                Thread.ofVirtual().name("vault-index").start(() -> lookFor(next));
                return next;
            }
        }
    }

    private void lookFor(Look look) {
        looking.lock();
        try {
            if (!looked || nanoTime.getAsLong() - lastLookStarted > freshnessNanos) {
                look();
            }
            look.done().complete(null);
        } catch (RuntimeException | Error e) {
            look.done().completeExceptionally(e);
        } finally {
            looking.unlock();
        }
    }

    /**
     * @param asked the terms a passage must hold enough of: the question's own, not those of a file node's note
     */
    private List<VaultPassage> search(PassageQuery query, Map<String, Double> terms, Set<String> asked) {
        String canvas = vaultPath(query.canvasPath());
        Indexed own = canvas == null ? null : files.get(canvas);
        String shownFile = own == null ? null : own.fileOfNode().get(query.nodeId());
        List<String> shown = query.alreadyShown().stream()
                .map(NotePassages::plain)
                .filter(text -> !text.isEmpty())
                .toList();
        PassageIndex.Ranked<Stored> ranked = index.search(
                terms,
                asked,
                stored -> !stored.path().equals(shownFile)
                        && !(stored.path().equals(canvas) && stored.nodeId().equals(query.nodeId()))
                        && !shownAlready(shown, stored.text()),
                CANDIDATES,
                MIN_SHARE,
                MIN_COVERAGE);
        List<VaultPassage> found = new ArrayList<>();
        Map<String, Integer> perFile = new HashMap<>();
        Set<String> quoted = new HashSet<>();
        for (PassageIndex.Hit<Stored> hit : inSectionOrder(ranked.hits())) {
            Stored stored = hit.passage();
            if (found.size() == query.limit() || perFile.getOrDefault(stored.path(), 0) == MAX_PER_FILE) {
                continue;
            }
            String excerpt = Excerpt.of(stored.text(), ranked.termWeights());
            if (quoted.add(excerpt)) {
                perFile.merge(stored.path(), 1, Integer::sum);
                found.add(new VaultPassage(
                        stored.path(), stored.heading(), stored.headingAsWritten(), excerpt, stored.origin()));
            }
        }
        return List.copyOf(found);
    }

    private static boolean shownAlready(List<String> shown, String text) {
        for (String one : shown) {
            if (one.contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** The hits best first, those of one section that score close to its best in the order they were written. */
    private static List<PassageIndex.Hit<Stored>> inSectionOrder(List<PassageIndex.Hit<Stored>> hits) {
        Map<String, Double> best = new HashMap<>();
        hits.forEach(hit -> best.merge(hit.passage().section(), hit.score(), Math::max));
        Map<PassageIndex.Hit<Stored>, Double> rank = new HashMap<>();
        for (PassageIndex.Hit<Stored> hit : hits) {
            double sectionBest = best.get(hit.passage().section());
            rank.put(hit, hit.score() >= SECTION_SHARE * sectionBest ? sectionBest : hit.score());
        }
        List<PassageIndex.Hit<Stored>> ordered = new ArrayList<>(hits);
        ordered.sort(Comparator.<PassageIndex.Hit<Stored>>comparingDouble(rank::get)
                .reversed()
                .thenComparing(hit -> hit.passage().section())
                .thenComparingInt(hit -> hit.passage().ordinal()));
        return ordered;
    }

    private static String vaultPath(String path) {
        if (path.isBlank()) {
            return null;
        }
        try {
            return VaultPaths.normalise(path);
        } catch (VaultException e) {
            return null;
        }
    }

    /** One look at the vault: what is new or changed is read (in parallel), what is gone leaves the index. */
    private Size look() {
        long started = nanoTime.getAsLong();
        VaultWalk walk;
        try {
            walk = VaultWalk.of(realRoot, MAX_NOTE_BYTES, MAX_FILES);
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "the vault could not be listed for its passages: " + e.getMessage());
            lastLookStarted = started;
            looked = true;
            return size(0);
        }
        List<String> gone = files.keySet().stream()
                .filter(path -> !walk.files().containsKey(path))
                .toList();
        List<Found> changed = walk.files().values().stream()
                .filter(found -> !found.state().equals(stateOf(found.path())))
                .toList();
        List<Read> read = changed.parallelStream().map(this::read).toList();
        lock.writeLock().lock();
        try {
            gone.forEach(this::forget);
            for (Read file : read) {
                forget(file.found().path());
                int[] ids = file.passages().stream()
                        .mapToInt(p -> index.add(p.passage(), p.text(), p.heading()))
                        .toArray();
                files.put(
                        file.found().path(),
                        new Indexed(file.found().kind(), file.state(), file.outcome(), ids, file.fileOfNode()));
            }
        } finally {
            lock.writeLock().unlock();
        }
        boolean first = !looked;
        lastLookStarted = started;
        looked = true;
        Size size = size(walk.refused());
        long millis = (nanoTime.getAsLong() - started) / 1_000_000;
        if (first) {
            LOG.log(
                    System.Logger.Level.INFO,
                    "vault indexed for passages in " + millis + " ms: " + size.notes() + " notes, " + size.canvases()
                            + " canvases, " + size.passages() + " passages (" + size.generatedNotes()
                            + " notes written by canvas-batch and " + size.refused() + " files left out)");
        } else if (!gone.isEmpty() || !changed.isEmpty()) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "vault index brought up to date in " + millis + " ms: " + changed.size() + " files read again, "
                            + gone.size() + " gone");
        }
        if (walk.cut() && first) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the vault holds more than " + MAX_FILES + " notes and canvases: only " + MAX_FILES
                            + " are searched for passages");
        }
        return size;
    }

    private FileState stateOf(String path) {
        Indexed indexed = files.get(path);
        return indexed == null ? null : indexed.state();
    }

    private void forget(String path) {
        Indexed indexed = files.remove(path);
        if (indexed != null) {
            for (int id : indexed.ids()) {
                index.remove(id);
            }
        }
    }

    private Size size(int refusedByWalk) {
        lock.readLock().lock();
        try {
            int notes = 0;
            int canvases = 0;
            int generated = 0;
            int refused = refusedByWalk;
            for (Indexed file : files.values()) {
                switch (file.outcome()) {
                    case GENERATED -> generated++;
                    case REFUSED -> refused++;
                    case SEARCHED -> {
                        if (file.kind() == VaultWalk.Kind.NOTE) {
                            notes++;
                        } else {
                            canvases++;
                        }
                    }
                }
            }
            return new Size(notes, canvases, index.size(), index.terms(), generated, refused);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Reads one file through the vault's own checks. A file refused is remembered as read, with no passages, so that it
     * is not read again until it changes.
     */
    private Read read(Found found) {
        try {
            VaultFile file = paths.resolve(found.path());
            DiskSnapshot snapshot = DiskSnapshot.read(
                    paths, file, found.kind() == VaultWalk.Kind.NOTE ? MAX_NOTE_BYTES : maxCanvasBytes);
            return found.kind() == VaultWalk.Kind.NOTE ? note(found, file, snapshot) : canvas(found, file, snapshot);
        } catch (VaultException e) {
            LOG.log(System.Logger.Level.DEBUG, "'" + found.path() + "' is not searched: " + e.getMessage());
            return refused(found);
        } catch (RuntimeException e) {
            // whatever one hostile file does to the reading, the others are still searched
            LOG.log(System.Logger.Level.DEBUG, "'" + found.path() + "' is not searched: " + e);
            return refused(found);
        }
    }

    private Read note(Found found, VaultFile file, DiskSnapshot snapshot) {
        String text;
        try {
            text = CanvasJson.decode(snapshot.bytes());
        } catch (CanvasJson.Refusal refusal) {
            LOG.log(System.Logger.Level.DEBUG, "'" + found.path() + "' is not searched: it " + refusal.getMessage());
            return refused(found);
        }
        if (text.indexOf('\0') >= 0) {
            return refused(found);
        }
        if (NotePassages.writtenByCanvasBatch(text)) {
            return new Read(found, snapshot.state(), Outcome.GENERATED, List.of(), Map.of());
        }
        String title = titleOf(file.relative());
        Map<String, Map<String, Integer>> headings = new HashMap<>();
        List<Terms> passages = new ArrayList<>();
        for (NotePassages.Passage passage : NotePassages.of(text)) {
            // before the first heading, the note's name is what the passage is under
            String context = passage.heading().isEmpty() ? title : passage.heading();
            passages.add(new Terms(
                    new Stored(
                            file.relative(),
                            passage.heading(),
                            passage.headingAsWritten(),
                            passage.text(),
                            Origin.NOTE,
                            "",
                            passages.size()),
                    SearchTerms.occurrences(passage.text()),
                    headings.computeIfAbsent(context, SearchTerms::occurrences)));
        }
        return new Read(found, snapshot.state(), Outcome.SEARCHED, passages, Map.of());
    }

    private Read canvas(Found found, VaultFile file, DiskSnapshot snapshot) {
        CanvasPassages canvas =
                CanvasPassages.of(CanvasModel.forPassages(CanvasFile.parse(file, snapshot)), questionColors);
        List<Terms> passages = new ArrayList<>();
        for (CanvasPassages.NodePassage passage : canvas.passages()) {
            passages.add(new Terms(
                    new Stored(
                            file.relative(),
                            "",
                            "",
                            passage.text(),
                            passage.origin(),
                            passage.nodeId(),
                            passages.size()),
                    SearchTerms.occurrences(passage.text()),
                    SearchTerms.occurrences(passage.heading())));
        }
        return new Read(found, snapshot.state(), Outcome.SEARCHED, passages, canvas.fileOfNode());
    }

    /** Remembered with the state it was listed with, so that the next look reads it again only once it changed. */
    private static Read refused(Found found) {
        return new Read(found, found.state(), Outcome.REFUSED, List.of(), Map.of());
    }

    private static String titleOf(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.substring(0, name.length() - ".md".length());
    }
}
