package org.canvasbatch.adapters.vault;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import jakarta.json.JsonObject;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.canvasbatch.adapters.vault.CanvasMerge.Link;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.agent.AgentId;

/**
 * The note links not yet in their canvas, kept in the vault itself (one JSON object a line) so that neither a full disk
 * nor a restart loses them: a link is recorded before its note is written, and forgotten once it is in its canvas, or
 * can never be (the canvas or its source node is gone). The file exists only while links wait.
 *
 * <p>Several processes may write into one vault (a {@code run} beside a {@code serve}, the servers of a cluster), and
 * each rewrites its ledger from its own memory, so each keeps its own: {@code pending-links-<writer>.jsonl}, named by
 * its name in the cluster, or outside a cluster by a name of its own ({@code local-<pid>-<random>}). While its ledger
 * exists the writer holds an OS lock ({@link FileChannel#tryLock}) on {@code pending-links-<writer>.lock} beside it,
 * made (already locked) before the ledger and deleted after it; a process's end lets go of the lock, even after
 * {@code kill -9}. Another's ledger is opened only to adopt it: a cluster's server when the cluster says that server
 * stopped ({@link #adopt(String)}); and at every start, the ledger of each process outside a cluster
 * ({@code local-…}) whose lock nobody holds (see {@link #load}). At its start a process also takes over the
 * {@value #FILE} an earlier version kept for the whole vault, by renaming it to its own ledger, so of processes
 * starting together one gets it.
 *
 * <p>At start, the links left from an earlier run are written; each only if its note is still there, a regular file
 * whose front matter names the same node and agent, so a planted line can only link a real note to its own node.
 * Trouble with this file is logged and never fails a note: at worst a link waits in memory only, as it used to.
 */
final class PendingLinks {

    static final String FOLDER = ".canvas-batch";
    static final String FILE = FOLDER + "/pending-links.jsonl";
    private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;
    /** How the name of a process outside a cluster begins: only such ledgers are taken over by their lock alone. */
    static final String LOCAL = "local-";
    /** What a writer's name may be: it becomes part of a file name, so no separator, no leading dot, bounded. */
    private static final java.util.regex.Pattern WRITER =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private static final System.Logger LOG = System.getLogger(PendingLinks.class.getName());

    /** A link waiting to be written into the canvas at {@code canvasPath}. */
    record Entry(String canvasPath, Link link) {

        String key() {
            return canvasPath + "\u0000" + link.key();
        }
    }

    /**
     * The writers whose ledger this JVM keeps and has not closed: their lock files are never opened here, since closing
     * any channel of a file lets go of every lock this process holds on it (POSIX), the writer's own included.
     */
    private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();

    private final VaultPaths paths;
    private final FileOpener opener;
    private final boolean enabled;
    /** This process's name among the vault's writers: its name in the cluster, else {@code local-<pid>-<random>}. */
    private final String writer;
    /** This process's ledger, vault-relative: {@code pending-links-<writer>.jsonl}. */
    private final String ledgerFile;
    /** Told the ledger's folder right after its look and each file right before it is acted on (tests swap there). */
    private final Consumer<Path> beforeActing;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Entry> waiting = new LinkedHashMap<>();
    /** Under the lock: this writer's lock file, held while its ledger exists; null while it has none. */
    private OwnLock ownLock;

    /** Under the lock, while loading: see {@link #load(Instant)}. */
    private Instant unlockedLedgersQuietSince = Instant.MIN;

    private String lastProblem;
    private boolean lockProblemSaid;
    /**
     * Under the lock: every link waiting is in this process's ledger on disk. False once one could not be recorded (the
     * ledger's folder or file unusable, the disk full) until the whole ledger is written again.
     */
    private boolean recorded = true;

    private PendingLinks(
            VaultPaths paths, FileOpener opener, boolean enabled, String writer, Consumer<Path> beforeActing) {
        this.paths = paths;
        this.beforeActing = beforeActing;
        this.opener = opener;
        this.enabled = enabled;
        this.writer = writer == null ? localName() : writer;
        this.ledgerFile = ledgerOf(this.writer);
        if (enabled) {
            LIVE.add(this.writer);
        }
    }

    /** A name for a process outside a cluster: its pid and a random part, so that no other process has it. */
    private static String localName() {
        return LOCAL + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The ledger of a process outside a cluster, under a name of its own. */
    static PendingLinks inVault(VaultPaths paths, FileOpener opener) {
        return inVault(paths, opener, path -> {});
    }

    /** @param beforeActing told the ledger's folder right after its look, each file right before it is acted on */
    static PendingLinks inVault(VaultPaths paths, FileOpener opener, Consumer<Path> beforeActing) {
        return new PendingLinks(paths, opener, true, null, beforeActing);
    }

    /**
     * The ledger of {@code writer}, one of several servers sharing this vault.
     *
     * @throws IllegalArgumentException if the name cannot be part of a file name
     */
    static PendingLinks sharedBy(String writer, VaultPaths paths, FileOpener opener) {
        return sharedBy(writer, paths, opener, path -> {});
    }

    /** @param beforeActing told the ledger's folder right after its look, each file right before it is acted on */
    static PendingLinks sharedBy(String writer, VaultPaths paths, FileOpener opener, Consumer<Path> beforeActing) {
        if (!isWriterName(writer)) {
            throw new IllegalArgumentException("not a writer's name for the pending-links ledger: '" + writer + "'");
        }
        return new PendingLinks(paths, opener, true, writer, beforeActing);
    }

    /** For a vault that does not link notes into canvases. */
    static PendingLinks none() {
        return new PendingLinks(null, null, false, null, path -> {});
    }

    static boolean isWriterName(String writer) {
        return writer != null && WRITER.matcher(writer).matches();
    }

    /** The vault-relative ledger of {@code writer}, a name {@link #isWriterName} accepts. */
    static String ledgerOf(String writer) {
        return FOLDER + "/pending-links-" + writer + ".jsonl";
    }

    /** The vault-relative lock file of {@code writer}, held by that writer while its ledger exists. */
    static String lockOf(String writer) {
        return FOLDER + "/pending-links-" + writer + ".lock";
    }

    /** This process's ledger, vault-relative. */
    String ledgerFile() {
        return ledgerFile;
    }

    /** Records that the note at {@code notePath} is to be linked into its canvas; before the note is written. */
    void add(String canvasPath, String sourceNodeId, AgentId agent, String notePath) {
        if (!enabled) {
            return;
        }
        Entry entry = new Entry(canvasPath, new Link(sourceNodeId, notePath, agent.wireName(), null));
        lock.lock();
        try {
            waiting.put(entry.key(), entry);
            append(List.of(entry));
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the entries at the end of this process's ledger; false when they are in memory only. */
    private boolean append(List<Entry> entries) {
        StringBuilder lines = new StringBuilder();
        entries.forEach(entry -> lines.append(line(entry)).append('\n'));
        try (HeldLedgerFolder held = holdLedgerFolder(true);
                SeekableByteChannel channel = held == null ? null : openForAppending(heldByThisWriter(held))) {
            if (channel == null) {
                recorded = false;
                return false;
            }
            ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            lastProblem = null;
            return true;
        } catch (IOException e) {
            problem("Cannot record a note link waiting for its canvas in '" + ledgerFile + "': "
                    + DiskProblem.describe(e));
            recorded = false;
            return false;
        }
    }

    /**
     * Records the link of a note written earlier (by another server, now dead) if the note is still this node's by this
     * agent for this canvas; the entry to queue, or null when it is not.
     */
    Entry adopt(String canvasPath, String sourceNodeId, AgentId agent, String notePath) {
        if (!enabled) {
            return null;
        }
        Entry entry = new Entry(canvasPath, new Link(sourceNodeId, notePath, agent.wireName(), null));
        if (!belongs(entry)) {
            LOG.log(
                    INFO,
                    "The note ''{0}'' of a session taken over is not linked again: it is gone or not its node''s.",
                    notePath);
            return null;
        }
        add(canvasPath, sourceNodeId, agent, notePath);
        return entry;
    }

    /**
     * Takes over the ledger {@code writer} left, a server of the cluster that stopped (the cluster says so, whatever its
     * lock says: a server cut off from the database may still hold it): its links whose notes are still theirs are
     * recorded in this process's ledger and returned to be written, and its file is deleted, and its lock file with it
     * when nobody holds that. The file is read as hostile as at a start: a regular file only, within the size limit,
     * line by line, each note checked against its front matter.
     *
     * @return the links to write, and whether nothing of that ledger is left (false: it could not all be recorded here,
     *     or not be deleted, and should be adopted again later)
     */
    Adopted adopt(String writer) {
        return adopt(writer, true);
    }

    /**
     * @param toldDead whether the cluster said {@code writer} stopped; if not, its ledger is taken only when its lock
     *     file is free (held here while it is read, appended and deleted) or there is none, before and after the read
     */
    private Adopted adopt(String writer, boolean toldDead) {
        if (!enabled || !isWriterName(writer) || writer.equals(this.writer)) {
            return new Adopted(List.of(), true);
        }
        boolean liveHere = LIVE.contains(writer);
        if (liveHere && !toldDead) {
            return new Adopted(List.of(), false);
        }
        String theirs = ledgerOf(writer);
        Path name = Path.of(theirs).getFileName();
        Path lockName = Path.of(lockOf(writer)).getFileName();
        lock.lock();
        // The ledger's folder is held open from the look to the delete, so a folder swapped for a link meanwhile
        // cannot have a file of this name outside the vault deleted (or read), nor a lock file locked or deleted.
        try (HeldFolder vault = HeldFolder.open(paths.root());
                HeldFolder folder = ledgerFolder(vault);
                TheirLock theirLock = folder == null ? null : liveHere ? TheirLock.HELD : probe(folder, lockName)) {
            if (folder == null) {
                return new Adopted(List.of(), true);
            }
            if (!toldDead && !theirLock.stopped()) {
                return new Adopted(List.of(), false);
            }
            Path file = folder.resolve(name);
            BasicFileAttributes there = folder.attributes(name);
            if (there == null) {
                theirLock.deleteFile(folder, lockName);
                return new Adopted(List.of(), true);
            }
            if (!there.isRegularFile()) {
                problem("'" + theirs + "' is " + FileKind.describe(file, there) + "; it is left alone");
                return new Adopted(List.of(), true);
            }
            if (!toldDead
                    && theirLock.absent()
                    && !there.lastModifiedTime().toInstant().isBefore(unlockedLedgersQuietSince)) {
                // A writer makes its lock file before its ledger and deletes it after, so a stopped one leaves it; none
                // beside a ledger is a live writer's on a file system without locks, or one deleted by hand: its
                // ledger holds links recorded before their notes are written. Taken only once nobody changed it for
                // the age of temporary litter, far longer than any note's write.
                return new Adopted(List.of(), false);
            }
            beforeActing.accept(file);
            Parsed parsed = parse(() -> folder.read(name, there), theirs);
            if (parsed.unread()) {
                // too large, or not readable: said by parse; left as it is, like this server's own in that case
                return new Adopted(List.of(), true);
            }
            if (!toldDead && cameBack(folder, lockName, theirLock)) {
                return new Adopted(List.of(), false);
            }
            List<Entry> adopted = new ArrayList<>();
            for (Entry entry : parsed.entries()) {
                if (belongs(entry)) {
                    waiting.put(entry.key(), entry);
                    adopted.add(entry);
                }
            }
            boolean complete = adopted.isEmpty() || append(adopted);
            if (complete) {
                BasicFileAttributes still = folder.attributes(name);
                if (still != null
                        && sameContent(still, there)
                        && (toldDead || !cameBack(folder, lockName, theirLock))) {
                    folder.delete(name);
                    theirLock.deleteFile(folder, lockName);
                } else if (still != null) {
                    // not the file that was read: its lines were not looked at, so it waits for the next adoption
                    complete = false;
                }
            }
            LOG.log(
                    INFO,
                    "{0} note link(s) left waiting by the stopped process {1} are written by this one.",
                    adopted.size(),
                    writer);
            return new Adopted(List.copyOf(adopted), complete);
        } catch (IOException e) {
            problem("Cannot take over '" + theirs + "': " + DiskProblem.describe(e));
            return new Adopted(List.of(), false);
        } finally {
            lock.unlock();
        }
    }

    /** The same file as was read, unchanged since as far as its size and time tell: a live writer appends in place. */
    private static boolean sameContent(BasicFileAttributes still, BasicFileAttributes read) {
        return still.isRegularFile()
                && Objects.equals(still.fileKey(), read.fileKey())
                && still.size() == read.size()
                && still.lastModifiedTime().equals(read.lastModifiedTime());
    }

    /**
     * Whether the writer of a ledger that had no lock file has made one since: a writer makes its lock file before its
     * ledger and deletes it after, so a ledger read while there was none before and is none after is no live writer's.
     */
    private static boolean cameBack(HeldFolder folder, Path lockName, TheirLock theirLock) throws IOException {
        return theirLock.absent() && folder.attributes(lockName) != null;
    }

    /**
     * What the lock file {@code lockName} in {@code folder} says of its writer: none there, nobody holds it (it is held
     * here then, until {@link TheirLock#close}), or someone does, or it cannot be told (not a regular file, swapped
     * meanwhile, a file system without locks): those last two are taken for a live writer's.
     */
    private TheirLock probe(HeldFolder folder, Path lockName) {
        SeekableByteChannel channel = null;
        try {
            BasicFileAttributes looked = folder.attributes(lockName);
            if (looked == null) {
                return TheirLock.ABSENT;
            }
            if (!looked.isRegularFile()) {
                problem("'" + FOLDER + "/" + lockName + "' is " + FileKind.describe(folder.resolve(lockName), looked)
                        + "; the ledger beside it is left alone");
                return TheirLock.HELD;
            }
            beforeActing.accept(folder.resolve(lockName));
            // read-write: an open Linux never blocks on, even for a pipe swapped in after the look
            channel = folder.open(lockName, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
            if (!(channel instanceof FileChannel file) || !sameFile(folder.attributes(lockName), looked)) {
                channel.close();
                return TheirLock.HELD;
            }
            FileLock got;
            try {
                got = file.tryLock();
            } catch (OverlappingFileLockException e) {
                got = null;
            }
            if (got == null || !sameFile(folder.attributes(lockName), looked)) {
                // held; or its writer deleted or replaced it as it let go, so it may still be writing
                channel.close();
                return TheirLock.HELD;
            }
            return new TheirLock(file, looked.fileKey());
        } catch (IOException e) {
            closeQuietly(channel);
            problem("Cannot tell whether the writer of '" + FOLDER + "/" + lockName + "' still runs: "
                    + DiskProblem.describe(e) + "; the ledger beside it is left alone");
            return TheirLock.HELD;
        }
    }

    private static boolean sameFile(BasicFileAttributes now, BasicFileAttributes looked) {
        return now != null && now.isRegularFile() && Objects.equals(now.fileKey(), looked.fileKey());
    }

    /** Another writer's lock file as {@link #probe} found it; when free, held here until closed. */
    private static final class TheirLock implements Closeable {

        static final TheirLock ABSENT = new TheirLock(null, null);
        static final TheirLock HELD = new TheirLock(null, null);

        private final FileChannel channel;
        private final Object fileKey;

        private TheirLock(FileChannel channel, Object fileKey) {
            this.channel = channel;
            this.fileKey = fileKey;
        }

        /** Whether its writer has stopped: no lock file, or one nobody else holds. */
        boolean stopped() {
            return this != HELD;
        }

        boolean absent() {
            return this == ABSENT;
        }

        /** Deletes the lock file, while it is held here and is still the file locked; else nothing. */
        void deleteFile(HeldFolder folder, Path lockName) throws IOException {
            if (channel != null && sameFile(folder.attributes(lockName), fileKey)) {
                folder.delete(lockName);
            }
        }

        private static boolean sameFile(BasicFileAttributes now, Object key) {
            return now != null && now.isRegularFile() && Objects.equals(now.fileKey(), key);
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }

    /** The ledger's folder in the vault, held open; null when there is none, or it is not a plain folder (said). */
    private HeldFolder ledgerFolder(HeldFolder vault) throws IOException {
        Path name = Path.of(FOLDER);
        BasicFileAttributes there = vault.attributes(name);
        if (there == null) {
            return null;
        }
        if (there.isSymbolicLink()) {
            problem("'" + FOLDER + "' is a symbolic link; the ledger of a stopped server is not read there");
            return null;
        }
        if (!there.isDirectory()) {
            return null;
        }
        return vault.enter(name);
    }

    /** What {@link #adopt(String)} took: the links to write, and whether the stopped writer's ledger is done with. */
    record Adopted(List<Entry> entries, boolean complete) {}

    /**
     * The ledger in its folder held open, open for writing at its end, or null (said once) when something other than a
     * regular file is in its place. Never blocks: a named pipe is refused before it is opened, a missing file is created
     * only if nothing has appeared there meanwhile ({@code O_EXCL}), and an existing one is opened read-write, which
     * Linux never blocks on even for a pipe swapped in after the look; the file is then looked at again and given up if
     * it changed.
     */
    private SeekableByteChannel openForAppending(HeldFolder folder) throws IOException {
        Path name = ledgerName();
        Path file = folder.resolve(name);
        BasicFileAttributes before = folder.attributes(name);
        beforeActing.accept(file);
        if (before == null) {
            return opened(folder, name, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
        if (!before.isRegularFile()) {
            notARegularFile(FileKind.describe(file, before));
            return null;
        }
        SeekableByteChannel channel = opened(folder, name, StandardOpenOption.READ, StandardOpenOption.WRITE);
        BasicFileAttributes after = folder.attributes(name);
        if (after == null || !after.isRegularFile() || !Objects.equals(before.fileKey(), after.fileKey())) {
            channel.close();
            notARegularFile(after == null ? "gone" : FileKind.describe(file, after));
            return null;
        }
        long size = channel.size();
        if (size > 0 && endsInsideALine(channel, size)) {
            // An earlier append was cut short (a full disk): the new line starts on a line of its own, so only the
            // cut one is lost when the ledger is read.
            channel.position(size).write(ByteBuffer.wrap(new byte[] {'\n'}));
            size++;
        }
        channel.position(size);
        return channel;
    }

    /** The file {@code name} in the ledger's folder held open, on the vault's disk. */
    private SeekableByteChannel opened(HeldFolder folder, Path name, OpenOption... options) throws IOException {
        SeekableByteChannel channel = folder.open(name, Set.of(options));
        try {
            return opener.opened(folder.resolve(name), channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static boolean endsInsideALine(SeekableByteChannel channel, long size) throws IOException {
        ByteBuffer last = ByteBuffer.allocate(1);
        return channel.position(size - 1).read(last) == 1 && last.get(0) != '\n';
    }

    private void notARegularFile(String what) {
        problem("'" + ledgerFile + "' is " + what
                + "; only a regular file is opened there, so note links waiting for their"
                + " canvas are kept in memory only until it is removed.");
    }

    /** The note was not written after all: nothing to link. */
    void withdraw(String canvasPath, String sourceNodeId, AgentId agent) {
        if (enabled) {
            resolved(canvasPath, List.of(new Link(sourceNodeId, "", agent.wireName(), null)));
        }
    }

    /**
     * Whether every link still waiting is recorded in the vault, so that the next process on it writes them: when one
     * could not be, the whole ledger is tried once more now. Always true for a vault that links nothing.
     */
    boolean recordAll() {
        if (!enabled) {
            return true;
        }
        lock.lock();
        try {
            if (!recorded) {
                rewrite();
            }
            return recorded;
        } finally {
            lock.unlock();
        }
    }

    /** These links are in their canvas now, or never will be. */
    void resolved(String canvasPath, Collection<Link> links) {
        if (!enabled) {
            return;
        }
        lock.lock();
        try {
            boolean changed = false;
            for (Link link : links) {
                changed |= waiting.remove(new Entry(canvasPath, link).key()) != null;
            }
            if (changed) {
                rewrite();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The links left waiting whose notes are still theirs: those of the {@value #FILE} an earlier version kept for the
     * whole vault (renamed to this process's ledger first), and those of every process outside a cluster that stopped
     * (its ledger's lock file free, or gone, see {@link #adopt(String, boolean)}), recorded in this process's ledger.
     */
    List<Entry> load() {
        return load(Instant.now().minus(FileVault.LITTER_AGE));
    }

    /**
     * @param quietSince a ledger of another process outside a cluster without a lock file beside it is taken over only
     *                   if nobody changed it since then
     */
    List<Entry> load(Instant quietSince) {
        if (!enabled) {
            return List.of();
        }
        lock.lock();
        unlockedLedgersQuietSince = quietSince;
        try {
            takeOverTheVaultsLedger();
            Parsed parsed = readOwnLedger();
            for (Entry entry : parsed.entries()) {
                if (belongs(entry)) {
                    waiting.put(entry.key(), entry);
                }
            }
            if (waiting.size() != parsed.entries().size() || parsed.hadUnreadableLines()) {
                rewrite();
            }
            if (!waiting.isEmpty()) {
                LOG.log(INFO, "{0} note link(s) left waiting by an earlier run are written now.", waiting.size());
            }
            adoptStoppedProcesses();
            return List.copyOf(waiting.values());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: takes over the ledger of every process outside a cluster ({@value #LOCAL}…) that stopped, and
     * deletes the lock file of each that left one and no ledger (killed between the two). The ledgers of a cluster's
     * servers are the cluster's to hand over ({@link #adopt(String)}): a server of an earlier version holds no lock.
     */
    private void adoptStoppedProcesses() {
        Set<String> writers = new TreeSet<>();
        try (HeldLedgerFolder held = holdLedgerFolder(false)) {
            if (held == null) {
                return;
            }
            for (Path name : held.folder()) {
                String writer = writerOf(name.toString());
                if (writer != null
                        && writer.startsWith(LOCAL)
                        && !writer.equals(this.writer)
                        && !LIVE.contains(writer)) {
                    writers.add(writer);
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            problem("Cannot look for links left waiting by a stopped process in '" + FOLDER + "': "
                    + DiskProblem.describe(e instanceof DirectoryIteratorException d ? d.getCause() : (IOException) e));
            return;
        }
        writers.forEach(stopped -> adopt(stopped, false));
        if (waiting.isEmpty() && ownLock == null && !writers.isEmpty()) {
            try (HeldLedgerFolder held = holdLedgerFolder(false)) {
                if (held != null) {
                    deleteIfEmpty(held.vault());
                }
            } catch (IOException e) {
                // the folder stays
            }
        }
    }

    /** The writer whose ledger or lock file {@code fileName} is; null when it is neither. */
    private static String writerOf(String fileName) {
        String prefix = "pending-links-";
        for (String suffix : List.of(".jsonl", ".lock")) {
            if (fileName.startsWith(prefix) && fileName.endsWith(suffix)) {
                String writer = fileName.substring(prefix.length(), fileName.length() - suffix.length());
                return isWriterName(writer) ? writer : null;
            }
        }
        return null;
    }

    /** Under the lock: the lines of this process's ledger, read in its folder held open; nothing when there is none. */
    private Parsed readOwnLedger() {
        try (HeldLedgerFolder held = holdLedgerFolder(false)) {
            if (held == null) {
                return Parsed.NONE;
            }
            HeldFolder folder = held.folder();
            Path name = ledgerName();
            BasicFileAttributes there = folder.attributes(name);
            if (there == null) {
                return Parsed.NONE;
            }
            if (!there.isRegularFile()) {
                problem("'" + ledgerFile + "' is " + FileKind.describe(folder.resolve(name), there)
                        + "; it is left alone");
                return Parsed.NOTHING;
            }
            beforeActing.accept(folder.resolve(name));
            return parse(() -> folder.read(name, there), ledgerFile);
        } catch (IOException e) {
            problem("Cannot read '" + ledgerFile + "': " + DiskProblem.describe(e));
            return Parsed.NOTHING;
        }
    }

    /**
     * Renames the {@value #FILE} of an earlier version, a regular file, to this process's own ledger (new, since its
     * name is this process's): a rename happens once, so of processes starting together exactly one reads it. Both
     * names are in the ledger's folder held open, so a folder swapped for a link meanwhile has nothing renamed where it
     * points.
     */
    private void takeOverTheVaultsLedger() {
        Path legacy = Path.of(FILE).getFileName();
        try (HeldLedgerFolder held = holdLedgerFolder(false)) {
            if (held == null) {
                return;
            }
            HeldFolder folder = held.folder();
            BasicFileAttributes there = folder.attributes(legacy);
            if (there == null) {
                return;
            }
            if (!there.isRegularFile()) {
                problem("'" + FILE + "' is " + FileKind.describe(folder.resolve(legacy), there) + "; it is left alone");
                return;
            }
            if (folder.attributes(ledgerName()) != null) {
                return;
            }
            holdOwnLock(folder);
            beforeActing.accept(folder.resolve(legacy));
            folder.rename(legacy, ledgerName());
        } catch (NoSuchFileException e) {
            // another server took it first
        } catch (IOException e) {
            problem("Cannot take over '" + FILE + "': " + DiskProblem.describe(e));
        }
    }

    /** How a ledger checked to be a regular file is opened: by path, or in its folder held open. */
    @FunctionalInterface
    private interface Opening {
        InputStream open() throws IOException;
    }

    private Parsed parse(Opening opening, String name) {
        byte[] bytes;
        try (InputStream in = opening.open()) {
            bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            problem("Cannot read '" + name + "': " + DiskProblem.describe(e));
            return Parsed.NOTHING;
        }
        if (bytes.length > MAX_FILE_BYTES) {
            problem("'" + name + "' is larger than " + MAX_FILE_BYTES + " bytes; it is not read");
            return Parsed.NOTHING;
        }
        // Line by line, bytes first: a crash or a full disk cuts the last line anywhere, even inside a character, and
        // that must cost that line only.
        Map<String, Entry> entries = new LinkedHashMap<>();
        int unreadable = 0;
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            byte[] line = Arrays.copyOfRange(bytes, start, end);
            start = end + 1;
            if (new String(line, StandardCharsets.UTF_8).isBlank()) {
                continue;
            }
            Entry entry = entry(line, name);
            if (entry == null) {
                unreadable++;
            } else {
                entries.put(entry.key(), entry);
            }
        }
        if (unreadable > 0) {
            LOG.log(WARNING, "Skipped {0} unreadable line(s) of ''{1}''; the others are kept.", unreadable, name);
        }
        return new Parsed(new ArrayList<>(entries.values()), unreadable > 0, false);
    }

    /** The entries of the ledger, and whether it held lines that are not (a cut one, a damaged one): those go. */
    private record Parsed(List<Entry> entries, boolean hadUnreadableLines, boolean unread) {

        /** The file was not read at all (not a regular file, too large, an I/O error). */
        static final Parsed NOTHING = new Parsed(List.of(), false, true);

        /** There is no ledger: nothing to read. */
        static final Parsed NONE = new Parsed(List.of(), false, false);
    }

    private static Entry entry(byte[] bytes, String name) {
        try {
            if (CanvasJson.parse(CanvasJson.decode(bytes)) instanceof JsonObject object
                    && CanvasModel.string(object, "canvas") instanceof String canvas
                    && CanvasModel.string(object, "node") instanceof String node
                    && CanvasModel.string(object, "agent") instanceof String agent
                    && CanvasModel.string(object, "note") instanceof String note) {
                return new Entry(canvas, new Link(node, note, agent, null));
            }
        } catch (CanvasJson.Refusal refusal) {
            LOG.log(DEBUG, "An unreadable line of ''{0}'': {1}", name, refusal.getMessage());
        }
        return null;
    }

    /** The note is still there, and its front matter says it is this node's, by this agent, for this canvas. */
    private boolean belongs(Entry entry) {
        try {
            VaultFile canvas = paths.resolveVisible(entry.canvasPath());
            VaultFile note = paths.resolveVisible(entry.link().notePath());
            Map<String, String> fields = FrontMatter.readFields(note.absolute());
            return canvas.relative().endsWith(".canvas")
                    && entry.link().sourceNodeId().equals(fields.get(FrontMatter.SOURCE_NODE))
                    && entry.link().agent().equals(fields.get(FrontMatter.AGENT))
                    && canvas.relative().equals(fields.get(FrontMatter.SOURCE_CANVAS));
        } catch (VaultException e) {
            return false;
        }
    }

    /**
     * Under the lock: the file holds exactly what waits, or is gone when nothing does. The new content goes to a
     * temporary file in the ledger's folder held open, renamed over the ledger there.
     */
    private void rewrite() {
        recorded = false;
        try (HeldLedgerFolder held = holdLedgerFolder(!waiting.isEmpty())) {
            if (held == null) {
                // no folder, and nothing waits (so none made), or not usable
                recorded = waiting.isEmpty();
                return;
            }
            HeldFolder folder = held.folder();
            Path name = ledgerName();
            BasicFileAttributes there = folder.attributes(name);
            if (there != null && !there.isRegularFile()) {
                notARegularFile(FileKind.describe(folder.resolve(name), there));
                recorded = waiting.isEmpty();
                return;
            }
            beforeActing.accept(folder.resolve(name));
            if (waiting.isEmpty()) {
                if (there != null) {
                    folder.delete(name);
                }
                letGoOfOwnLock(folder);
                deleteIfEmpty(held.vault());
                recorded = true;
                return;
            }
            StringBuilder text = new StringBuilder();
            waiting.values().forEach(entry -> text.append(line(entry)).append('\n'));
            holdOwnLock(folder);
            replace(folder, name, text.toString().getBytes(StandardCharsets.UTF_8));
            recorded = true;
            lastProblem = null;
        } catch (IOException e) {
            // The file still holds every waiting link, and some already written: those are found linked next time.
            problem("Cannot update '" + ledgerFile + "': " + DiskProblem.describe(e));
        }
    }

    /** Writes {@code bytes} to a new temporary file in {@code folder} and renames it over {@code name} there. */
    private void replace(HeldFolder folder, Path name, byte[] bytes) throws IOException {
        Path temporary = Path.of(AtomicFiles.temporaryName());
        try {
            try (SeekableByteChannel channel =
                    opened(folder, temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            folder.rename(temporary, name);
        } catch (IOException | RuntimeException e) {
            try {
                folder.delete(temporary);
            } catch (NoSuchFileException gone) {
                // not created, or renamed already
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Deletes the ledger's folder if nothing else lives there; else, or if it is no longer a folder, it stays. */
    private static void deleteIfEmpty(HeldFolder vault) {
        try {
            vault.deleteFolder(Path.of(FOLDER));
        } catch (IOException e) {
            // something else lives there, or a link or file is in its place now: the folder (or that) stays
        }
    }

    /** The vault and the ledger's folder in it, both held open from the look at the folder to the last act in it. */
    private record HeldLedgerFolder(HeldFolder vault, HeldFolder folder) implements Closeable {

        @Override
        public void close() throws IOException {
            try (HeldFolder outer = vault;
                    HeldFolder inner = folder) {
                // both closed, the inner one first
            }
        }
    }

    /**
     * Under the lock: the ledger's folder held open, created first when {@code create} and it is missing; null when it
     * is missing (and not created), or is not a plain folder (said once; the links then wait in memory only). Every act
     * in it is then relative to the folder held open, so a folder swapped for a link after this look leads no write,
     * rename or delete out of the vault.
     */
    private HeldLedgerFolder holdLedgerFolder(boolean create) {
        HeldFolder vault = null;
        try {
            vault = HeldFolder.open(paths.root());
            Path name = Path.of(FOLDER);
            BasicFileAttributes there = vault.attributes(name);
            if (there != null && !there.isDirectory()) {
                problem("'" + FOLDER + "' is " + FileKind.describe(vault.resolve(name), there)
                        + "; links waiting for their canvas are kept in memory only");
                vault.close();
                return null;
            }
            if (there == null) {
                if (!create) {
                    vault.close();
                    return null;
                }
                try {
                    vault.createFolder(name);
                } catch (FileAlreadyExistsException e) {
                    // made meanwhile: entered below only if it is a folder
                }
            }
            beforeActing.accept(vault.resolve(name));
            return new HeldLedgerFolder(vault, vault.enter(name));
        } catch (IOException e) {
            closeQuietly(vault);
            problem("Cannot open '" + FOLDER + "' as a folder: " + DiskProblem.describe(e)
                    + "; links waiting for their canvas are kept in memory only");
            return null;
        }
    }

    private static void closeQuietly(HeldFolder folder) {
        if (folder != null) {
            try {
                folder.close();
            } catch (IOException e) {
                // nothing was done in it
            }
        }
    }

    /** The ledger's folder held open, with this writer's lock held there first: the ledger may be made next. */
    private HeldFolder heldByThisWriter(HeldLedgerFolder held) {
        holdOwnLock(held.folder());
        return held.folder();
    }

    /**
     * Under the lock: this writer's lock file in {@code folder}, made and locked unless it is held already and still
     * there. It is made under a temporary name, locked, then renamed to its own, so it is never seen unlocked while this
     * writer runs. Failing that (a file system without locks), the ledger is still written, said once: another process
     * may then take this one's ledger for a stopped one's, and write its links too (each once, {@link CanvasMerge}).
     */
    private void holdOwnLock(HeldFolder folder) {
        Path name = lockName();
        Path temporary = Path.of(AtomicFiles.temporaryName());
        SeekableByteChannel channel = null;
        try {
            if (ownLock != null) {
                if (TheirLock.sameFile(folder.attributes(name), ownLock.fileKey())) {
                    return;
                }
                // deleted by someone, or the folder is not the one it was made in: made again here
                closeQuietly(ownLock.channel());
                ownLock = null;
            }
            LIVE.add(writer);
            beforeActing.accept(folder.resolve(name));
            channel = folder.open(temporary, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            if (!(channel instanceof FileChannel file)) {
                throw new IOException("this platform gives no lock on it");
            }
            if (file.tryLock() == null) {
                throw new IOException("another process locked it as it was made");
            }
            BasicFileAttributes made = folder.attributes(temporary);
            if (made == null) {
                throw new NoSuchFileException(folder.resolve(temporary).toString());
            }
            folder.rename(temporary, name);
            ownLock = new OwnLock(file, made.fileKey());
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            if (channel != null) {
                try {
                    folder.delete(temporary);
                } catch (IOException | RuntimeException ignored) {
                    // renamed already, or gone: a leftover temporary file is swept at a later start
                }
            }
            if (!lockProblemSaid) {
                lockProblemSaid = true;
                LOG.log(
                        WARNING,
                        "Cannot hold ''{0}'': {1}; another process starting on this vault may take the links waiting"
                                + " in ''{2}'' for a stopped process''s, and write them too.",
                        lockOf(writer),
                        e instanceof IOException io ? DiskProblem.describe(io) : e.toString(),
                        ledgerFile);
            }
        }
    }

    /**
     * Under the lock, once this writer's ledger is gone: deletes its lock file in {@code folder} if it is still the one
     * locked, then lets go of the lock. A lock file that cannot be deleted goes at a later start of any process.
     */
    private void letGoOfOwnLock(HeldFolder folder) {
        if (ownLock == null) {
            return;
        }
        try {
            Path name = lockName();
            if (TheirLock.sameFile(folder.attributes(name), ownLock.fileKey())) {
                beforeActing.accept(folder.resolve(name));
                folder.delete(name);
            }
        } catch (IOException e) {
            // it stays, free: the next start of any process deletes it
        } finally {
            closeQuietly(ownLock.channel());
            ownLock = null;
        }
    }

    /**
     * This process stops writing: its lock file is deleted if its ledger is gone, else left free beside the ledger,
     * which the next process to start on this vault then takes over. A link recorded afterwards (a note written after
     * the close) makes and holds the lock again until the process ends.
     */
    void close() {
        if (!enabled) {
            return;
        }
        lock.lock();
        try {
            if (ownLock != null) {
                try (HeldLedgerFolder held = holdLedgerFolder(false)) {
                    if (held != null && held.folder().attributes(ledgerName()) == null) {
                        letGoOfOwnLock(held.folder());
                        deleteIfEmpty(held.vault());
                    }
                } catch (IOException e) {
                    // the lock file stays, free
                }
                if (ownLock != null) {
                    closeQuietly(ownLock.channel());
                    ownLock = null;
                }
            }
            LIVE.remove(writer);
        } finally {
            lock.unlock();
        }
    }

    /** This writer's lock file held: the channel whose lock it is, and the file's identity when it was made. */
    private record OwnLock(FileChannel channel, Object fileKey) {}

    private static void closeQuietly(java.nio.channels.Channel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // a lock goes with its channel all the same
            }
        }
    }

    /** This process's lock file's name in its folder. */
    private Path lockName() {
        return Path.of(lockOf(writer)).getFileName();
    }

    /** This process's ledger's name in its folder. */
    private Path ledgerName() {
        return Path.of(ledgerFile).getFileName();
    }

    private void problem(String message) {
        if (!message.equals(lastProblem)) {
            LOG.log(WARNING, message);
            lastProblem = message;
        }
    }

    private static String line(Entry entry) {
        JsonObject object = CanvasFile.JSON
                .createObjectBuilder()
                .add("canvas", entry.canvasPath())
                .add("node", entry.link().sourceNodeId())
                .add("agent", entry.link().agent())
                .add("note", entry.link().notePath())
                .build();
        return object.toString();
    }
}
