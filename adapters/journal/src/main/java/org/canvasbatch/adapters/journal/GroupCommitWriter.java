package org.canvasbatch.adapters.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The only thread that changes journal files. It takes every request queued since it last looked, writes them all, and
 * hands each touched file to a sync thread — once per file. A sync thread makes the file durable ({@code fdatasync}),
 * indexes its records, hands their events on to the session's subscribers and releases the appender. The writer does
 * not wait for those syncs before writing the next requests: a round barrier would leave the disk idle while appenders
 * wake up, and concurrent syncs of different files are what the file system folds into one journal commit and one
 * device flush.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GroupCommitWriter.class.getName());
    private static final int MAX_OPEN_FILES = 128;
    /** Syncs in flight at once; beyond the sessions that append concurrently, more would not help the disk. */
    private static final int SYNC_THREADS = 64;

    private sealed interface Request {}

    private record Append(
            SessionStream stream,
            ByteBuffer records,
            long[] relativeOffsets,
            int recordCount,
            long base,
            Runnable whenDurable,
            CompletableFuture<Void> done,
            java.util.concurrent.atomic.AtomicBoolean handedToSync)
            implements Request {}

    private record Delete(SessionStream stream, CompletableFuture<Void> done) implements Request {}

    /** A sync failed: the writer takes the records back out of the file. */
    private record SyncFailed(Append append, IOException cause) implements Request {}

    private record Stop() implements Request {}

    private final JournalFiles files;
    private final Consumer<SessionStream> onDeleted;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final ExecutorService syncers;
    /** Open write channels, least recently used first; a file is reopened when it was evicted or failed. */
    private final Map<SessionStream, FileChannel> channels = new LinkedHashMap<>(16, 0.75f, true);

    private volatile LongConsumer syncTimes = nanos -> {};
    private boolean closed;

    GroupCommitWriter(JournalFiles files, Consumer<SessionStream> onDeleted) {
        this.files = files;
        this.onDeleted = onDeleted;
        var pool = new ThreadPoolExecutor(
                SYNC_THREADS,
                SYNC_THREADS,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                daemonThreads("journal-sync-"));
        pool.allowCoreThreadTimeOut(true);
        this.syncers = pool;
        this.thread = daemonThreads("journal-writer").newThread(this::run);
        thread.start();
    }

    /**
     * Queues framed records of one session for {@code base}, the end of its durable records. {@code whenDurable} runs
     * on the sync thread once they are durable and readable, before the appender is released; never when they fail.
     */
    CompletableFuture<Void> append(
            SessionStream stream,
            ByteBuffer records,
            long[] relativeOffsets,
            int recordCount,
            long base,
            Runnable whenDurable) {
        var done = new CompletableFuture<Void>();
        submit(
                new Append(
                        stream,
                        records,
                        relativeOffsets,
                        recordCount,
                        base,
                        whenDurable,
                        done,
                        new java.util.concurrent.atomic.AtomicBoolean()),
                done);
        return done;
    }

    CompletableFuture<Void> delete(SessionStream stream) {
        var done = new CompletableFuture<Void>();
        submit(new Delete(stream, done), done);
        return done;
    }

    private synchronized void submit(Request request, CompletableFuture<Void> done) {
        if (closed) {
            done.completeExceptionally(new IOException("the journal is closed"));
        } else {
            queue.add(request);
        }
    }

    /** Finishes what is queued, then stops; later requests fail. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(new Stop());
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        syncers.shutdown();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        boolean stopping = false;
        List<Request> batch = new ArrayList<>();
        while (!stopping) {
            batch.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                // nobody interrupts this thread but close(), which asks with Stop; keep serving
                continue;
            }
            queue.drainTo(batch);
            stopping = batch.removeIf(request -> request instanceof Stop);
            processSafely(batch);
        }
        // syncs still in flight complete their appends; the failed ones come back here to be rolled back
        syncers.shutdown();
        boolean interrupted = false;
        while (!syncers.isTerminated()) {
            try {
                syncers.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        batch.clear();
        queue.drainTo(batch);
        processSafely(batch);
        closeAllChannels();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void processSafely(List<Request> batch) {
        try {
            process(batch);
            trimChannels();
        } catch (RuntimeException | Error e) {
            // a bug must not leave appenders waiting forever
            LOG.log(System.Logger.Level.ERROR, "the journal writer failed", e);
            for (Request request : batch) {
                failIfPending(request, new IOException("the journal writer failed: " + e, e));
            }
            closeAllChannels();
        }
    }

    private void process(List<Request> batch) {
        List<Append> written = new ArrayList<>(batch.size());
        List<Append> newEntries = new ArrayList<>();
        for (Request request : batch) {
            switch (request) {
                case Append append -> {
                    try {
                        write(append);
                        (append.stream().entryDurable ? written : newEntries).add(append);
                    } catch (IOException e) {
                        rollBack(append, e);
                    }
                }
                case Delete delete -> deleteFiles(delete);
                case SyncFailed failed -> rollBack(failed.append(), failed.cause());
                case Stop stop -> {}
            }
        }
        if (!newEntries.isEmpty()) {
            // a new file is durable only once its directory entry is
            try {
                syncDirectory();
                for (Append append : newEntries) {
                    append.stream().entryDurable = true;
                }
                written.addAll(newEntries);
            } catch (IOException e) {
                newEntries.forEach(append -> rollBack(append, e));
            }
        }
        for (Append append : written) {
            FileChannel channel = channels.get(append.stream());
            append.stream().syncing = true;
            syncers.execute(() -> syncAndRelease(append, channel));
            append.handedToSync().set(true);
        }
    }

    /** See {@link FileJournal#onSync}. */
    void onSync(LongConsumer listener) {
        syncTimes = listener;
    }

    /** On a sync thread: once the file is durable, its records become readable and the appender goes on. */
    private void syncAndRelease(Append append, FileChannel channel) {
        try {
            long started = System.nanoTime();
            channel.force(false);
            report(System.nanoTime() - started);
            append.stream()
                    .commit(
                            append.base(),
                            append.relativeOffsets(),
                            append.recordCount(),
                            append.records().limit());
        } catch (IOException e) {
            queue.add(new SyncFailed(append, e));
            return;
        } catch (RuntimeException | Error e) {
            queue.add(new SyncFailed(append, new IOException("syncing failed: " + e, e)));
            return;
        }
        // durable from here on: whatever the hand-over does, the records stay and the appender is released
        try {
            append.whenDurable().run();
        } catch (RuntimeException | Error e) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    "handing on durable events of session " + append.stream().id + " failed",
                    e);
        } finally {
            append.stream().syncing = false;
            append.done().complete(null);
        }
    }

    private void report(long nanos) {
        try {
            syncTimes.accept(nanos);
        } catch (RuntimeException e) {
            // metrics must never fail an append that is already durable
            LOG.log(System.Logger.Level.WARNING, "the sync listener failed", e);
        }
    }

    private void write(Append append) throws IOException {
        FileChannel channel = channelFor(append.stream());
        // a failed append may have left bytes that never became part of the journal
        if (channel.size() > append.base()) {
            channel.truncate(append.base());
        }
        ByteBuffer records = append.records().duplicate();
        long position = append.base();
        while (records.hasRemaining()) {
            position += channel.write(records, position);
        }
    }

    private FileChannel channelFor(SessionStream stream) throws IOException {
        FileChannel channel = channels.get(stream);
        if (channel != null) {
            return channel;
        }
        Path file = files.journal(stream.id);
        if (stream.fileExists) {
            channel = files.open(file, StandardOpenOption.WRITE);
        } else {
            channel = files.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                ByteBuffer header = JournalFormat.header();
                while (header.hasRemaining()) {
                    channel.write(header, header.position());
                }
            } catch (IOException e) {
                // without a whole header the file is no journal; the next append starts it again
                closeQuietly(channel);
                try {
                    Files.deleteIfExists(file);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            stream.fileExists = true;
        }
        channels.put(stream, channel);
        return channel;
    }

    /** Closes the least recently used files beyond the limit, never one whose sync is in flight. */
    private void trimChannels() {
        var eldest = channels.entrySet().iterator();
        while (channels.size() > MAX_OPEN_FILES && eldest.hasNext()) {
            var entry = eldest.next();
            if (!entry.getKey().syncing) {
                closeQuietly(entry.getValue());
                eldest.remove();
            }
        }
    }

    private void syncDirectory() throws IOException {
        try (FileChannel directory = files.open(files.directory, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    /**
     * Takes back what an append may have left in its file, so that the file ends at the last durable record again. If
     * even that fails, the next append to the file truncates before writing.
     */
    private void rollBack(Append append, IOException cause) {
        append.stream().syncing = false;
        FileChannel channel = channels.remove(append.stream());
        if (channel != null) {
            try {
                if (channel.size() > append.base()) {
                    channel.truncate(append.base());
                    channel.force(false);
                }
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
            closeQuietly(channel);
        }
        append.done().completeExceptionally(cause);
    }

    private void deleteFiles(Delete delete) {
        SessionStream stream = delete.stream();
        FileChannel channel = channels.remove(stream);
        if (channel != null) {
            closeQuietly(channel);
        }
        try {
            for (Path file : files.allOf(stream.id)) {
                Files.deleteIfExists(file);
            }
            syncDirectory();
            onDeleted.accept(stream);
            delete.done().complete(null);
        } catch (IOException e) {
            delete.done().completeExceptionally(e);
        }
    }

    private void failIfPending(Request request, IOException cause) {
        switch (request) {
            case Append append -> {
                // an append handed to a sync thread finishes (or fails) there, however far it got: once synced its
                // records may have been heard, and must never be taken back
                if (!append.done().isDone() && !append.handedToSync().get()) {
                    rollBack(append, cause);
                }
            }
            case Delete delete -> delete.done().completeExceptionally(cause);
            case SyncFailed failed -> rollBack(failed.append(), failed.cause());
            case Stop stop -> {}
        }
    }

    private void closeAllChannels() {
        channels.values().forEach(GroupCommitWriter::closeQuietly);
        channels.clear();
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a journal file failed: " + e);
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        var counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name.endsWith("-") ? name + counter.incrementAndGet() : name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
