package org.canvasbatch.adapters.vault;

import static java.lang.System.Logger.Level.INFO;
import static org.canvasbatch.application.port.out.VaultException.Reason.IO;
import static org.canvasbatch.application.port.out.VaultException.Reason.OUTSIDE_VAULT;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.text.Normalizer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.canvasbatch.application.port.out.Vault.FoundNote;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.NotedQuestions;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.note.NoteName;

/**
 * Writes notes into {@code {canvas dir}/{canvas name}-notes/}, one file per node and agent, and hands each note's link
 * to the canvas write-back.
 *
 * <p>Which file belongs to which node and agent is read from the notes' own front matter ({@code source_node},
 * {@code agent}), indexed once per folder, so that:
 * <ul>
 *   <li>a re-run overwrites the note it wrote before, even when the node's text (hence its name) changed since;</li>
 *   <li>when another node's note, or a file the user wrote, already holds the name (or one that differs from it only in
 *       case or in how its accents were typed, which macOS and Windows take for the same name), the note is called
 *       {@code {text} ~{8 hex digits of SHA-256(node id)} ({agent}).md} instead: decided by the files on disk, so
 *       the same on every run, and nothing that is not this node's is ever overwritten.</li>
 * </ul>
 * Choosing a name and writing it happen under one lock per folder, so two colliding nodes finishing together cannot
 * both take the same name.
 *
 * <p>The learner fills notes in, so a note is overwritten only while it is exactly what this program wrote: its
 * {@value FrontMatter#CONTENT_SHA256} still matches, or, for a note from before digests, it is byte for byte what would
 * be written now. Otherwise the learner's file stays as it is and the new note goes beside it, as
 * {@code {name} (regenerated).md}, or {@code {name} (regenerated 2).md} and on when the learner edited that one too.
 * The first of these names that is free or holds an unedited note of this node and agent is taken, so re-runs
 * overwrite that one copy instead of piling up new ones.
 *
 * <p>Every look, read and write in the notes folder is made relative to that folder held open ({@link HeldFolder}),
 * reached from the vault's root by entering each folder on the way without following a link: a notes folder, or a
 * folder above it, that is a link (there before, or swapped in before it is entered) refuses the note with
 * {@code OUTSIDE_VAULT}; one swapped for a link once entered gets the note in the folder that was looked at. Nothing is
 * ever written where such a link points. Where the platform has no {@link java.nio.file.SecureDirectoryStream}
 * (Windows) the steps go by path, as {@link HeldFolder} says.
 */
final class NoteWriter {

    private static final System.Logger LOG = System.getLogger(NoteWriter.class.getName());
    private static final int SHORT_HASH = 8;
    private static final int LONG_HASH = 16;
    /** How many edited copies of one note are stepped over before the folder is taken to be full of them. */
    private static final int MAX_COPIES = 100;
    /** A file this large was not written as one note by this program: it is the learner's. */
    private static final long LARGEST_OWN_NOTE = 64L * 1024 * 1024;

    private static final String REGENERATED = " (regenerated";
    /** A note larger than this is no note this program wrote (a model's answer is bounded far below it). */
    private static final int MOST_NOTE_BYTES = 4 * 1024 * 1024;
    /** Writes of one note that someone else's save of its file may turn away before the node fails. */
    private static final int MOST_WRITE_ATTEMPTS = 3;

    private static final Pattern COPY_NAME = Pattern.compile("(.*) \\(regenerated(?: [0-9]+)?\\)\\.md");

    private final VaultPaths paths;
    private final AtomicFiles files;
    private final CanvasWriteBack writeBack;
    private final Map<String, NotesFolder> folders = new ConcurrentHashMap<>();
    private final java.util.function.Consumer<Path> beforeActing;

    /** @param writeBack links each note into its canvas: told before the note is written, and once it is */
    NoteWriter(
            VaultPaths paths,
            AtomicFiles files,
            CanvasWriteBack writeBack,
            java.util.function.Consumer<Path> beforeActing) {
        this.paths = paths;
        this.files = files;
        this.writeBack = writeBack;
        this.beforeActing = beforeActing;
    }

    WrittenNote write(NoteDraft draft) {
        VaultFile canvas = paths.resolveVisible(draft.canvasPath());
        return folderOf(canvas).write(draft, canvas);
    }

    /**
     * The name, without {@code .md}, that {@link #write} would give this node's note by this agent now: another note
     * links to it before it is written. Empty when the canvas or folder cannot be named, or no name is free.
     */
    String nameOf(String canvasPath, String nodeId, String nodeText, AgentId agent) {
        try {
            String name = folderOf(paths.resolveVisible(canvasPath)).nameOf(nodeId, nodeText, agent);
            return name.substring(0, name.length() - ".md".length());
        } catch (VaultException e) {
            return "";
        }
    }

    /**
     * Throws the refusal a write of this canvas's notes would meet now: its notes folder, or a folder on the way to
     * it, is a symbolic link. A folder not there yet, or one that cannot be looked at, is left to the writes.
     */
    void check(String canvasPath) {
        VaultFile canvas;
        try {
            canvas = paths.resolveVisible(canvasPath);
        } catch (VaultException aboutTheCanvas) {
            // the canvas's own path is for its reading to refuse, in the words every route gives it
            return;
        }
        NotesFolder notes;
        try {
            notes = folderOf(canvas);
        } catch (VaultException e) {
            if (e.reason() != OUTSIDE_VAULT) {
                throw e;
            }
            // the vault's words name a path; the learner must learn that it is the notes folder, and what to do
            throw new VaultException(
                    OUTSIDE_VAULT,
                    e.path(),
                    "The notes folder of '" + canvas.relative() + "' cannot be written: " + e.getMessage()
                            + " Notes are never written through a symbolic link: replace it with a real folder.",
                    e);
        }
        notes.check();
    }

    /**
     * The nodes that have a note in this canvas's notes folder now: a Markdown file there whose front matter names the
     * node and an agent, as every note this program writes does — edited by the learner or not, linked in the canvas or
     * not — with the question each was written for. Read afresh from the folder, not from what this process remembers
     * of it. None when the canvas or the folder cannot be read.
     */
    NotedQuestions nodesWithNotes(String canvasPath) {
        try {
            return folderOf(paths.resolveVisible(canvasPath)).nodesWithNotes();
        } catch (VaultException e) {
            return NotedQuestions.NONE;
        }
    }

    /**
     * The note this node and agent got at or after {@code since}, unedited since it was written: its own name, or a copy
     * beside a note the learner edited. Empty when there is none, or the folder or note cannot be read now.
     */
    java.util.Optional<FoundNote> writtenSince(String canvasPath, String nodeId, AgentId agent, Instant since) {
        try {
            VaultFile canvas = paths.resolveVisible(canvasPath);
            return folderOf(canvas)
                    .writtenSince(new Owner(nodeId, agent.wireName()), since)
                    .map(found -> new FoundNote(
                            found.path(),
                            found.sizeBytes(),
                            found.markdown(),
                            found.model(),
                            found.generatedAt(),
                            writeBack.notLinkedNow(canvas)));
        } catch (VaultException e) {
            return java.util.Optional.empty();
        }
    }

    private NotesFolder folderOf(VaultFile canvas) {
        int slash = canvas.relative().lastIndexOf('/');
        String dir = slash < 0 ? "" : canvas.relative().substring(0, slash + 1);
        String folder = dir + NoteName.notesFolder(Canvas.baseName(canvas.relative()));
        VaultFile checked = paths.resolveVisible(folder);
        return folders.computeIfAbsent(checked.relative(), key -> new NotesFolder(checked));
    }

    private final class NotesFolder {

        private final VaultFile folder;
        private final ReentrantLock lock = new ReentrantLock();
        /** (node id, agent) to file name; null until the folder was first looked at. */
        private Map<Owner, String> owners;
        /**
         * The names given out to link to notes not written yet, by {@linkplain #folded folded} form, and back: a name
         * another note links to stays that node's, so two questions whose names collide cannot both be linked to one.
         */
        private final Map<String, Owner> promisedByFolded = new HashMap<>();

        private final Map<Owner, String> promisedTo = new HashMap<>();
        /**
         * The nodes and agents with a copy written beside an edited note, as far as this process knows (the folder's
         * scan, and its own writes): only theirs are looked for an unedited copy past a free name.
         */
        private final Set<Owner> withCopies = new HashSet<>();
        /**
         * The names in the folder by their {@linkplain #folded folded} form, so that a name's other spellings are found
         * without a listing per name (10 000 notes in one folder cost 14 ms per name listed); null until listed.
         */
        private Map<String, Set<String>> namesByFolded;
        /** When the folder was last changed as far as {@link #namesByFolded} knows: a later change is someone else's. */
        private FileTime listedAsOf;
        /** Which folder that was ({@code fileKey}): another one swapped in at its name is listed afresh. */
        private Object listedFolder;

        NotesFolder(VaultFile folder) {
            this.folder = folder;
        }

        WrittenNote write(NoteDraft draft, VaultFile canvas) {
            Owner owner = new Owner(draft.nodeId(), draft.agent().wireName());
            lock.lock();
            HeldFolder looked = null;
            HeldFolder made = null;
            try {
                looked = holdOrRefuse(false);
                String ownName = nameFor(looked, owner, draft.nodeText(), draft.agent());
                byte[] bytes = FrontMatter.render(draft).getBytes(StandardCharsets.UTF_8);
                byte[] asOlderVersionsWroteIt =
                        FrontMatter.renderWithoutDigest(draft).getBytes(StandardCharsets.UTF_8);
                String name;
                VaultFile note;
                CanvasWriteBack.Expected expected;
                boolean linked;
                HeldFolder into;
                for (int attempt = 1; ; attempt++) {
                    HeldFolder current = made != null ? made : looked;
                    String chosen = firstWritable(current, owner, ownName, asOlderVersionsWroteIt);
                    name = chosen;
                    note = paths.resolve(folder.relative() + "/" + name);
                    expected = writeBack.expect(canvas, draft.nodeId(), draft.agent(), note);
                    linked = expected.linked();
                    into = current;
                    try {
                        if (into == null) {
                            // no folder yet: made now, each folder on the way entered as it is made, never through a
                            // link
                            made = hold(true);
                            into = made;
                        }
                        beforeActing.accept(note.absolute());
                        HeldFolder in = into;
                        if (replace(into, name, bytes, () -> mayOverwrite(in, owner, chosen, asOlderVersionsWroteIt))) {
                            break;
                        }
                        // someone wrote the note since it was judged ours to overwrite (the learner saving it in
                        // Obsidian): it is theirs now, and the note goes where it would have gone a moment later
                        if (linked) {
                            writeBack.withdraw(canvas, draft.nodeId(), draft.agent());
                            linked = false;
                        }
                        if (attempt == MOST_WRITE_ATTEMPTS) {
                            throw new VaultException(
                                    IO,
                                    note.relative(),
                                    "Cannot write the note '" + note.relative() + "': it was changed by someone else"
                                            + " each time it was about to be written; it is left as they left it.");
                        }
                    } catch (IOException | VaultException e) {
                        if (linked) {
                            writeBack.withdraw(canvas, draft.nodeId(), draft.agent());
                        }
                        throw e instanceof IOException io ? cannotWrite(note.relative(), io) : (VaultException) e;
                    }
                }
                owners.put(owner, ownName);
                keptPromise(owner);
                knowWritten(into, name);
                if (!name.equals(ownName)) {
                    withCopies.add(owner);
                    LOG.log(
                            INFO,
                            attributesOf(into, ownName) != null
                                    ? "Kept the learner''s edited note ''{0}/{1}''; the new note of node ''{2}'' is"
                                            + " ''{3}''"
                                    : "The note ''{0}/{1}'' was deleted; the new note of node ''{2}'' goes on in its"
                                            + " copy ''{3}''",
                            folder.relative(),
                            ownName,
                            owner.nodeId(),
                            name);
                }
                if (linked) {
                    // under the folder's lock: two writes of one note queue their links in the order they were written
                    writeBack.written(canvas, draft.nodeId(), draft.agent(), note, draft.generatedAt());
                }
                return new WrittenNote(note.relative(), bytes.length, expected.notLinkedBecause());
            } finally {
                closeQuietly(made);
                closeQuietly(looked);
                lock.unlock();
            }
        }

        /**
         * Writes {@code bytes} to a new temporary file in the notes folder held open and renames it over {@code name}
         * there. What is at the name is looked at once more right before the rename: a link or anything else but a
         * regular file put there since the name was chosen is refused as it would have been then, and left as it is;
         * false, with nothing renamed, when {@code stillOurs} says the file there is no longer ours to overwrite.
         */
        private boolean replace(
                HeldFolder into, String name, byte[] bytes, java.util.function.BooleanSupplier stillOurs)
                throws IOException {
            Path target = Path.of(name);
            Path temporary = files.writeTemporary(into, target, bytes);
            try {
                BasicFileAttributes there = into.attributes(target);
                if (there != null && !there.isRegularFile()) {
                    throw notAFile(into, name, there);
                }
                // the look that chose the name came before the temporary file was written and forced to the disk
                // (milliseconds): a save of the learner's since then is looked for once more right before the rename
                if (!stillOurs.getAsBoolean()) {
                    into.delete(temporary);
                    return false;
                }
                BasicFileAttributes written = into.attributes(temporary);
                if (written == null || !written.isRegularFile() || written.size() != bytes.length) {
                    // someone replaced the file just written (a link, a named pipe): it is not renamed over the note
                    throw new VaultException(
                            IO,
                            folder.relative() + "/" + name,
                            "Cannot write the note '" + folder.relative() + "/" + name + "': the file it was written"
                                    + " to was replaced by something else before it could take the note's place.");
                }
                into.rename(temporary, target);
                return true;
            } catch (IOException | RuntimeException e) {
                AtomicFiles.deleteTemporary(into, temporary, e);
                throw e;
            }
        }

        void check() {
            HeldFolder held = null;
            try {
                held = FolderWalk.hold(
                        paths.root(),
                        wayToTheNotesFolder(),
                        FolderWalk.Missing.THROW,
                        beforeActing,
                        (shown, last) -> linked(last ? folder.relative() : shown));
            } catch (NoSuchFileException e) {
                // not there yet: the first note makes it
            } catch (NotDirectoryException e) {
                // a file (or a pipe, a device) where the folder should be refuses every note as surely as a link
                throw new VaultException(
                        DiskProblem.reason(e),
                        folder.relative(),
                        "Cannot open the notes folder '" + folder.relative() + "': " + DiskProblem.describe(e)
                                + ". Move it away or rename it: the notes go into a folder of that name.",
                        e);
            } catch (IOException e) {
                // a disk that cannot be read now may be readable when the notes are written; they say what they meet
            } finally {
                closeQuietly(held);
            }
        }

        NotedQuestions nodesWithNotes() {
            lock.lock();
            HeldFolder held = null;
            try {
                held = hold(false);
                Map<String, Set<String>> questions = new HashMap<>();
                eachNote(held, (note, fields) -> {
                    Owner owner = Owner.of(fields);
                    if (owner != null) {
                        questions
                                .computeIfAbsent(owner.nodeId(), node -> new HashSet<>())
                                .add(fields.getOrDefault(FrontMatter.QUESTION_SHA256, NotedQuestions.UNRECORDED));
                    }
                });
                return new NotedQuestions(questions);
            } catch (IOException e) {
                // the folder cannot be looked at now: the caller goes by the canvas's links alone
                return NotedQuestions.NONE;
            } finally {
                closeQuietly(held);
                lock.unlock();
            }
        }

        java.util.Optional<FoundNote> writtenSince(Owner owner, Instant since) {
            lock.lock();
            HeldFolder held = null;
            try {
                held = hold(false);
                if (held == null) {
                    return java.util.Optional.empty();
                }
                if (owners == null) {
                    owners = scan(held);
                }
                String own = owners.get(owner);
                if (own == null) {
                    return java.util.Optional.empty();
                }
                // the note was written under its own name, or beside a note the learner edited as its first copy free
                // (up to MAX_COPIES, as the writer does): never beyond the first name with nothing there
                for (int copy = 0; copy <= MAX_COPIES; copy++) {
                    String name = copy == 0 ? own : copyName(own, copy);
                    BasicFileAttributes there = held.attributes(Path.of(name));
                    if (there == null) {
                        return java.util.Optional.empty();
                    }
                    java.util.Optional<FoundNote> found = writtenBy(held, owner, name, there, since);
                    if (found.isPresent()) {
                        return found;
                    }
                }
                return java.util.Optional.empty();
            } catch (IOException e) {
                // the folder, or a note in it, cannot be looked at now
                return java.util.Optional.empty();
            } finally {
                closeQuietly(held);
                lock.unlock();
            }
        }

        /** The note {@code name}, if it is this owner's, unedited, and generated at or after {@code since}. */
        private java.util.Optional<FoundNote> writtenBy(
                HeldFolder held, Owner owner, String name, BasicFileAttributes there, Instant since) {
            byte[] bytes;
            try (InputStream in = held.read(Path.of(name), there)) {
                bytes = in.readNBytes(MOST_NOTE_BYTES + 1);
            } catch (IOException e) {
                return java.util.Optional.empty();
            }
            if (bytes.length > MOST_NOTE_BYTES || !FrontMatter.isUnchangedSinceWritten(bytes)) {
                return java.util.Optional.empty();
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            Map<String, String> fields = FrontMatter.fieldsOf(text);
            Instant generated;
            try {
                generated = Instant.parse(fields.getOrDefault(FrontMatter.GENERATED_AT, ""));
            } catch (java.time.format.DateTimeParseException e) {
                return java.util.Optional.empty();
            }
            if (!owner.equals(Owner.of(fields))
                    || generated.isBefore(since.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))) {
                return java.util.Optional.empty();
            }
            int body = text.indexOf("\n---\n") + "\n---\n".length();
            String markdown = text.substring(body).stripLeading();
            return java.util.Optional.of(new FoundNote(
                    folder.relative() + "/" + name,
                    bytes.length,
                    markdown,
                    fields.getOrDefault("model", "unknown"),
                    generated));
        }

        String nameOf(String nodeId, String nodeText, AgentId agent) {
            lock.lock();
            HeldFolder held = null;
            try {
                held = holdOrRefuse(false);
                Owner owner = new Owner(nodeId, agent.wireName());
                String ownName = nameFor(held, owner, nodeText, agent);
                promise(owner, ownName);
                return firstWritable(held, owner, ownName, null);
            } finally {
                closeQuietly(held);
                lock.unlock();
            }
        }

        /** @param held the notes folder held open; null while there is none (yet): every name is free */
        private String nameFor(HeldFolder held, Owner owner, String nodeText, AgentId agent) {
            if (owners == null) {
                owners = scan(held);
            }
            String known = owners.get(owner);
            if (known != null && owner.owns(held, known)) {
                return known;
            }
            owners.remove(owner);
            String base = NoteName.baseName(nodeText, owner.nodeId());
            String plain = NoteName.fileNameFor(base, "", agent);
            if (isFreeFor(held, owner, plain)) {
                return plain;
            }
            String hashed = disambiguated(base, owner.nodeId(), agent, SHORT_HASH);
            if (isFreeFor(held, owner, hashed)) {
                return hashed;
            }
            String longer = disambiguated(base, owner.nodeId(), agent, LONG_HASH);
            if (isFreeFor(held, owner, longer)) {
                return longer;
            }
            throw new VaultException(
                    IO,
                    folder.relative() + "/" + plain,
                    "Cannot name the note of node '"
                            + owner.nodeId() + "': '" + folder.relative() + "/" + longer
                            + "' and two shorter names are "
                            + "taken by files that belong to other nodes.");
        }

        /**
         * The note's own name when the file there may be overwritten, else the first copy name beside it that may.
         *
         * @param asOlderVersionsWroteIt the note without its digest line; null when only a name is asked for
         */
        private String firstWritable(HeldFolder held, Owner owner, String ownName, byte[] asOlderVersionsWroteIt) {
            String name = ownName;
            int copy = 0;
            while (!mayOverwrite(held, owner, name, asOlderVersionsWroteIt)) {
                copy++;
                if (copy > MAX_COPIES) {
                    throw new VaultException(
                            IO,
                            folder.relative() + "/" + ownName,
                            "Cannot write the note '" + folder.relative() + "/" + ownName + "': it and " + MAX_COPIES
                                    + " copies beside it were all edited; move some away.");
                }
                name = copyName(ownName, copy);
            }
            if (withCopies.contains(owner) && attributesOf(held, name) == null) {
                // a free name before an unedited copy: the learner deleted the edited note that copy was written
                // beside. The copy takes the new note, linked already; the free name would make a second unedited
                // copy, the old one stale for ever
                for (int later = copy + 1; later <= MAX_COPIES; later++) {
                    String laterName = copyName(ownName, later);
                    if (attributesOf(held, laterName) != null
                            && mayOverwrite(held, owner, laterName, asOlderVersionsWroteIt)) {
                        return laterName;
                    }
                }
            }
            return name;
        }

        /** Nothing there, or a note of this node and agent exactly as this program wrote it. */
        private boolean mayOverwrite(HeldFolder held, Owner owner, String name, byte[] asOlderVersionsWroteIt) {
            BasicFileAttributes there = attributesOf(held, name);
            if (there == null) {
                return true;
            }
            if (!there.isRegularFile() || there.size() > LARGEST_OWN_NOTE || !owner.owns(held, name)) {
                return false;
            }
            byte[] content;
            try (InputStream in = held.read(Path.of(name), there)) {
                content = in.readAllBytes();
            } catch (RegularFiles.NotARegularFile e) {
                // swapped for something else since the look: not a note of ours to overwrite
                return false;
            } catch (NoSuchFileException e) {
                return true;
            } catch (IOException e) {
                throw cannotWrite(folder.relative() + "/" + name, e);
            }
            return FrontMatter.isUnchangedSinceWritten(content)
                    || (asOlderVersionsWroteIt != null && Arrays.equals(content, asOlderVersionsWroteIt));
        }

        /** What {@code name} is in the notes folder held open, a link as a link; null when nothing (or no folder). */
        private BasicFileAttributes attributesOf(HeldFolder held, String name) {
            if (held == null) {
                return null;
            }
            try {
                return held.attributes(Path.of(name));
            } catch (IOException e) {
                throw cannotWrite(folder.relative() + "/" + name, e);
            }
        }

        private void promise(Owner owner, String name) {
            keptPromise(owner);
            promisedByFolded.put(folded(name), owner);
            promisedTo.put(owner, name);
        }

        /** The note is written: its file holds its name from now on. */
        private void keptPromise(Owner owner) {
            String promised = promisedTo.remove(owner);
            if (promised != null) {
                promisedByFolded.remove(folded(promised), owner);
            }
        }

        /** Depends on the node id alone, so the same node gets the same name on every run and every machine. */
        private static String disambiguated(String base, String nodeId, AgentId agent, int hashLength) {
            return NoteName.fileNameFor(base, "~" + ShortHash.of(nodeId, hashLength), agent);
        }

        /**
         * Whether the note may take this name: nothing there, or a note of this node and agent. A file of anyone else
         * keeps its name; anything but a regular file there (a symbolic link, a named pipe) is refused, since a note
         * neither writes through a link nor opens a pipe.
         */
        private boolean isFreeFor(HeldFolder held, Owner owner, String name) {
            Owner promisedTo = promisedByFolded.get(folded(name));
            if (promisedTo != null && !promisedTo.equals(owner)) {
                return false;
            }
            Set<String> spellings = spellingsOf(held, name);
            boolean heldByAnother = owners.entrySet().stream()
                    .anyMatch(e -> (e.getValue().equals(name) || spellings.contains(e.getValue()))
                            && !e.getKey().equals(owner));
            if (heldByAnother || heldUnderAnotherSpelling(held, owner, name, spellings)) {
                return false;
            }
            BasicFileAttributes there = attributesOf(held, name);
            if (there == null) {
                return true;
            }
            if (!there.isRegularFile()) {
                throw notAFile(held, name, there);
            }
            return owner.owns(held, name);
        }

        /** Refuses to write a note where something other than a regular file is, in words that say what it is. */
        private VaultException notAFile(HeldFolder held, String name, BasicFileAttributes there) {
            String what = FileKind.describe(held.resolve(Path.of(name)), there);
            return new VaultException(
                    there.isSymbolicLink() ? OUTSIDE_VAULT : IO,
                    folder.relative() + "/" + name,
                    "Cannot write the note '" + folder.relative() + "/" + name + "': " + what
                            + " is in its place; notes replace only regular files.");
        }

        /**
         * Whether a file of anyone else is there under a name that differs from this one only in case or in how its
         * accents were typed: the same file for macOS, Windows, iOS and Android, where a vault written on Linux is
         * often synced or copied, so the note would be lost there, or be taken for the learner's.
         */
        private boolean heldUnderAnotherSpelling(HeldFolder held, Owner owner, String name, Set<String> spellings) {
            for (String other : spellings) {
                if (!other.equals(name) && attributesOf(held, other) != null && !owner.owns(held, other)) {
                    return true;
                }
            }
            return false;
        }

        /** The names in the folder that are {@code name} on a system that folds case or accents, itself included. */
        private Set<String> spellingsOf(HeldFolder held, String name) {
            BasicFileAttributes now = folderAttributes(held);
            FileTime changed = now == null ? null : now.lastModifiedTime();
            Object which = now == null ? null : now.fileKey();
            if (namesByFolded == null || !Objects.equals(changed, listedAsOf) || !Objects.equals(which, listedFolder)) {
                // listed once, and again only when someone else changed the folder since (a learner's new file)
                namesByFolded = new HashMap<>();
                if (held != null) {
                    try {
                        held.names().forEach(entry -> know(entry.toString()));
                    } catch (IOException e) {
                        throw cannotWrite(folder.relative() + "/" + name, e);
                    }
                }
                listedAsOf = changed;
                listedFolder = which;
            }
            return namesByFolded.getOrDefault(folded(name), Set.of());
        }

        /** This writer put {@code name} in the folder: known without listing it again. */
        private void knowWritten(HeldFolder into, String name) {
            if (namesByFolded != null) {
                know(name);
                BasicFileAttributes now = folderAttributes(into);
                listedAsOf = now.lastModifiedTime();
                listedFolder = now.fileKey();
            }
        }

        private void know(String name) {
            namesByFolded.computeIfAbsent(folded(name), f -> new HashSet<>(2)).add(name);
        }

        /** The notes folder held open as it is now (its modification time); null when there is none (yet). */
        private BasicFileAttributes folderAttributes(HeldFolder held) {
            if (held == null) {
                return null;
            }
            try {
                return held.attributes();
            } catch (IOException e) {
                throw cannotWrite(folder.relative(), e);
            }
        }

        /**
         * The notes folder held open, reached from the vault's root without a link ({@link FolderWalk}): every look, read
         * and write in it then acts in that folder, whatever is swapped in at its name, or at a name above it, meanwhile.
         *
         * @param create make each folder on the way that is missing (by path, which never follows a link at that name;
         *     the JDK has no {@code mkdirat}), then enter it as any other
         * @return null when a folder on the way is missing, or is a file, and {@code create} is false
         * @throws VaultException {@code OUTSIDE_VAULT} when one of them is a symbolic link, there before or swapped in
         * @throws IOException    when one cannot be made or entered, or a file is in the way of one to be made
         */
        private HeldFolder hold(boolean create) throws IOException {
            return FolderWalk.hold(
                    paths.root(),
                    wayToTheNotesFolder(),
                    create ? FolderWalk.Missing.CREATE : FolderWalk.Missing.NULL,
                    beforeActing,
                    (shown, last) -> linked(last ? folder.relative() : shown));
        }

        /**
         * The names of the folders to enter from the vault's root to the notes folder: the canvas's folder as it really
         * is (a canvas the vault reads through a folder link that stays inside the vault, as {@link VaultPaths} allows,
         * has its notes where the link leads, reached without the link), then the notes folder by its own name, which
         * is never a link. As named when the canvas's folder leads outside the vault or is not there yet: walking those
         * names refuses the link.
         */
        private java.util.List<Path> wayToTheNotesFolder() {
            String relative = folder.relative();
            int slash = relative.lastIndexOf('/');
            java.util.List<Path> named =
                    Arrays.stream(relative.split("/")).map(Path::of).toList();
            if (slash < 0) {
                return named;
            }
            try {
                Path realRoot = paths.root().toRealPath();
                Path canvasFolder =
                        paths.root().resolve(relative.substring(0, slash)).toRealPath();
                if (!canvasFolder.startsWith(realRoot)) {
                    return named;
                }
                java.util.List<Path> way = new java.util.ArrayList<>(FolderWalk.namesBelow(realRoot, canvasFolder));
                if (way.stream().anyMatch(name -> name.toString().startsWith("."))) {
                    // a link that leads into a hidden folder (.obsidian, .trash, the vault's own .canvas-batch),
                    // perhaps re-pointed since the canvas was read: walked by its names, it is refused as a link
                    return named;
                }
                way.add(Path.of(relative.substring(slash + 1)));
                return way;
            } catch (IOException e) {
                return named;
            }
        }

        /** As {@link #hold}, any trouble but a link on the way said as the notes folder's. */
        private HeldFolder holdOrRefuse(boolean create) {
            try {
                return hold(create);
            } catch (IOException e) {
                throw new VaultException(
                        DiskProblem.reason(e),
                        folder.relative(),
                        "Cannot open the notes folder '" + folder.relative() + "': " + DiskProblem.describe(e) + ".",
                        e);
            }
        }

        /** A notes folder, or a folder on the way to it, that is a symbolic link is never written through. */
        private VaultException linked(String shown) {
            if (shown.equals(folder.relative())) {
                return new VaultException(
                        OUTSIDE_VAULT,
                        folder.relative(),
                        "The notes folder '" + folder.relative() + "' is a symbolic link; notes are never written"
                                + " through one. Replace it with a real folder.");
            }
            return new VaultException(
                    OUTSIDE_VAULT,
                    shown,
                    "The folder '" + shown + "' on the way to the notes folder '" + folder.relative()
                            + "' is a symbolic link; notes are never written through one. Replace it with a real"
                            + " folder.");
        }

        private Map<Owner, String> scan(HeldFolder held) {
            Map<Owner, String> found = new HashMap<>();
            eachNote(held, (note, fields) -> {
                Owner owner = Owner.of(fields);
                if (owner != null) {
                    // A copy written beside an edited note stands for the note it was written beside. Two files of
                    // one node (copied by hand?): take the same one whatever the listing order.
                    found.merge(owner, ownNameOf(note.toString()), (a, b) -> a.compareTo(b) <= 0 ? a : b);
                    if (COPY_NAME.matcher(note.toString()).matches()) {
                        withCopies.add(owner);
                    }
                }
            });
            return found;
        }

        /** Each Markdown file of the folder held open, with its front matter's fields (none read through a link). */
        private void eachNote(HeldFolder held, java.util.function.BiConsumer<Path, Map<String, String>> visit) {
            if (held == null) {
                return;
            }
            try {
                for (Path note : held.names()) {
                    if (note.toString().endsWith(".md")) {
                        visit.accept(note, FrontMatter.readFields(held, note));
                    }
                }
            } catch (IOException e) {
                throw new VaultException(
                        IO,
                        folder.relative(),
                        "Cannot list the notes folder '" + folder.relative() + "': " + DiskProblem.describe(e) + ".",
                        e);
            }
        }
    }

    private static void closeQuietly(HeldFolder folder) {
        if (folder != null) {
            try {
                folder.close();
            } catch (IOException e) {
                // only looked at, or what was written in it is renamed into place already
            }
        }
    }

    /** The copy beside an edited note: named after it, and within the file name limit. */
    static String copyName(String ownName, int copy) {
        String tag = REGENERATED + (copy == 1 ? "" : " " + copy) + ").md";
        String stem = ownName.substring(0, ownName.length() - ".md".length());
        while (utf8Bytes(stem + tag) > NoteName.MAX_FILE_NAME_BYTES && !stem.isEmpty()) {
            stem = stem.substring(0, stem.offsetByCodePoints(stem.length(), -1));
        }
        return stem + tag;
    }

    /**
     * A file name as a system that folds case (Windows, macOS, iOS, Android) or accents typed decomposed (macOS) sees
     * it, though Linux keeps the spellings apart.
     */
    private static String folded(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFC)
                .toUpperCase(Locale.ROOT)
                .toLowerCase(Locale.ROOT);
    }

    private static String ownNameOf(String fileName) {
        Matcher copy = COPY_NAME.matcher(fileName);
        return copy.matches() ? copy.group(1) + ".md" : fileName;
    }

    private static int utf8Bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static VaultException cannotWrite(String note, IOException e) {
        return new VaultException(
                DiskProblem.reason(e),
                note,
                "Cannot write the note '" + note + "': " + DiskProblem.describe(e) + ".",
                e);
    }

    private record Owner(String nodeId, String agent) {

        static Owner of(Map<String, String> frontMatter) {
            String node = frontMatter.get(FrontMatter.SOURCE_NODE);
            String agent = frontMatter.get(FrontMatter.AGENT);
            if (node == null || agent == null) {
                return null;
            }
            return new Owner(
                    node, AgentId.fromWireName(agent).map(AgentId::wireName).orElse(agent));
        }

        /** Whether the note {@code name} in the notes folder held open is this owner's; never while there is none. */
        boolean owns(HeldFolder held, String name) {
            return held != null && equals(of(FrontMatter.readFields(held, Path.of(name))));
        }
    }
}
