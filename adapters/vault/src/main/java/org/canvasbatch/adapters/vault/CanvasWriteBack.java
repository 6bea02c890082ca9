package org.canvasbatch.adapters.vault;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.canvasbatch.adapters.vault.NotePlacement.Box;
import org.canvasbatch.application.port.out.Vault.CanvasLink;
import org.canvasbatch.application.port.out.VaultException;

/**
 * Links notes back into their canvas: per note a file node (colour {@code "5"}) below its source node and an edge
 * from the source labelled with the agent.
 *
 * <p>Links wait per canvas and are written together: the first at once, later ones at most once per coalesce interval
 * (measured with the injected clock), and all that wait on {@link #flush} or {@link #close}. Each write re-reads the
 * canvas as it is on disk at that moment and only appends to its {@code nodes} and {@code edges}: every other field,
 * node and edge, known or not, is written back as it was read, so edits the user made meanwhile survive.
 *
 * <p>Ids are derived from (source node, agent), so a retry or a restart never adds a link twice. A link whose source
 * node the user has deleted meanwhile is dropped. A canvas that cannot be read at write time (broken JSON, the user in
 * the middle of a sync) is never overwritten: its links stay waiting and are tried again with the next link or flush;
 * whatever still waits at {@link #close} is dropped with one log line. A deleted canvas drops its links, and so does
 * one that the links would push over the size limit.
 */
final class CanvasWriteBack {

    static final String NOTE_COLOR = "5";
    private static final System.Logger LOG = System.getLogger(CanvasWriteBack.class.getName());

    private final VaultPaths paths;
    private final VaultOptions options;
    private final Clock clock;
    private final Consumer<String> afterWrite;
    private final Map<String, PendingCanvas> canvases = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private volatile boolean closed;

    CanvasWriteBack(VaultPaths paths, VaultOptions options, Clock clock, Consumer<String> afterWrite) {
        this.paths = paths;
        this.options = options;
        this.clock = clock;
        this.afterWrite = afterWrite;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "canvas-write-back");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = executor;
    }

    void submit(CanvasLink link) {
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(link.sourceNodeId(), "sourceNodeId");
        Objects.requireNonNull(link.agent(), "agent");
        VaultFile canvas = paths.resolve(link.canvasPath());
        String notePath = paths.resolve(link.notePath()).relative();
        PendingCanvas pending = canvases.computeIfAbsent(canvas.relative(), key -> new PendingCanvas(canvas));
        Link normalised = new Link(link.sourceNodeId(), notePath, link.agent().wireName());
        if (pending.add(normalised)) {
            write(pending);
        }
    }

    void flush(String canvasPath) {
        PendingCanvas pending = canvases.get(paths.resolve(canvasPath).relative());
        if (pending != null) {
            pending.cancelScheduled();
            write(pending);
        }
    }

    void close() {
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
            write(pending);
            int left = pending.drop();
            if (left > 0) {
                LOG.log(
                        WARNING,
                        "Dropped {0} note link(s) that could not be written into ''{1}''.",
                        left,
                        pending.canvas.relative());
            }
        }
    }

    private void writeScheduled(PendingCanvas pending) {
        pending.scheduledRan();
        try {
            write(pending);
        } catch (RuntimeException e) {
            LOG.log(WARNING, "Linking notes into ''{0}'' failed: {1}", pending.canvas.relative(), e.toString());
        }
    }

    private void write(PendingCanvas pending) {
        pending.writing.lock();
        try {
            List<Link> batch = pending.take();
            if (batch.isEmpty()) {
                return;
            }
            CanvasFile canvas;
            try {
                canvas = CanvasFile.read(paths, pending.canvas, options.maxCanvasBytes());
            } catch (VaultException e) {
                if (e.reason() == VaultException.Reason.NOT_FOUND) {
                    LOG.log(WARNING, "Dropped {0} note link(s): {1}", batch.size(), e.getMessage());
                } else {
                    pending.putBack(batch);
                    LOG.log(
                            WARNING,
                            "Not linking {0} note(s) yet, the canvas was left as it is: {1}",
                            batch.size(),
                            e.getMessage());
                }
                return;
            }
            Merge merge = new Merge(canvas);
            batch.forEach(merge::add);
            if (merge.added() > 0) {
                try {
                    save(canvas, merge.result());
                } catch (IOException e) {
                    pending.putBack(batch);
                    LOG.log(
                            WARNING,
                            "Could not link {0} note(s) into ''{1}'' yet: {2}.",
                            batch.size(),
                            canvas.path(),
                            DiskProblem.describe(e));
                    return;
                } catch (VaultException e) {
                    // Too large with the links: it would be too large on every later try as well.
                    LOG.log(WARNING, "Dropped {0} note link(s): {1}", batch.size(), e.getMessage());
                    return;
                }
            }
            boolean eventful = merge.added() > 0 || merge.sourceGone() > 0;
            LOG.log(
                    eventful ? INFO : DEBUG,
                    "Linked {0} note(s) into ''{1}''{2}{3}.",
                    merge.added(),
                    canvas.path(),
                    merge.alreadyLinked() == 0 ? "" : ", " + merge.alreadyLinked() + " already linked",
                    merge.sourceGone() == 0 ? "" : ", " + merge.sourceGone() + " skipped: source node deleted");
            if (merge.added() > 0) {
                afterWrite.accept(canvas.path());
            }
        } finally {
            pending.writing.unlock();
        }
    }

    private void save(CanvasFile canvas, JsonObject merged) throws IOException {
        String json = CanvasJsonWriter.write(merged) + (canvas.endsWithNewline() ? "\n" : "");
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > options.maxCanvasBytes()) {
            throw CanvasFile.tooLarge(canvas.path(), bytes.length, options.maxCanvasBytes());
        }
        AtomicFiles.write(canvas.file().absolute(), bytes, true);
    }

    /** Derived from what the link means, so the same note is recognised after a retry or a restart. */
    static String noteNodeId(String sourceNodeId, String agent) {
        return "cb-note-" + ShortHash.of(sourceNodeId + "\u0000" + agent, 16);
    }

    static String edgeId(String sourceNodeId, String agent) {
        return "cb-edge-" + ShortHash.of(sourceNodeId + "\u0000" + agent, 16);
    }

    private record Link(String sourceNodeId, String notePath, String agent) {

        String key() {
            return sourceNodeId + "\u0000" + agent;
        }
    }

    /** The links waiting for one canvas, and when it may be written next. */
    private final class PendingCanvas {

        final VaultFile canvas;
        final ReentrantLock writing = new ReentrantLock();
        private final ReentrantLock guard = new ReentrantLock();
        private final Map<String, Link> links = new LinkedHashMap<>();
        private ScheduledFuture<?> scheduled;
        private Instant lastWrite;

        PendingCanvas(VaultFile canvas) {
            this.canvas = canvas;
        }

        /** Queues the link; true when the caller must write at once because the background writer has stopped. */
        boolean add(Link link) {
            guard.lock();
            try {
                links.put(link.key(), link);
                if (scheduled != null) {
                    return false;
                }
                if (closed) {
                    return true;
                }
                Duration wait = lastWrite == null
                        ? Duration.ZERO
                        : Duration.between(clock.instant(), lastWrite.plus(options.coalesceInterval()));
                try {
                    scheduled = scheduler.schedule(
                            () -> writeScheduled(this), Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
                    return false;
                } catch (RejectedExecutionException e) {
                    return true;
                }
            } finally {
                guard.unlock();
            }
        }

        /** Everything waiting, taken out; the coalescing window starts now, as this write does. */
        List<Link> take() {
            guard.lock();
            try {
                List<Link> batch = new ArrayList<>(links.values());
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

        /** The write starts now: a link arriving while it runs waits a full interval, not less. */
        void scheduledRan() {
            guard.lock();
            try {
                scheduled = null;
                lastWrite = clock.instant();
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
                }
            } finally {
                guard.unlock();
            }
        }

        int drop() {
            guard.lock();
            try {
                int count = links.size();
                links.clear();
                return count;
            } finally {
                guard.unlock();
            }
        }
    }

    /** One write-back: the canvas as read, plus the nodes and edges of the links it does not have yet. */
    private static final class Merge {

        private final CanvasFile canvas;
        private final Map<String, JsonObject> nodesById = new HashMap<>();
        private final Map<String, List<String>> fileNodesByPath = new HashMap<>();
        private final Set<String> edgeIds = new HashSet<>();
        private final Set<String> connections = new HashSet<>();
        private final NotePlacement placement = new NotePlacement();
        private final List<JsonValue> newNodes = new ArrayList<>();
        private final List<JsonValue> newEdges = new ArrayList<>();
        private int added;
        private int alreadyLinked;
        private int sourceGone;

        Merge(CanvasFile canvas) {
            this.canvas = canvas;
            for (JsonValue value : canvas.nodes()) {
                if (value instanceof JsonObject node && CanvasModel.string(node, "id") instanceof String id) {
                    nodesById.putIfAbsent(id, node);
                    if ("file".equals(CanvasModel.string(node, "type"))
                            && CanvasModel.string(node, "file") instanceof String file) {
                        fileNodesByPath
                                .computeIfAbsent(file, f -> new ArrayList<>())
                                .add(id);
                    }
                    placement.occupied(box(node), "group".equals(CanvasModel.string(node, "type")));
                }
            }
            for (JsonValue value : canvas.edges()) {
                if (value instanceof JsonObject edge) {
                    if (CanvasModel.string(edge, "id") instanceof String id) {
                        edgeIds.add(id);
                    }
                    connections.add(
                            connection(CanvasModel.string(edge, "fromNode"), CanvasModel.string(edge, "toNode")));
                }
            }
        }

        void add(Link link) {
            JsonObject source = nodesById.get(link.sourceNodeId());
            if (source == null) {
                sourceGone++;
                LOG.log(
                        INFO,
                        "Not linking ''{0}'' into ''{1}'': its source node ''{2}'' is no longer there.",
                        link.notePath(),
                        canvas.path(),
                        link.sourceNodeId());
                return;
            }
            String noteId = noteNodeId(link.sourceNodeId(), link.agent());
            String edgeId = edgeId(link.sourceNodeId(), link.agent());
            String target = nodesById.containsKey(noteId) ? noteId : linkedFileNode(link);
            boolean changed = false;
            if (target == null) {
                Box place = placement.placeBelow(box(source));
                JsonObject note = CanvasFile.JSON
                        .createObjectBuilder()
                        .add("id", noteId)
                        .add("type", "file")
                        .add("file", link.notePath())
                        .add("x", Math.round(place.x()))
                        .add("y", Math.round(place.y()))
                        .add("width", Math.round(place.width()))
                        .add("height", Math.round(place.height()))
                        .add("color", NOTE_COLOR)
                        .build();
                newNodes.add(note);
                nodesById.put(noteId, note);
                target = noteId;
                changed = true;
            }
            if (!connections.contains(connection(link.sourceNodeId(), target)) && !edgeIds.contains(edgeId)) {
                newEdges.add(CanvasFile.JSON
                        .createObjectBuilder()
                        .add("id", edgeId)
                        .add("fromNode", link.sourceNodeId())
                        .add("fromSide", "bottom")
                        .add("toNode", target)
                        .add("toSide", "top")
                        .add("label", link.agent())
                        .build());
                edgeIds.add(edgeId);
                connections.add(connection(link.sourceNodeId(), target));
                changed = true;
            }
            if (changed) {
                added++;
            } else {
                alreadyLinked++;
            }
        }

        /** A file node the user (or an older run) already made for this note and joined to the source. */
        private String linkedFileNode(Link link) {
            return fileNodesByPath.getOrDefault(link.notePath(), List.of()).stream()
                    .filter(id -> connections.contains(connection(link.sourceNodeId(), id)))
                    .findFirst()
                    .orElse(null);
        }

        JsonObject result() {
            JsonObjectBuilder merged = CanvasFile.JSON.createObjectBuilder(canvas.root());
            if (!newNodes.isEmpty()) {
                merged.add("nodes", appended(canvas.nodes(), newNodes));
            }
            if (!newEdges.isEmpty()) {
                merged.add("edges", appended(canvas.edges(), newEdges));
            }
            return merged.build();
        }

        private static JsonArrayBuilder appended(List<JsonValue> existing, List<JsonValue> more) {
            JsonArrayBuilder array = CanvasFile.JSON.createArrayBuilder();
            existing.forEach(array::add);
            more.forEach(array::add);
            return array;
        }

        private static Box box(JsonObject node) {
            return new Box(
                    CanvasModel.number(node, "x"),
                    CanvasModel.number(node, "y"),
                    CanvasModel.number(node, "width"),
                    CanvasModel.number(node, "height"));
        }

        private static String connection(String from, String to) {
            return from + "\u0000" + to;
        }

        int added() {
            return added;
        }

        int alreadyLinked() {
            return alreadyLinked;
        }

        int sourceGone() {
            return sourceGone;
        }
    }
}
