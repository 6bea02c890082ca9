package org.canvasbatch.adapters.vault;

import static org.canvasbatch.application.port.out.VaultException.Reason.IO;
import static org.canvasbatch.application.port.out.VaultException.Reason.OUTSIDE_VAULT;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
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
 *   <li>when another node's note, or a file the user wrote, already holds the name, the note is called
 *       {@code {text} ~{8 hex digits of SHA-256(node id)} ({agent}).md} instead: decided by the files on disk, so
 *       the same on every run, and nothing that is not this node's is ever overwritten.</li>
 * </ul>
 * Choosing a name and writing it happen under one lock per folder, so two colliding nodes finishing together cannot
 * both take the same name.
 */
final class NoteWriter {

    private static final int SHORT_HASH = 8;
    private static final int LONG_HASH = 16;

    private final VaultPaths paths;
    private final AtomicFiles files;
    private final CanvasWriteBack writeBack;
    private final Map<String, NotesFolder> folders = new ConcurrentHashMap<>();

    /** @param writeBack links each note into its canvas: told before the note is written, and once it is */
    NoteWriter(VaultPaths paths, AtomicFiles files, CanvasWriteBack writeBack) {
        this.paths = paths;
        this.files = files;
        this.writeBack = writeBack;
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

        NotesFolder(VaultFile folder) {
            this.folder = folder;
        }

        WrittenNote write(NoteDraft draft, VaultFile canvas) {
            Owner owner = new Owner(draft.nodeId(), draft.agent().wireName());
            lock.lock();
            try {
                refuseLinkedFolder();
                String name = nameFor(owner, draft.nodeText(), draft.agent());
                VaultFile note = paths.resolve(folder.relative() + "/" + name);
                byte[] bytes = FrontMatter.render(draft).getBytes(StandardCharsets.UTF_8);
                CanvasWriteBack.Expected expected = writeBack.expect(canvas, draft.nodeId(), draft.agent(), note);
                boolean linked = expected.linked();
                try {
                    Files.createDirectories(folder.absolute());
                    files.write(note.absolute(), bytes, false);
                } catch (IOException e) {
                    if (linked) {
                        writeBack.withdraw(canvas, draft.nodeId(), draft.agent());
                    }
                    throw cannotWrite(note.relative(), e);
                }
                owners.put(owner, name);
                if (linked) {
                    // under the folder's lock: two writes of one note queue their links in the order they were written
                    writeBack.written(canvas, draft.nodeId(), draft.agent(), note, draft.generatedAt());
                }
                return new WrittenNote(note.relative(), bytes.length, expected.notLinkedBecause());
            } finally {
                lock.unlock();
            }
        }

        String nameOf(String nodeId, String nodeText, AgentId agent) {
            lock.lock();
            try {
                refuseLinkedFolder();
                return nameFor(new Owner(nodeId, agent.wireName()), nodeText, agent);
            } finally {
                lock.unlock();
            }
        }

        private String nameFor(Owner owner, String nodeText, AgentId agent) {
            if (owners == null) {
                owners = scan();
            }
            String known = owners.get(owner);
            if (known != null && owner.owns(folder.absolute().resolve(known))) {
                return known;
            }
            owners.remove(owner);
            String base = NoteName.baseName(nodeText, owner.nodeId());
            String plain = NoteName.fileNameFor(base, "", agent);
            if (isFreeFor(owner, plain)) {
                return plain;
            }
            String hashed = disambiguated(base, owner.nodeId(), agent, SHORT_HASH);
            if (isFreeFor(owner, hashed)) {
                return hashed;
            }
            String longer = disambiguated(base, owner.nodeId(), agent, LONG_HASH);
            if (isFreeFor(owner, longer)) {
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

        /** Depends on the node id alone, so the same node gets the same name on every run and every machine. */
        private static String disambiguated(String base, String nodeId, AgentId agent, int hashLength) {
            return NoteName.fileNameFor(base, "~" + ShortHash.of(nodeId, hashLength), agent);
        }

        /**
         * Whether the note may take this name: nothing there, or a note of this node and agent. A file of anyone else
         * keeps its name; anything but a regular file there (a symbolic link, a named pipe) is refused, since a note
         * neither writes through a link nor opens a pipe.
         */
        private boolean isFreeFor(Owner owner, String name) {
            boolean heldByAnother = owners.entrySet().stream()
                    .anyMatch(e -> e.getValue().equals(name) && !e.getKey().equals(owner));
            if (heldByAnother) {
                return false;
            }
            Path file = folder.absolute().resolve(name);
            BasicFileAttributes there;
            try {
                there = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return true;
            } catch (IOException e) {
                throw cannotWrite(folder.relative() + "/" + name, e);
            }
            if (!there.isRegularFile()) {
                String what = FileKind.describe(file, there);
                throw new VaultException(
                        there.isSymbolicLink() ? OUTSIDE_VAULT : IO,
                        folder.relative() + "/" + name,
                        "Cannot write the note '" + folder.relative() + "/" + name + "': " + what
                                + " is in its place; notes replace only regular files.");
            }
            return owner.owns(file);
        }

        /** A notes folder that is a symbolic link is never written through, wherever it points. */
        private void refuseLinkedFolder() {
            if (Files.isSymbolicLink(folder.absolute())) {
                throw new VaultException(
                        OUTSIDE_VAULT,
                        folder.relative(),
                        "The notes folder '" + folder.relative() + "' is a symbolic link; notes are never written"
                                + " through one. Replace it with a real folder.");
            }
        }

        private Map<Owner, String> scan() {
            Map<Owner, String> found = new HashMap<>();
            if (!Files.isDirectory(folder.absolute(), LinkOption.NOFOLLOW_LINKS)) {
                return found;
            }
            try (DirectoryStream<Path> notes = Files.newDirectoryStream(folder.absolute(), "*.md")) {
                for (Path note : notes) {
                    Owner owner = Owner.of(FrontMatter.readFields(note));
                    if (owner != null) {
                        // Two files of one node (copied by hand?): take the same one whatever the listing order.
                        found.merge(owner, note.getFileName().toString(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
                    }
                }
            } catch (IOException e) {
                throw new VaultException(
                        IO,
                        folder.relative(),
                        "Cannot list the notes folder '" + folder.relative() + "': " + DiskProblem.describe(e) + ".",
                        e);
            }
            return found;
        }
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

        boolean owns(Path file) {
            return equals(of(FrontMatter.readFields(file)));
        }
    }
}
