package org.canvasbatch.testsupport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasEdge;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.note.NoteName;

/**
 * A vault in memory, for tests that are about the core rather than about files. It keeps the promises the core relies
 * on as the file vault does (adapters/vault's {@code VaultContract} runs against both): the same path rules and
 * refusals, notes named by the same rule and overwritten for the same node and agent, a file node's file text and a
 * link node's URL as content, and each written note linked into its canvas once (a file node of colour 5 and an edge
 * from its source node). What it leaves out: label nodes, and the coalescing, since a link here is in the canvas as
 * soon as its note is written.
 */
public final class InMemoryVault implements Vault {

    private static final Set<String> EMBEDDED = Set.of(
            "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "avif", "heic", "tif", "tiff", "pdf", "mp3", "wav",
            "m4a", "ogg", "flac", "webm", "mp4", "mov", "mkv", "ogv");

    private final Map<String, Canvas> canvases = new ConcurrentHashMap<>();
    private final Map<String, String> files = new ConcurrentHashMap<>();
    private final Map<String, String> notes = new ConcurrentHashMap<>();
    /** (notes folder, node id, agent) to the note's path. */
    private final Map<List<String>, String> noteOwners = new HashMap<>();
    /** What {@link #checkNotesFolder} says, as a file vault says of a notes folder that is a link; null: nothing. */
    private volatile String notesFolderRefusal;

    /** From now on the notes folders are refused before writing, in these words (null: no longer). */
    public InMemoryVault refusingNotesFolders(String refusal) {
        this.notesFolderRefusal = refusal;
        return this;
    }

    @Override
    public void checkNotesFolder(String canvasPath) {
        String refusal = notesFolderRefusal;
        if (refusal != null) {
            throw new VaultException(Reason.OUTSIDE_VAULT, normalise(canvasPath), refusal);
        }
    }

    public InMemoryVault withCanvas(Canvas canvas) {
        canvases.put(normalise(canvas.path()), canvas);
        return this;
    }

    /** A file a file node may point at, e.g. {@code notes/鸽巢原理.md}; an image is given by its name alone. */
    public InMemoryVault withFile(String path, String text) {
        files.put(normalise(path), text);
        return this;
    }

    @Override
    public Canvas readCanvas(String canvasPath) {
        String path = normalise(canvasPath);
        if (!path.endsWith(".canvas")) {
            throw new VaultException(
                    Reason.INVALID_CANVAS, path, "'" + path + "' is not a canvas: its name does not end in .canvas.");
        }
        Canvas canvas = canvases.get(path);
        if (canvas == null) {
            throw new VaultException(Reason.NOT_FOUND, path, "No canvas at '" + path + "'");
        }
        return canvas;
    }

    @Override
    public boolean canvasExists(String canvasPath) {
        return canvases.containsKey(normalise(canvasPath));
    }

    @Override
    public String contentOf(String canvasPath, CanvasNode node) {
        normalise(canvasPath);
        return switch (node.type()) {
            case "text" -> orEmpty(node.text());
            case "link" -> orEmpty(node.url());
            case "group" -> orEmpty(node.label());
            case "file" -> fileContent(node);
            default -> node.displayText();
        };
    }

    private String fileContent(CanvasNode node) {
        if (node.file() == null || node.file().isBlank()) {
            throw new VaultException(Reason.NOT_FOUND, "", "The file node '" + node.id() + "' names no file.");
        }
        String path = normalise(node.file());
        String text = files.get(path);
        if (text == null) {
            throw new VaultException(
                    Reason.NOT_FOUND,
                    path,
                    "The file '" + path + "' of node '" + node.id() + "' does not exist in the vault.");
        }
        String extension = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return EMBEDDED.contains(extension) ? "![[" + path + "]]" : text;
    }

    @Override
    public synchronized WrittenNote writeNote(NoteDraft draft) {
        String canvasPath = normalise(draft.canvasPath());
        int slash = canvasPath.lastIndexOf('/');
        String folder = (slash < 0 ? "" : canvasPath.substring(0, slash + 1))
                + NoteName.notesFolder(Canvas.baseName(canvasPath));
        String path = folder + "/" + nameFor(folder, draft);
        notes.put(path, draft.markdown());
        link(canvasPath, draft.nodeId(), draft.agent(), path);
        return new WrittenNote(path, draft.markdown().getBytes(StandardCharsets.UTF_8).length);
    }

    /** The same node and agent keep their name; a name another node holds gets the node id's hash, as on disk. */
    private String nameFor(String folder, NoteDraft draft) {
        List<String> owner = List.of(folder, draft.nodeId(), draft.agent().wireName());
        String known = noteOwners.get(owner);
        if (known != null) {
            return known.substring(folder.length() + 1);
        }
        String base = NoteName.baseName(draft.nodeText(), draft.nodeId());
        String hash = sha256(draft.nodeId());
        String name = Stream.of("", "~" + hash.substring(0, 8), "~" + hash.substring(0, 16))
                .map(tag -> NoteName.fileNameFor(base, tag, draft.agent()))
                .filter(candidate -> !noteOwners.containsValue(folder + "/" + candidate)
                        && !files.containsKey(folder + "/" + candidate))
                .findFirst()
                .orElseThrow(() -> new VaultException(
                        Reason.IO,
                        folder,
                        "Cannot name the note of node '" + draft.nodeId() + "': three names are taken by files that"
                                + " belong to other nodes."));
        noteOwners.put(owner, folder + "/" + name);
        return name;
    }

    /** A file node and an edge from the source, once per note; nothing when the canvas or its source node is gone. */
    private void link(String canvasPath, String sourceNodeId, AgentId agent, String notePath) {
        canvases.computeIfPresent(canvasPath, (path, canvas) -> {
            CanvasNode source = canvas.node(sourceNodeId).orElse(null);
            String noteNodeId = "cb-note-"
                    + sha256(sourceNodeId + "\u0000" + agent.wireName()).substring(0, 16);
            if (source == null || canvas.node(noteNodeId).isPresent()) {
                return canvas;
            }
            List<CanvasNode> nodes = new ArrayList<>(canvas.nodes());
            nodes.add(new CanvasNode(
                    noteNodeId,
                    "file",
                    null,
                    notePath,
                    null,
                    null,
                    "5",
                    source.x(),
                    source.y() + source.height() + 40,
                    400,
                    400));
            List<CanvasEdge> edges = new ArrayList<>(canvas.edges());
            edges.add(new CanvasEdge(
                    "cb-edge-" + noteNodeId.substring("cb-note-".length()),
                    sourceNodeId,
                    noteNodeId,
                    agent.wireName()));
            return new Canvas(canvas.path(), nodes, edges);
        });
    }

    /** The notes written, by path. */
    public Map<String, String> notes() {
        return Map.copyOf(notes);
    }

    /** The file vault's path rule: relative, inside the vault, '/' between folders. */
    private static String normalise(String vaultPath) {
        if (vaultPath == null || vaultPath.isBlank()) {
            throw outside(vaultPath, "No path was given: give a path relative to the vault.");
        }
        if (vaultPath.indexOf('\0') >= 0) {
            throw outside(vaultPath, "The path contains a NUL character.");
        }
        if (vaultPath.indexOf('\\') >= 0) {
            throw outside(vaultPath, "The path '" + vaultPath + "' contains a backslash; vault paths use '/'.");
        }
        if (vaultPath.startsWith("/") || vaultPath.matches("^[A-Za-z]:.*")) {
            throw outside(vaultPath, "The path '" + vaultPath + "' is absolute; give it relative to the vault.");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : vaultPath.split("/")) {
            if (segment.equals("..")) {
                throw outside(vaultPath, "The path '" + vaultPath + "' contains '..'; it must stay inside the vault.");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        if (segments.isEmpty()) {
            throw outside(vaultPath, "The path '" + vaultPath + "' names no file inside the vault.");
        }
        return String.join("/", segments);
    }

    private static VaultException outside(String path, String message) {
        return new VaultException(Reason.OUTSIDE_VAULT, path, message);
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
