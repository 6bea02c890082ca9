package org.canvasbatch.adapters.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * The durable event log: one append-only file per session under {@code <dataDir>/sessions}, every append on disk
 * ({@code fdatasync}) before any subscriber hears of it, and heard (from the sync thread) before it returns.
 *
 * <p>Appends of all sessions go to one writer thread that writes whatever is queued and has each touched file synced
 * once, by a pool of sync threads so that the syncs of many sessions overlap (group commit); an appender returns when
 * its file is synced. Throughput is bound by how many concurrent {@code fdatasync}s the disk completes per second.
 *
 * <p>Memory: per session only where each record starts (8 bytes per event); events are read back from the file.
 *
 * <p>Replay cost stays bounded without compaction: a session holds at most 10 000 nodes with a few events each,
 * recovery reads each session's own file once, and retention deletes whole sessions ({@link #delete}).
 *
 * <p>On open, a record a crash cut short at the end of a journal is cut away (it was never acknowledged); any other
 * failed record is damage: the original file is kept for inspection, what still reads is loaded, and it is reported by
 * {@link #damage()} (see {@link JournalRecovery}), while every other session loads normally.
 *
 * <p>Nothing under the data folder is opened through a symbolic link (see {@link JournalFiles}): a journal that is a
 * link is skipped with a log line and left as it is, a link in place of a file the journal writes whole is replaced as
 * an entry, and a {@code sessions} folder that is a link is refused. The data folder itself may be reached through a
 * link the operator chose.
 */
public final class FileJournal implements EventLog, JournalHealth, AutoCloseable {

    /** From how many sessions on the reading at start is said, with its progress. */
    static final int MANY_SESSIONS = 1000;

    private static final java.time.Duration PROGRESS_EVERY = java.time.Duration.ofSeconds(10);

    private static final System.Logger LOG = System.getLogger(FileJournal.class.getName());
    private static final int PROBE_BYTES = 4096;

    private final Path dataDir;
    private final JournalFiles files;
    private final SessionEventCodec codec = new SessionEventCodec();
    private final String epoch;
    private final Map<SessionId, SessionStream> streams = new ConcurrentHashMap<>();
    private final Map<SessionId, String> damage = new ConcurrentHashMap<>();
    private final GroupCommitWriter writer;
    /** This process's hold on the folder: no other process may use it while this journal is open. */
    private final DataFolderLock hold;

    private volatile boolean closed;

    private FileJournal(Path requested, ChannelOpener opener) {
        this.dataDir = prepareDirectory(requested);
        this.hold = DataFolderLock.take(dataDir, opener);
        try {
            this.files = new JournalFiles(dataDir.resolve("sessions"), opener);
            probeAndTidy();
            this.epoch = loadOrCreateEpoch();
            recoverSessions();
            this.writer = new GroupCommitWriter(files, this::forget);
        } catch (RuntimeException e) {
            hold.close();
            throw e;
        }
    }

    /**
     * Opens (creating if needed) the journal in {@code dataDir} and recovers every session in it.
     *
     * @throws EventLogException when the directory cannot be written, naming it and the reason
     */
    public static FileJournal open(Path dataDir) {
        return open(dataDir, ChannelOpener.DEFAULT);
    }

    /** As {@link #open(Path)}, with every file opened through {@code opener} (tests inject disk faults there). */
    public static FileJournal open(Path dataDir, ChannelOpener opener) {
        return new FileJournal(dataDir.toAbsolutePath().normalize(), opener);
    }

    /** One session as {@link #peek} reads it: the events a start would keep, and the damage it would report. */
    public record PeekedSession(List<SessionEvent> history, java.util.Optional<String> damage) {}

    /**
     * The sessions a data folder holds, each handed to {@code eachSession} as a start would recover it (one at a time: a
     * folder of many large sessions is never held whole), read without changing a byte of it: no lock taken, no repair,
     * nothing made — what a dry run may do. A folder {@link #open} would refuse (another process holds it, its lock
     * file or sessions folder is not what the journal makes) is refused the same way. A session's history is what
     * recovery keeps ({@link JournalRecovery#readKept}): up to its first damage, then what still reads as the session's
     * next events, then the seqs the damage may have held; its damage is what the start would report. A file that is
     * not a plain file, or empty and undamaged, is left out (one damaged beyond reading comes with no events and its
     * damage); a folder that is not there holds none.
     *
     * @throws EventLogException when {@link #open} would refuse the folder
     */
    public static void peek(Path dataDir, Consumer<PeekedSession> eachSession) {
        Path folder;
        try {
            folder = dataDir.toRealPath();
        } catch (IOException notThere) {
            return;
        }
        DataFolderLock.refuseIfHeld(folder);
        Path sessions = folder.resolve("sessions");
        if (Files.isSymbolicLink(sessions)) {
            throw new EventLogException("cannot use " + sessions + ": " + JournalFiles.LINK_REFUSED
                    + "; make it a real folder (move what it points to into its place)");
        }
        if (!Files.exists(sessions, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(sessions, LinkOption.NOFOLLOW_LINKS)) {
            throw new EventLogException("cannot write to " + dataDir + ": " + sessions + " is a file, not a directory");
        }
        JournalFiles files = new JournalFiles(sessions, ChannelOpener.DEFAULT);
        var recovery = new JournalRecovery(files, new SessionEventCodec());
        try (var journals = Files.newDirectoryStream(sessions, "*" + JournalFiles.JOURNAL)) {
            for (Path file : journals) {
                var id = JournalFiles.sessionOf(file, JournalFiles.JOURNAL);
                if (id.isPresent() && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    readAsRecovered(files, recovery, file, id.get())
                            // a journal of which nothing can be read is handed on with its damage: the start sets it
                            // aside and warns, and a dry run should say so
                            .filter(session -> !session.history().isEmpty()
                                    || session.damage().isPresent())
                            .ifPresent(eachSession);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new EventLogException("cannot read " + sessions + ": " + e.getMessage(), e);
        }
    }

    /**
     * One journal file as a start would recover it; none when it cannot be read (the start reports that itself).
     * Opened as recovery opens it ({@link JournalFiles#open}, read-write, which changes no byte and never waits on a
     * named pipe swapped in), and only a plain file is read.
     */
    private static java.util.Optional<PeekedSession> readAsRecovered(
            JournalFiles files, JournalRecovery recovery, Path file, SessionId id) {
        // as recovery opens it, read-write: a journal the start cannot write it reports unreadable and does not resume
        try (FileChannel channel = files.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            JournalRecovery.Kept kept = recovery.readKept(id, channel);
            return java.util.Optional.of(
                    new PeekedSession(kept.events(), java.util.Optional.ofNullable(kept.damage())));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public void append(List<SessionEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        SessionId id = events.getFirst().sessionId();
        while (true) {
            SessionStream stream = streams.computeIfAbsent(id, SessionStream::empty);
            stream.appendLock.lock();
            try {
                if (stream.deleted) {
                    continue;
                }
                store(stream, events);
                return;
            } finally {
                stream.appendLock.unlock();
            }
        }
    }

    private void store(SessionStream stream, List<SessionEvent> events) {
        if (closed) {
            throw new EventLogException("the journal in " + dataDir + " is closed");
        }
        long expected = stream.nextSeq();
        List<byte[]> payloads = new ArrayList<>(events.size());
        for (SessionEvent event : events) {
            if (!event.sessionId().equals(stream.id) || event.seq() != expected) {
                throw new EventLogException("event " + event.seq() + " of session " + event.sessionId()
                        + " does not continue session " + stream.id + " at seq " + expected);
            }
            expected++;
            byte[] payload = codec.encode(event);
            if (payload.length > JournalFormat.MAX_PAYLOAD_BYTES) {
                throw new EventLogException("event " + event.seq() + " of session " + stream.id + " is too large to"
                        + " store (" + payload.length + " bytes)");
            }
            payloads.add(payload);
        }
        long[] relativeOffsets = new long[payloads.size()];
        ByteBuffer records = JournalFormat.frame(payloads, relativeOffsets);
        try {
            // the subscribers hear the events from the thread that synced them, before this appender is released (it
            // holds the stream's append lock until then, so they hear a session's events in seq order): a live event
            // does not wait for this thread to be scheduled again, which takes long while a reconnect storm's
            // connections hold every carrier of the JDK's virtual thread scheduler
            writer.append(stream, records, relativeOffsets, payloads.size(), stream.end(), () -> {
                        for (SessionEvent event : events) {
                            InMemoryEventLog.publish(stream.listeners, event);
                        }
                    })
                    .join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new EventLogException(
                    "could not store events " + events.getFirst().seq() + "–"
                            + events.getLast().seq() + " of session " + stream.id + " in " + files.directory + ": "
                            + reason(cause),
                    reason(cause),
                    files.directory.toString(),
                    cause);
        }
    }

    @Override
    public List<SessionEvent> readAfter(SessionId sessionId, long afterSeq, int limit) {
        SessionStream stream = streams.get(sessionId);
        SessionStream.Range range = stream == null ? null : stream.range(afterSeq, limit);
        if (range == null) {
            return List.of();
        }
        Path file = files.journal(sessionId);
        try (FileChannel channel = files.open(file, StandardOpenOption.READ)) {
            return readRange(sessionId, file, channel, range);
        } catch (NoSuchFileException e) {
            // deleted while we looked
            return List.of();
        } catch (IOException e) {
            throw new EventLogException(
                    "cannot read the journal of session " + sessionId + " (" + file + "): " + reason(e), e);
        }
    }

    /**
     * Streams a session's events from its file, which stays open between chunks: each {@code next} reads only the
     * records of that chunk (found through the index), so a replay of any length holds one chunk.
     */
    @Override
    public EventReader read(SessionId sessionId, long afterSeq) {
        SessionStream stream = streams.get(sessionId);
        Path file = files.journal(sessionId);
        return new EventReader() {
            private long position = Math.max(0, afterSeq);
            private FileChannel channel;
            private boolean closed;

            @Override
            public List<SessionEvent> next(int max) {
                if (closed || stream == null || stream.deleted) {
                    return List.of();
                }
                SessionStream.Range range = stream.range(position, Math.max(1, max));
                if (range == null) {
                    return List.of();
                }
                try {
                    if (channel == null) {
                        channel = files.open(file, StandardOpenOption.READ);
                    }
                    List<SessionEvent> chunk = readRange(sessionId, file, channel, range);
                    if (!chunk.isEmpty()) {
                        position = chunk.getLast().seq();
                    }
                    return chunk;
                } catch (NoSuchFileException e) {
                    return List.of();
                } catch (IOException e) {
                    throw new EventLogException(
                            "cannot read the journal of session " + sessionId + " (" + file + "): " + reason(e), e);
                }
            }

            @Override
            public void close() {
                closed = true;
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.DEBUG, "closing a journal reader failed: " + e);
                    }
                    channel = null;
                }
            }
        };
    }

    private List<SessionEvent> readRange(SessionId sessionId, Path file, FileChannel channel, SessionStream.Range range)
            throws IOException {
        List<SessionEvent> events = new ArrayList<>();
        var reader = new RecordReader(channel, range.from(), range.to());
        try {
            while (true) {
                switch (reader.next()) {
                    case RecordReader.End end -> {
                        return events;
                    }
                    case RecordReader.Intact intact -> events.add(codec.decode(intact.payload()));
                    case RecordReader.Broken broken ->
                        throw new EventLogException("the journal of session "
                                + sessionId + " (" + file + ") is damaged: " + broken.why() + " at byte "
                                + broken.offset());
                }
            }
        } catch (UnreadableRecordException e) {
            throw new EventLogException(
                    "the journal of session " + sessionId + " (" + file + ") holds an unreadable record: "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public Subscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener) {
        SessionStream stream = streams.computeIfAbsent(sessionId, SessionStream::empty);
        stream.listeners.add(listener);
        return () -> stream.listeners.remove(listener);
    }

    @Override
    public Set<SessionId> sessionIds() {
        Set<SessionId> ids = new HashSet<>();
        streams.forEach((id, stream) -> {
            if (stream.count() > 0) {
                ids.add(id);
            }
        });
        return ids;
    }

    @Override
    public void delete(SessionId sessionId) {
        SessionStream stream = streams.get(sessionId);
        if (stream == null) {
            return;
        }
        stream.appendLock.lock();
        try {
            if (stream.deleted) {
                return;
            }
            if (!closed) {
                writer.delete(stream).join();
            } else {
                throw new EventLogException("the journal in " + dataDir + " is closed");
            }
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new EventLogException(
                    "could not delete the journal of session " + sessionId + " in " + files.directory + ": "
                            + reason(cause),
                    cause);
        } finally {
            stream.appendLock.unlock();
        }
    }

    /** Called by the writer once the session's files are gone. */
    private void forget(SessionStream stream) {
        stream.deleted = true;
        streams.remove(stream.id, stream);
        damage.remove(stream.id);
    }

    @Override
    public String epoch() {
        return epoch;
    }

    /**
     * The sessions whose journal was found damaged (now or on an earlier start), each with a sentence saying where,
     * what was kept and where the original is. A damaged session still loads, up to the damage.
     */
    @Override
    public Map<SessionId, String> damage() {
        return Map.copyOf(new TreeMap<>(damage));
    }

    /**
     * Writes and syncs a page-sized probe where the journals are, then removes it: an append of a few events would be
     * stored now. A full disk often still creates an empty file, so the probe writes data.
     */
    @Override
    public void probeWritable() {
        if (closed) {
            throw new EventLogException("the journal in " + dataDir + " is closed");
        }
        Path probe = files.directory.resolve(".probe-" + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = files.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer page = ByteBuffer.allocate(PROBE_BYTES);
                while (page.hasRemaining()) {
                    channel.write(page);
                }
                channel.force(false);
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException e) {
            throw new EventLogException(
                    "cannot write to " + files.directory + ": " + reason(e), reason(e), files.directory.toString(), e);
        }
    }

    /** Each {@code fdatasync} of a session file; it runs on a sync thread. */
    @Override
    public void onSync(java.util.function.LongConsumer listener) {
        writer.onSync(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** The folder this journal writes to. */
    public Path directory() {
        return dataDir;
    }

    @Override
    public String location() {
        return dataDir.resolve("sessions").toString();
    }

    /** The sessions folder accepts a new file: a probe is created and deleted, without a sync, so it stays cheap. */
    @Override
    public Optional<String> writeProblem() {
        Path sessions = dataDir.resolve("sessions");
        try {
            files.requireOwnFolder();
            Files.delete(Files.createTempFile(sessions, ".health-", ".probe"));
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of("cannot write to " + sessions + ": " + e);
        }
    }

    /** Waits for queued appends, then closes the files. Appends after close fail. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.close();
        } finally {
            hold.close();
        }
    }

    /**
     * Creates the data folder if needed and returns where it really is: a folder the operator chose through a link is
     * followed this once, as chosen; below it nothing is. A {@code sessions} folder that is a link is refused.
     */
    private static Path prepareDirectory(Path requested) {
        try {
            Files.createDirectories(requested);
            Path real = requested.toRealPath();
            Path sessions = real.resolve("sessions");
            if (Files.isSymbolicLink(sessions)) {
                throw new EventLogException("cannot use " + sessions + ": " + JournalFiles.LINK_REFUSED
                        + "; make it a real folder (move what it points to into its place)");
            }
            if (!Files.exists(sessions, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(sessions);
            } else if (!Files.isDirectory(sessions, LinkOption.NOFOLLOW_LINKS)) {
                throw new EventLogException(
                        "cannot write to " + requested + ": " + sessions + " is a file, not a directory");
            }
            return real;
        } catch (FileAlreadyExistsException e) {
            throw new EventLogException(
                    "cannot write to " + requested + ": " + e.getFile() + " is a file, not a directory", e);
        } catch (IOException e) {
            throw new EventLogException("cannot write to " + requested + ": " + reason(e), e);
        }
    }

    /** Proves the folder takes a synced write, and removes what an interrupted start left behind. */
    private void probeAndTidy() {
        try {
            Path probe = dataDir.resolve(".write-probe");
            removePlantedEntry(probe);
            try (FileChannel channel = files.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(new byte[] {1}));
                channel.force(false);
            }
            Files.delete(probe);
            for (Path leftover : list(files.directory, "*.tmp")) {
                if (Files.isDirectory(leftover, LinkOption.NOFOLLOW_LINKS)) {
                    // the journal writes files, never folders, of this name: not its own, so not its to remove
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "ignoring " + leftover + ": a folder where canvas-batch leaves only its own temporary"
                                    + " files (left as it is)");
                    continue;
                }
                removePlantedEntry(leftover);
            }
        } catch (IOException e) {
            throw new EventLogException("cannot write to " + dataDir + ": " + reason(e), e);
        }
    }

    /**
     * Removes an entry of a name the journal owns; a link goes as a link (its target untouched), and is logged. A
     * folder there is someone's, not the journal's to remove: the start is refused, saying so.
     */
    private void removePlantedEntry(Path path) {
        refuseAFolderAt(path);
        try {
            removePlantedLinkOrFile(path);
        } catch (IOException e) {
            throw new EventLogException("cannot write to " + dataDir + ": " + reason(e), e);
        }
    }

    private void refuseAFolderAt(Path path) {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new EventLogException("cannot write to " + dataDir + ": " + path
                    + " is a folder where canvas-batch keeps a file of its own; move it away and start again");
        }
    }

    private static void removePlantedLinkOrFile(Path path) throws IOException {
        if (Files.isSymbolicLink(path)) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "removed " + path + ": it was a symbolic link where canvas-batch keeps its own file (its target"
                            + " was not touched)");
        }
        Files.deleteIfExists(path);
    }

    /** The epoch survives restarts; it is new only when the data directory (and so the history) is new. */
    private String loadOrCreateEpoch() {
        Path file = dataDir.resolve("epoch");
        refuseAFolderAt(file);
        try {
            Optional<String> refused = JournalFiles.notAPlainFile(file);
            if (refused.isPresent()) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "not reading " + file + ": it is " + refused.get() + "; starting a new epoch in its place");
            } else {
                Optional<String> stored = files.readSmall(file).map(String::strip);
                if (stored.isPresent() && isUuid(stored.get())) {
                    return stored.get();
                }
                if (stored.isPresent()) {
                    LOG.log(System.Logger.Level.WARNING, file + " holds no epoch; starting a new one");
                }
            }
            String fresh = UUID.randomUUID().toString();
            files.replaceDurably(file, fresh + "\n");
            return fresh;
        } catch (IOException e) {
            throw new EventLogException("cannot write to " + dataDir + ": " + reason(e), e);
        }
    }

    private void recoverSessions() {
        var recovery = new JournalRecovery(files, codec);
        try {
            List<Path> journals = list(files.directory, "*" + JournalFiles.JOURNAL);
            ReadingProgress progress = new ReadingProgress(journals.size());
            for (Path journal : journals) {
                progress.next();
                var id = JournalFiles.sessionOf(journal, JournalFiles.JOURNAL);
                if (id.isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, "ignoring " + journal + ": not named after a session id");
                    continue;
                }
                Optional<String> refused = JournalFiles.notAPlainFile(journal);
                if (refused.isPresent()) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "ignoring " + journal + ": it is " + refused.get() + "; canvas-batch reads only its own"
                                    + " regular files in its data folder and follows no links (left as it is)");
                    continue;
                }
                JournalRecovery.Recovered recovered;
                try {
                    recovered = recovery.recover(id.get());
                } catch (IOException | RuntimeException e) {
                    // one unreadable file must not keep every other session from loading
                    damage.put(id.get(), "the journal could not be read (" + reason(e) + ")");
                    LOG.log(
                            System.Logger.Level.ERROR,
                            "session " + id.get() + " could not be recovered: " + e.getMessage() + " (" + reason(e)
                                    + ")");
                    continue;
                }
                if (recovered.stream() != null) {
                    streams.put(id.get(), recovered.stream());
                }
                if (recovered.damage() != null) {
                    damage.put(id.get(), recovered.damage());
                }
            }
            for (Path note : list(files.directory, "*" + JournalFiles.DAMAGE_NOTE)) {
                JournalFiles.sessionOf(note, JournalFiles.DAMAGE_NOTE)
                        .ifPresent(id -> damage.computeIfAbsent(id, k -> readNote(files, note)));
            }
        } catch (IOException e) {
            throw new EventLogException("cannot read the journals in " + files.directory + ": " + reason(e), e);
        }
    }

    /**
     * Says that many sessions are being read, and how far it got every few seconds: a data folder of many thousands
     * keeps the server from listening for minutes, which without a word looks like a hang.
     */
    private final class ReadingProgress {

        private final int total;
        private final boolean said;
        private long nextWordNanos;
        private int read;

        ReadingProgress(int total) {
            this.total = total;
            this.said = total >= MANY_SESSIONS;
            this.nextWordNanos = System.nanoTime() + PROGRESS_EVERY.toNanos();
            if (said) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "reading the " + total + " sessions kept in " + files.directory
                                + "; the server listens once they are read");
            }
        }

        void next() {
            read++;
            if (said && System.nanoTime() > nextWordNanos) {
                LOG.log(System.Logger.Level.INFO, "read " + (read - 1) + " of " + total + " sessions");
                nextWordNanos = System.nanoTime() + PROGRESS_EVERY.toNanos();
            }
        }
    }

    /** A damage note as one line; a note that cannot be read (or is not a plain file) says so instead. */
    static String readNote(JournalFiles files, Path note) {
        try {
            return String.join(
                    "; ", files.readSmall(note).orElse("").strip().lines().toList());
        } catch (IOException e) {
            return "the damage note " + note + " cannot be read (" + reason(e) + ")";
        }
    }

    private static List<Path> list(Path directory, String glob) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, glob)) {
            stream.forEach(found::add);
        }
        found.sort(null);
        return found;
    }

    /** What went wrong, in the words a person expects: "read-only file system", "no space left on device". */
    static String reason(Throwable failure) {
        if (failure instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (failure instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason().toLowerCase(Locale.ROOT);
        }
        // the JDK gives these no reason, and their message is only the path, which the sentence already names
        if (failure instanceof java.nio.file.NoSuchFileException) {
            return "no such file or folder";
        }
        if (failure instanceof java.nio.file.NotDirectoryException) {
            return "a part of the path is a file, not a folder";
        }
        String message = failure.getMessage();
        if (message == null || message.isEmpty()) {
            return failure.getClass().getSimpleName();
        }
        boolean sentence = message.length() > 1 && Character.isLowerCase(message.charAt(1));
        return sentence ? message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1) : message;
    }

    private static boolean isUuid(String text) {
        try {
            return UUID.fromString(text).toString().equals(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
