package org.canvasbatch.adapters.vault;

import static org.canvasbatch.application.port.out.VaultException.Reason.IO;
import static org.canvasbatch.application.port.out.VaultException.Reason.NOT_FOUND;
import static org.canvasbatch.application.port.out.VaultException.Reason.OUTSIDE_VAULT;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.function.Consumer;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.CanvasNode;

/**
 * What an agent reads for a node. A file node's path is relative to the vault root, as Obsidian stores it. Text files
 * are read (at most {@value #MAX_TEXT_BYTES} bytes, then marked {@code (truncated)}); images, PDFs and anything that
 * is not UTF-8 text become an Obsidian embed {@code ![[path]]}, which is what the learner sees on the canvas.
 */
final class NodeContent {

    static final int MAX_TEXT_BYTES = 64 * 1024;
    static final String TRUNCATED = "\n\n(truncated)";

    private static final Set<String> EMBEDDED = Set.of(
            "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "avif", "heic", "tif", "tiff", "pdf", "mp3", "wav",
            "m4a", "ogg", "flac", "webm", "mp4", "mov", "mkv", "ogv");

    private final VaultPaths paths;
    /** Runs with the file's real path once it is known to be inside, before anything is opened: for tests. */
    private final Consumer<Path> beforeReading;

    NodeContent(VaultPaths paths) {
        this(paths, real -> {});
    }

    NodeContent(VaultPaths paths, Consumer<Path> beforeReading) {
        this.paths = paths;
        this.beforeReading = beforeReading;
    }

    String of(CanvasNode node) {
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
            throw new VaultException(NOT_FOUND, "", "The file node '" + node.id() + "' names no file.");
        }
        VaultFile file = paths.resolveVisible(node.file());
        String path = file.relative();
        Path target;
        try {
            target = paths.realPathInside(file);
        } catch (NoSuchFileException e) {
            throw missing(node, path);
        } catch (IOException e) {
            throw cannotRead(node, path, e);
        }
        beforeReading.accept(target);
        // read in its folder held open, reached from the vault's root without a link: a folder on the way swapped for
        // a link since the check above would otherwise lead the read outside the vault
        try (HeldFolder folder = folderOf(node, path, target)) {
            return read(node, file, target, folder);
        } catch (NoSuchFileException e) {
            throw missing(node, path);
        } catch (IOException e) {
            throw cannotRead(node, path, e);
        }
    }

    /**
     * The folder that holds {@code real} (a real path inside the vault), entered from the vault's root one folder at a
     * time, never through a symbolic link.
     */
    private HeldFolder folderOf(CanvasNode node, String path, Path real) throws IOException {
        Path realRoot = paths.root().toRealPath();
        Path folder = real.getParent();
        if (!folder.startsWith(realRoot)) {
            throw swapped(node, path);
        }
        try {
            return FolderWalk.hold(
                    paths.root(),
                    FolderWalk.namesBelow(realRoot, folder),
                    FolderWalk.Missing.THROW,
                    folderOnTheWay -> {},
                    (shown, last) -> swapped(node, path));
        } catch (HeldFolder.NotAFolder e) {
            // the real path was folders all the way: anything else there now was swapped in since
            throw swapped(node, path);
        }
    }

    private static VaultException swapped(CanvasNode node, String path) {
        return new VaultException(
                OUTSIDE_VAULT,
                path,
                "The file '" + path + "' of node '" + node.id() + "' was moved while it was read: a folder on its way"
                        + " is now a symbolic link, which is never followed.");
    }

    private String read(CanvasNode node, VaultFile file, Path target, HeldFolder folder) throws IOException {
        String path = file.relative();
        Path name = target.getFileName();
        BasicFileAttributes attributes = folder.attributes(name);
        if (attributes == null) {
            throw missing(node, path);
        }
        if (attributes.isDirectory()) {
            throw new VaultException(
                    NOT_FOUND,
                    path,
                    "The file node '" + node.id() + "' points to the folder '" + path + "', not a file.");
        }
        if (!attributes.isRegularFile()) {
            throw new VaultException(
                    NOT_FOUND,
                    path,
                    "The file node '" + node.id() + "' points to '" + path + "', which is "
                            + FileKind.describe(target, attributes) + "; only regular files are read.");
        }
        if (EMBEDDED.contains(file.extension())) {
            return embed(path);
        }
        byte[] head;
        try (InputStream in = folder.read(name, attributes)) {
            head = in.readNBytes(MAX_TEXT_BYTES + 1);
        } catch (RegularFiles.NotARegularFile e) {
            throw new VaultException(
                    NOT_FOUND,
                    path,
                    "The file node '" + node.id() + "' points to '" + path + "', which is " + e.what()
                            + "; only regular files are read.");
        }
        boolean truncated = head.length > MAX_TEXT_BYTES;
        String text = decodeText(head, truncated ? MAX_TEXT_BYTES : head.length, !truncated);
        if (text == null) {
            return embed(path);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return truncated ? text + TRUNCATED : text;
    }

    /** The bytes as UTF-8 text, or null when they are not text (malformed UTF-8 or a NUL byte). */
    private static String decodeText(byte[] bytes, int length, boolean complete) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == 0) {
                return null;
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(length);
        // An incomplete character at the cut is left undecoded rather than reported: the text was merely cut there.
        CoderResult result = decoder.decode(ByteBuffer.wrap(bytes, 0, length), out, complete);
        if (result.isError()) {
            return null;
        }
        if (complete && decoder.flush(out).isError()) {
            return null;
        }
        return out.flip().toString();
    }

    private static VaultException cannotRead(CanvasNode node, String path, IOException e) {
        return new VaultException(
                IO,
                path,
                "Cannot read '" + path + "' of node '" + node.id() + "': " + DiskProblem.describe(e) + ".",
                e);
    }

    private static String embed(String path) {
        return "![[" + path + "]]";
    }

    private static VaultException missing(CanvasNode node, String path) {
        return new VaultException(
                NOT_FOUND, path, "The file '" + path + "' of node '" + node.id() + "' does not exist in the vault.");
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
