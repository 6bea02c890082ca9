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
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The only thread that changes journal files. It takes every request queued since its last round, writes them all, then
 * makes each touched file durable once — the files in parallel, because the file system folds concurrent syncs into one
 * commit — and only then indexes the records and releases the appenders. An appender waits one round at most, however
 * many sessions append at once.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GroupCommitWriter.class.getName());
    private static final int MAX_OPEN_FILES = 128;
    private static final int SYNC_THREADS = 16;

    private sealed interface Request {
    }

    private record Append(SessionStream stream, ByteBuffer records, long[] relativeOffsets, int recordCount, long base,
                          CompletableFuture<Void> done) implements Request {
    }

    private record Delete(SessionStream stream, CompletableFuture<Void> done) implements Request {
    }

    private record Stop() implements Request {
    }

    private final JournalFiles files;
    private final ChannelOpener opener;
    private final Consumer<SessionStream> onDeleted;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final ExecutorService syncers;
    /** Open write channels, least recently used first; a file is reopened when it was evicted or failed. */
    private final Map<SessionStream, FileChannel> channels = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    GroupCommitWriter(JournalFiles files, ChannelOpener opener, Consumer<SessionStream> onDeleted) {
        this.files = files;
        this.opener = opener;
        this.onDeleted = onDeleted;
        this.syncers = Executors.newFixedThreadPool(SYNC_THREADS, daemonThreads("journal-sync-"));
        this.thread = daemonThreads("journal-writer").newThread(this::run);
        thread.start();
    }

    /** Queues framed records of one session for {@code base}, the end of its durable records. */
    CompletableFuture<Void> append(SessionStream stream, ByteBuffer records, long[] relativeOffsets, int recordCount,
                                   long base) {
        var done = new CompletableFuture<Void>();
        submit(new Append(stream, records, relativeOffsets, recordCount, base, done), done);
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
        closeAllChannels();
    }

    private void process(List<Request> batch) {
        List<Append> written = new ArrayList<>(batch.size());
        boolean newEntries = false;
        for (Request request : batch) {
            switch (request) {
                case Append append -> {
                    try {
                        write(append);
                        written.add(append);
                        newEntries |= !append.stream().entryDurable;
                    } catch (IOException e) {
                        rollBack(append, e);
                    }
                }
                case Delete delete -> deleteFiles(delete);
                case Stop stop -> {
                }
            }
        }
        if (written.isEmpty()) {
            return;
        }
        IOException directoryFailure = null;
        if (newEntries) {
            try {
                syncDirectory();
            } catch (IOException e) {
                directoryFailure = e;
            }
        }
        List<IOException> failures = syncAll(written);
        for (int i = 0; i < written.size(); i++) {
            Append append = written.get(i);
            IOException failure = failures.get(i);
            if (failure == null && directoryFailure != null && !append.stream().entryDurable) {
                failure = directoryFailure;
            }
            if (failure != null) {
                rollBack(append, failure);
            } else {
                append.stream().entryDurable = true;
                append.stream().commit(append.base(), append.relativeOffsets(), append.recordCount(),
                        append.records().limit());
                append.done().complete(null);
            }
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
            channel = opener.open(file, StandardOpenOption.WRITE);
        } else {
            channel = opener.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
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

    /** Closes the least recently used files beyond the limit; only between rounds, never under a pending sync. */
    private void trimChannels() {
        var eldest = channels.entrySet().iterator();
        while (channels.size() > MAX_OPEN_FILES && eldest.hasNext()) {
            closeQuietly(eldest.next().getValue());
            eldest.remove();
        }
    }

    /** Syncs the written files, in parallel when there are several; a null entry means durable. */
    private List<IOException> syncAll(List<Append> written) {
        List<IOException> failures = new ArrayList<>(written.size());
        if (written.size() == 1) {
            failures.add(sync(channels.get(written.getFirst().stream())));
            return failures;
        }
        List<Future<IOException>> syncs = new ArrayList<>(written.size());
        for (Append append : written) {
            FileChannel channel = channels.get(append.stream());
            syncs.add(syncers.submit(() -> sync(channel)));
        }
        for (Future<IOException> sync : syncs) {
            failures.add(waitFor(sync));
        }
        return failures;
    }

    private static IOException sync(FileChannel channel) {
        try {
            channel.force(false);
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    private static IOException waitFor(Future<IOException> sync) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return sync.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    return new IOException("syncing failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A new file is durable only once its directory entry is. */
    private void syncDirectory() throws IOException {
        try (FileChannel directory = opener.open(files.directory, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    /**
     * Takes back what an append may have left in its file, so that the file ends at the last durable record again. If
     * even that fails, the next append to the file truncates before writing.
     */
    private void rollBack(Append append, IOException cause) {
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
                if (!append.done().isDone()) {
                    rollBack(append, cause);
                }
            }
            case Delete delete -> delete.done().completeExceptionally(cause);
            case Stop stop -> {
            }
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
