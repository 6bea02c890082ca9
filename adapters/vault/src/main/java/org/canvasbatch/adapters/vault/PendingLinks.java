package org.canvasbatch.adapters.vault;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import jakarta.json.JsonObject;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.canvasbatch.adapters.vault.CanvasMerge.Link;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.agent.AgentId;

/**
 * The note links not yet in their canvas, kept in the vault itself ({@value #FILE}, one JSON object a line) so that
 * neither a full disk nor a restart loses them: a link is recorded before its note is written, and forgotten once it
 * is in its canvas, or can never be (the canvas or its source node is gone). The file exists only while links wait.
 *
 * <p>A server of a cluster shares the vault with other servers, and each rewrites its ledger from its own memory, so
 * each keeps its own: {@code pending-links-<writer>.jsonl}, named by its name in the cluster. It never opens another's
 * but to adopt it, once the cluster has said that writer stopped ({@link #adopt(String)}). At its start it takes over
 * the {@value #FILE} an earlier version left by renaming it to its own ledger, so of servers starting together one
 * gets it.
 *
 * <p>At start, the links left from an earlier run are written; each only if its note is still there, a regular file
 * whose front matter names the same node and agent, so a planted line can only link a real note to its own node.
 * Trouble with this file is logged and never fails a note: at worst a link waits in memory only, as it used to.
 */
final class PendingLinks {

    static final String FOLDER = ".canvas-batch";
    static final String FILE = FOLDER + "/pending-links.jsonl";
    private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;
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

    private final VaultPaths paths;
    private final FileOpener opener;
    private final boolean enabled;
    /** This process's ledger, vault-relative: {@value #FILE} alone, its writer's own in a cluster. */
    private final String ledgerFile;
    /** Told the ledger's folder right after its look and each file right before it is acted on (tests swap there). */
    private final Consumer<Path> beforeActing;

    private final boolean shared;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Entry> waiting = new LinkedHashMap<>();
    private String lastProblem;

    private PendingLinks(
            VaultPaths paths, FileOpener opener, boolean enabled, String writer, Consumer<Path> beforeActing) {
        this.paths = paths;
        this.beforeActing = beforeActing;
        this.opener = opener;
        this.enabled = enabled;
        this.shared = writer != null;
        this.ledgerFile = writer == null ? FILE : ledgerOf(writer);
    }

    /** The ledger of the only process writing into this vault. */
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
                SeekableByteChannel channel = held == null ? null : openForAppending(held.folder())) {
            if (channel == null) {
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
     * Takes over the ledger {@code writer} left, a server of the cluster that stopped (the cluster says so; the ledger
     * of a live server is never opened): its links whose notes are still theirs are recorded in this process's ledger
     * and returned to be written, and its file is deleted. The file is read as hostile as at a start: a regular file
     * only, within the size limit, line by line, each note checked against its front matter.
     *
     * @return the links to write, and whether nothing of that ledger is left (false: it could not all be recorded here,
     *     or not be deleted, and should be adopted again later)
     */
    Adopted adopt(String writer) {
        if (!enabled || !isWriterName(writer) || ledgerOf(writer).equals(ledgerFile)) {
            return new Adopted(List.of(), true);
        }
        String theirs = ledgerOf(writer);
        Path name = Path.of(theirs).getFileName();
        lock.lock();
        // The ledger's folder is held open from the look to the delete, so a folder swapped for a link meanwhile
        // cannot have a file of this name outside the vault deleted (or read).
        try (HeldFolder vault = HeldFolder.open(paths.root());
                HeldFolder folder = ledgerFolder(vault)) {
            if (folder == null) {
                return new Adopted(List.of(), true);
            }
            Path file = folder.resolve(name);
            BasicFileAttributes there = folder.attributes(name);
            if (there == null) {
                return new Adopted(List.of(), true);
            }
            if (!there.isRegularFile()) {
                problem("'" + theirs + "' is " + FileKind.describe(file, there) + "; it is left alone");
                return new Adopted(List.of(), true);
            }
            Parsed parsed = parse(() -> folder.read(name, there), theirs);
            if (parsed.unread()) {
                // too large, or not readable: said by parse; left as it is, like this server's own in that case
                return new Adopted(List.of(), true);
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
                if (still != null && still.isRegularFile() && Objects.equals(still.fileKey(), there.fileKey())) {
                    folder.delete(name);
                } else if (still != null) {
                    // not the file that was read: its lines were not looked at, so it waits for the next adoption
                    complete = false;
                }
            }
            LOG.log(
                    INFO,
                    "{0} note link(s) left waiting by the stopped server {1} are written by this one.",
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
        return opener.opened(folder.resolve(name), folder.open(name, Set.of(options)));
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
     * The links an earlier run left waiting whose notes are still theirs; the file is rewritten without the others. A
     * server of a cluster first takes over the ledger an earlier version kept for the whole vault.
     */
    List<Entry> load() {
        if (!enabled) {
            return List.of();
        }
        lock.lock();
        try {
            if (shared) {
                takeOverTheVaultsLedger();
            }
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
            return List.copyOf(waiting.values());
        } finally {
            lock.unlock();
        }
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
     * Renames the {@value #FILE} of an earlier version, a regular file, to this server's own ledger (new, since its
     * name is this process's): a rename happens once, so of servers starting together exactly one reads it. Both names
     * are in the ledger's folder held open, so a folder swapped for a link meanwhile has nothing renamed where it points.
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
        try (HeldLedgerFolder held = holdLedgerFolder(!waiting.isEmpty())) {
            if (held == null) {
                return;
            }
            HeldFolder folder = held.folder();
            Path name = ledgerName();
            BasicFileAttributes there = folder.attributes(name);
            if (there != null && !there.isRegularFile()) {
                notARegularFile(FileKind.describe(folder.resolve(name), there));
                return;
            }
            beforeActing.accept(folder.resolve(name));
            if (waiting.isEmpty()) {
                if (there != null) {
                    folder.delete(name);
                }
                deleteIfEmpty(held.vault());
                return;
            }
            StringBuilder text = new StringBuilder();
            waiting.values().forEach(entry -> text.append(line(entry)).append('\n'));
            replace(folder, name, text.toString().getBytes(StandardCharsets.UTF_8));
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
