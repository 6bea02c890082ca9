package org.canvasbatch.adapters.http.ws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.wire.EventMessages;
import org.canvasbatch.adapters.http.wire.EventMessages.Envelope;
import org.canvasbatch.adapters.http.wire.LocalizedFailures;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.SessionStatusQuery;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.EventChunks;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.EventPage;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionCreated;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionProgress;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * A session's past as messages: what a resuming socket and the HTTP events endpoint are sent. The messages are exactly
 * the live ones, derived {@code progress_update}s included, because the counts are folded from the session's first
 * event rather than taken from today's status.
 *
 * <p><b>Streaming.</b> History is read from the journal and rendered in chunks of {@code chunkSize} events — chunk
 * {@code k} holds seqs {@code (k·size, (k+1)·size]} — and handed to the caller message by message; the next chunk is
 * read only once the caller took the previous one (a socket's sender writes each message before asking for more, so
 * the client's pace is the replay's pace). A replay of any length holds one chunk.
 *
 * <p><b>Shared work.</b> A rendered chunk is the same for every socket, so it is kept in a cache bounded by size and
 * rendered once however many sockets replay it at the same time (a reconnect storm after a restart); the progress
 * counts at the start of each chunk are kept as a compact {@link SessionProgress#copy() checkpoint}, so a resume near
 * the end of a long session reads one chunk, not the whole history. At most {@code renderers} chunks are read and
 * rendered at once, server-wide, all replays together send within a {@link ReplayBudget} of bytes per second, and a
 * replay yields every few dozen messages: replays share the processor (and the memory every sent frame churns) with
 * live events, requests and health checks instead of taking them over.
 */
final class History {

    /** What a replay hands messages to; false stops it (the socket closed, or the session ended). */
    @FunctionalInterface
    interface Sink {
        boolean take(Outgoing.Message message);
    }

    enum Replayed {
        /** Every message of the range was handed on. */
        COMPLETE,
        /** The sink asked to stop. */
        STOPPED,
        /** The journal does not hold the range (pruned, damaged): nothing after the hole was handed on. */
        HOLE
    }

    /** Messages handed on between two looks at the budget and two yields. */
    private static final int BATCH = 32;

    /** Rendered chunks kept for whoever replays the same stretch next, at most this much text. */
    static final long CACHE_BYTES = 32L << 20;
    /** Rendered chunks nobody replayed for this long are dropped. */
    static final java.time.Duration KEEP_UNUSED = java.time.Duration.ofMinutes(1);

    /** Sessions whose chunk checkpoints are kept (least recently replayed forgotten first). */
    private static final int CHECKPOINTED_SESSIONS = 64;

    private record ChunkKey(SessionId id, long index) {}

    /** The messages of seqs {@code (firstSeq - 1, lastSeq]} in order; {@code bytes} is what they hold, roughly. */
    private record Chunk(long lastSeq, List<Outgoing.Message> messages, long bytes) {}

    /** What a renderer whose socket went away hands those waiting for the same chunk. */
    private static final Chunk ABANDONED = new Chunk(-1, List.of(), 0);

    private final SubscribeToSessionQuery subscriptions;
    private final SessionStatusQuery status;
    private final int chunkSize;
    private final Semaphore renderers;
    private final ChunkCache cache;
    private final ReplayBudget budget;
    private final ConcurrentHashMap<ChunkKey, CompletableFuture<Chunk>> rendering = new ConcurrentHashMap<>();
    /** Sessions whose journal was seen to start with their SessionCreated: a journal never loses its start alone. */
    private final java.util.Set<SessionId> startsWhole = java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<SessionId, Boolean> eldest) {
                    return size() > 1_024;
                }
            }));

    /**
     * Finished sessions' ends, rendered once and written from the same frame to every socket that is sent one: a
     * {@code session_completed} lists every node, 3.5 MB for 10 000 of them, and a socket that reconnects at a finished
     * session's end is sent it whole. Two such renders held both carriers of a 2-core server for a reconnect storm's
     * first tenth of a second (docs/benchmarks.md); a thousand plugin windows coming back to a finished batch would
     * have rendered it a thousand times.
     */
    private final Map<EndKey, KeptEnd> ends = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<EndKey, KeptEnd> eldest) {
            return size() > ENDS_KEPT;
        }
    };

    /** Finished sessions whose rendered end is kept (least recently sent forgotten first). */
    private static final int ENDS_KEPT = 4;

    private record EndKey(SessionId id, long lastSeq, Language language) {}

    private record KeptEnd(CompletableFuture<byte[]> frame, long usedAt) {}

    private final Map<SessionId, ConcurrentSkipListMap<Long, SessionProgress>> checkpoints =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(
                        Map.Entry<SessionId, ConcurrentSkipListMap<Long, SessionProgress>> e) {
                    return size() > CHECKPOINTED_SESSIONS;
                }
            };

    History(SubscribeToSessionQuery subscriptions, SessionStatusQuery status, int chunkSize) {
        this(
                subscriptions,
                status,
                chunkSize,
                defaultRenderers(),
                CACHE_BYTES,
                new ReplayBudget(ReplayBudget.DEFAULT_BYTES_PER_SECOND, ReplayBudget.DEFAULT_BURST_BYTES));
    }

    /**
     * @param renderers  chunks read and rendered at once, server-wide
     * @param cacheBytes rendered chunks kept for the next replay of the same stretch
     * @param budget     how fast all replays together may send
     */
    History(
            SubscribeToSessionQuery subscriptions,
            SessionStatusQuery status,
            int chunkSize,
            int renderers,
            long cacheBytes,
            ReplayBudget budget) {
        this.subscriptions = subscriptions;
        this.status = status;
        this.chunkSize = chunkSize;
        this.renderers = new Semaphore(Math.max(1, renderers), true);
        this.cache = new ChunkCache(cacheBytes);
        this.budget = budget;
    }

    /** Half the processors (at least one): replays never take every core from live events and requests. */
    static int defaultRenderers() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    int chunkSize() {
        return chunkSize;
    }

    Optional<SessionSnapshot> status(SessionId id) {
        try {
            return Optional.of(status.status(id));
        } catch (SessionNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * The ready frame of the {@code session_completed} that ends {@code finished}. A session that has finished says the
     * same at the same seq to every socket (its end is stamped with its finishing time), so it is rendered once per
     * session, seq and reader's language and shared; one without a finishing time is rendered for this socket.
     */
    byte[] endFrame(SessionSnapshot finished, java.time.Instant now, Language language) {
        if (finished.finishedAt() == null) {
            return endText(finished, now, language);
        }
        EndKey key = new EndKey(finished.id(), finished.lastSeq(), language);
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> frame;
        synchronized (ends) {
            KeptEnd kept = ends.get(key);
            frame = kept == null ? mine : kept.frame();
            ends.put(key, new KeptEnd(frame, System.nanoTime()));
        }
        if (frame == mine) {
            try {
                mine.complete(endText(finished, now, language));
            } catch (RuntimeException | Error e) {
                synchronized (ends) {
                    ends.remove(key);
                }
                mine.completeExceptionally(e);
                throw e;
            }
        }
        return frame.join();
    }

    private static byte[] endText(SessionSnapshot finished, java.time.Instant now, Language language) {
        return TextFrame.of(LocalizedFailures.message(
                        EventMessages.sessionCompleted(finished, now).json(), language)
                .toString());
    }

    /** Why the session's progress cannot be saved now, if it cannot (the journal refuses events). */
    Optional<StorageProblem> storageProblem(SessionId id) {
        return status.storageProblem(id);
    }

    /** Whether {@code rawSessionId} names a session this server has (without reading its history). */
    boolean knows(String rawSessionId) {
        if (!SessionId.isWellFormed(rawSessionId)) {
            return false;
        }
        try {
            head(new SessionId(rawSessionId));
            return true;
        } catch (SessionNotFoundException e) {
            return false;
        }
    }

    /** The newest seq and the epoch, without reading history. @throws SessionNotFoundException */
    EventPage head(SessionId id) {
        return subscriptions.eventsAfter(id, Long.MAX_VALUE - 1, 1);
    }

    /**
     * Whether the journal still holds everything needed to replay {@code (after, upTo]}: the session's first event
     * (the counts are folded from it) and the event right after {@code after}. Journals lose history only from the
     * start or all at once, so these two reads decide it.
     */
    boolean holds(SessionId id, long after, long upTo) {
        // the first event of a big session is big (every node's text): read it once, not for every resuming socket
        if (!startsWhole.contains(id)) {
            var first = subscriptions.eventsAfter(id, 0, 1).events();
            if (first.isEmpty() || !(first.getFirst() instanceof SessionCreated)) {
                return upTo <= after;
            }
            startsWhole.add(id);
        }
        if (after >= upTo) {
            return true;
        }
        var next = subscriptions.eventsAfter(id, after, 1).events();
        // after may lie inside the seqs one event takes (EventsLost)
        return !next.isEmpty()
                && next.getFirst().firstSeq() <= after + 1
                && next.getFirst().seq() > after;
    }

    /**
     * Hands the messages of the events {@code (after, upTo]} to {@code out} in order, a chunk at a time, reading the next
     * chunk only once {@code out} has taken the previous one.
     *
     * @throws SessionNotFoundException when the session is forgotten meanwhile
     * @throws InterruptedException     when the calling thread is interrupted (its socket went away)
     */
    Replayed replay(SessionId id, long after, long upTo, Sink out) throws InterruptedException {
        long cursor = Math.max(0, after);
        while (cursor < upTo) {
            long index = cursor / chunkSize;
            Chunk chunk = chunk(id, index, upTo);
            if (chunk == null) {
                return Replayed.HOLE;
            }
            List<Outgoing.Message> messages = chunk.messages();
            int first = 0;
            while (first < messages.size() && messages.get(first).seq() <= cursor) {
                first++;
            }
            int end = first;
            while (end < messages.size() && messages.get(end).seq() <= upTo) {
                end++;
            }
            for (int batch = first; batch < end; batch += BATCH) {
                int last = Math.min(end, batch + BATCH);
                long bytes = 0;
                for (int i = batch; i < last; i++) {
                    bytes += messages.get(i).text().length();
                }
                budget.take(bytes);
                for (int i = batch; i < last; i++) {
                    if (!out.take(messages.get(i))) {
                        return Replayed.STOPPED;
                    }
                }
                // a few dozen messages at a time: requests and live events waiting for a processor go first
                Thread.yield();
            }
            long reached = Math.min(chunk.lastSeq(), upTo);
            if (reached <= cursor) {
                return Replayed.HOLE;
            }
            cursor = reached;
        }
        return Replayed.COMPLETE;
    }

    // ------------------------------------------------------------------------------------------------------ chunks

    /** Chunk {@code index} holding at least up to {@code upTo} (or all the session has), from the cache or rendered. */
    private Chunk chunk(SessionId id, long index, long upTo) throws InterruptedException {
        ChunkKey key = new ChunkKey(id, index);
        long needed = Math.min((index + 1) * chunkSize, upTo);
        while (true) {
            Chunk cached = cache.get(key);
            if (cached != null && cached.lastSeq() >= needed) {
                return cached;
            }
            CompletableFuture<Chunk> mine = new CompletableFuture<>();
            CompletableFuture<Chunk> running = rendering.putIfAbsent(key, mine);
            if (running != null) {
                // someone renders it right now: wait for theirs rather than do the same work twice
                Chunk theirs = await(running);
                if (theirs == ABANDONED) {
                    continue;
                }
                if (theirs == null || theirs.lastSeq() >= needed) {
                    return theirs;
                }
                continue;
            }
            try {
                Chunk rendered = render(id, index);
                if (rendered != null) {
                    cache.put(key, rendered);
                }
                mine.complete(rendered);
                return rendered;
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                throw e;
            } catch (InterruptedException e) {
                // its socket went away: whoever waits for this chunk renders it itself
                mine.complete(ABANDONED);
                throw e;
            } finally {
                rendering.remove(key, mine);
            }
        }
    }

    private static Chunk await(CompletableFuture<Chunk> running) throws InterruptedException {
        try {
            return running.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("rendering a chunk of history failed", e.getCause());
        }
    }

    /** Reads and renders the events the chunk holds now; null when the journal has a hole there. */
    private Chunk render(SessionId id, long index) throws InterruptedException {
        renderers.acquire();
        try {
            long from = index * chunkSize;
            SessionProgress progress = index == 0 ? null : progressAt(id, index);
            if (index > 0 && progress == null) {
                return null;
            }
            List<SessionEvent> events;
            try (EventChunks reader = subscriptions.readEvents(id, from)) {
                events = reader.next(chunkSize);
            }
            if (events.isEmpty()) {
                return null;
            }
            List<Outgoing.Message> messages = new ArrayList<>(events.size() + events.size() / 2);
            long bytes = 0;
            long expected = from + 1;
            for (SessionEvent event : events) {
                if (event.firstSeq() > expected || event.seq() < expected) {
                    return null;
                }
                expected = event.seq() + 1;
                if (progress != null && event.seq() <= progress.lastSeq()) {
                    // the seqs of an EventsLost across the chunk's start, already folded into its checkpoint
                    continue;
                }
                if (progress == null) {
                    if (!(event instanceof SessionCreated created)) {
                        return null;
                    }
                    progress = SessionProgress.of(created);
                }
                for (Envelope envelope : EventMessages.of(event, progress)) {
                    Outgoing.Message message = Outgoing.Message.of(envelope);
                    messages.add(message);
                    // the text and its ready frame both stay in the cache
                    bytes += 64 + 2L * message.text().length() + message.frameBytes();
                }
            }
            if (events.getLast().seq() == (index + 1) * chunkSize) {
                checkpointsOf(id).putIfAbsent(index + 1, progress.copy());
            }
            return new Chunk(events.getLast().seq(), List.copyOf(messages), bytes);
        } finally {
            renderers.release();
        }
    }

    /**
     * The counts as of the start of chunk {@code index} (seq {@code index·size}), as a private copy: from its checkpoint,
     * or folded from the nearest earlier one (the session's first event at worst), keeping a checkpoint per chunk on the
     * way. Null when the journal does not hold that far.
     */
    private SessionProgress progressAt(SessionId id, long index) {
        ConcurrentSkipListMap<Long, SessionProgress> known = checkpointsOf(id);
        Map.Entry<Long, SessionProgress> nearest = known.floorEntry(index);
        if (nearest != null && nearest.getKey() == index) {
            return nearest.getValue().copy();
        }
        long at = nearest == null ? 0 : nearest.getKey();
        SessionProgress progress = nearest == null ? null : nearest.getValue().copy();
        long target = index * chunkSize;
        try (EventChunks reader = subscriptions.readEvents(id, at * chunkSize)) {
            while (progress == null || progress.lastSeq() < target) {
                List<SessionEvent> events = reader.next(chunkSize);
                if (events.isEmpty()) {
                    return null;
                }
                for (SessionEvent event : events) {
                    if (progress == null) {
                        if (!(event instanceof SessionCreated created)) {
                            return null;
                        }
                        progress = SessionProgress.of(created);
                    } else if (event.seq() <= progress.lastSeq()) {
                        continue;
                    } else if (event.firstSeq() != progress.lastSeq() + 1) {
                        return null;
                    } else {
                        progress.apply(event);
                    }
                    long reached = progress.lastSeq();
                    if (reached % chunkSize == 0 && reached > 0) {
                        known.putIfAbsent(reached / chunkSize, progress.copy());
                    }
                    // an EventsLost may take the seqs across the chunk's start: its counts are those at the start
                    if (reached >= target) {
                        return progress;
                    }
                }
            }
        }
        return progress;
    }

    /**
     * Forgets the rendered chunks no replay asked for within {@link #KEEP_UNUSED} (the heartbeat calls this), so that
     * a storm leaves no memory behind once it is over; the checkpoints, a few bytes per node, stay.
     */
    void forgetUnused() {
        forgetUnused(KEEP_UNUSED);
    }

    void forgetUnused(java.time.Duration idle) {
        long now = System.nanoTime();
        cache.dropUnused(now, idle.toNanos());
        synchronized (ends) {
            ends.values().removeIf(kept -> now - kept.usedAt() >= idle.toNanos());
        }
    }

    private ConcurrentSkipListMap<Long, SessionProgress> checkpointsOf(SessionId id) {
        synchronized (checkpoints) {
            return checkpoints.computeIfAbsent(id, k -> new ConcurrentSkipListMap<>());
        }
    }

    /** Rendered chunks, least recently used dropped first once they hold more than the budget. */
    private static final class ChunkCache {
        private record Kept(Chunk chunk, long usedAt) {}

        private final long budget;
        private final LinkedHashMap<ChunkKey, Kept> chunks = new LinkedHashMap<>(64, 0.75f, true);
        private long used;

        ChunkCache(long budget) {
            this.budget = budget;
        }

        synchronized Chunk get(ChunkKey key) {
            Kept kept = chunks.get(key);
            if (kept == null) {
                return null;
            }
            chunks.put(key, new Kept(kept.chunk(), System.nanoTime()));
            return kept.chunk();
        }

        synchronized void put(ChunkKey key, Chunk chunk) {
            Kept before = chunks.put(key, new Kept(chunk, System.nanoTime()));
            used += chunk.bytes() - (before == null ? 0 : before.chunk().bytes());
            var eldest = chunks.entrySet().iterator();
            while (used > budget && chunks.size() > 1 && eldest.hasNext()) {
                var entry = eldest.next();
                if (entry.getKey().equals(key)) {
                    continue;
                }
                used -= entry.getValue().chunk().bytes();
                eldest.remove();
            }
        }

        /** Drops the chunks nobody asked for within {@code idle}: a quiet server keeps no stale history. */
        synchronized void dropUnused(long now, long idle) {
            var eldest = chunks.entrySet().iterator();
            while (eldest.hasNext()) {
                var entry = eldest.next();
                if (now - entry.getValue().usedAt() < idle) {
                    return;
                }
                used -= entry.getValue().chunk().bytes();
                eldest.remove();
            }
        }
    }
}
