package org.canvasbatch.adapters.vault;

import static org.canvasbatch.application.port.out.VaultException.Reason.IO;
import static org.canvasbatch.application.port.out.VaultException.Reason.NOT_FOUND;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
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

    NodeContent(VaultPaths paths) {
        this.paths = paths;
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
        BasicFileAttributes attributes;
        try {
            target = paths.realPathInside(file);
            attributes = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw missing(node, path);
        } catch (IOException e) {
            throw cannotRead(node, path, e);
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
        try (InputStream in = RegularFiles.read(target, attributes)) {
            head = in.readNBytes(MAX_TEXT_BYTES + 1);
        } catch (RegularFiles.NotARegularFile e) {
            throw new VaultException(
                    NOT_FOUND,
                    path,
                    "The file node '" + node.id() + "' points to '" + path + "', which is " + e.what()
                            + "; only regular files are read.");
        } catch (NoSuchFileException e) {
            throw missing(node, path);
        } catch (IOException e) {
            throw cannotRead(node, path, e);
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
