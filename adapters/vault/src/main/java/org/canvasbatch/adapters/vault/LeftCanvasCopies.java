package org.canvasbatch.adapters.vault;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Settles the hidden copies of canvases ({@link AtomicFiles#previousName}) that a write-back killed between taking one
 * and deleting it left in a folder. Right before its rename the write-back gives the canvas a second name, so that what
 * the rename replaces stays readable; after it, that name is the only one of the replaced version, which holds, if the
 * learner saved in that instant, the only copy of that save. So a copy is dropped only when nothing is lost with it: it
 * is another name of a canvas beside it, or every card and edge in it is in one canvas beside it. Any other copy is
 * shown to the learner as a canvas of its own beside the one it was a version of, and said so in the log.
 *
 * <p>A copy is touched only once it has been one for longer than any live write-back keeps it (its inode's change time,
 * which taking and dropping names sets, is before the cutoff); where the file system tells no such time, never.
 */
final class LeftCanvasCopies {

    private static final System.Logger LOG = System.getLogger(LeftCanvasCopies.class.getName());
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HHmm");
    private static final int MAX_NAME_TRIES = 100;
    /** The ids of the cards, edges and labels a write-back adds ({@link CanvasMerge}). */
    private static final String WRITE_BACK_ID_PREFIX = "cb-";

    private LeftCanvasCopies() {}

    /** A copy as the held folder saw it. */
    private record Left(Path name, BasicFileAttributes seen) {}

    /** A canvas beside the copies, as the held folder saw it. */
    private record Beside(Path name, BasicFileAttributes seen) {}

    /**
     * Settles the copies named {@code names} in {@code folder}; returns how many were dropped.
     *
     * @param canvasNames    the canvases in the folder ({@link #isCanvasName}), which the copies may be versions of
     * @param cutoff         a copy whose name was last taken or dropped after this may still be in a live write's hands
     * @param maxCanvasBytes a copy or canvas larger than this is not read
     */
    static int settle(
            HeldFolder folder, List<Path> names, List<Path> canvasNames, Instant cutoff, long maxCanvasBytes) {
        int dropped = 0;
        for (Path name : names) {
            Optional<Left> copy = leftBefore(folder, name, cutoff);
            if (copy.isPresent() && settleOne(folder, copy.get(), canvasNames, maxCanvasBytes)) {
                dropped++;
            }
        }
        return dropped;
    }

    private static Optional<Left> leftBefore(HeldFolder folder, Path name, Instant cutoff) {
        try {
            BasicFileAttributes seen = folder.attributes(name);
            if (seen == null || !seen.isRegularFile() || seen.fileKey() == null) {
                return Optional.empty();
            }
            // the JDK reads the inode's change time by path only; the file it reads must be the one the folder holds
            Map<String, Object> unix =
                    Files.readAttributes(folder.resolve(name), "unix:ctime,fileKey", LinkOption.NOFOLLOW_LINKS);
            if (!seen.fileKey().equals(unix.get("fileKey"))
                    || !(unix.get("ctime") instanceof FileTime changed)
                    || !changed.toInstant().isBefore(cutoff)) {
                return Optional.empty();
            }
            return Optional.of(new Left(name, seen));
        } catch (UnsupportedOperationException | IllegalArgumentException noChangeTime) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether a file name is a canvas the learner sees. */
    static boolean isCanvasName(String fileName) {
        return !fileName.startsWith(".") && fileName.endsWith(".canvas");
    }

    /** The canvases of the folder as they are now: their names and files, nothing read yet. */
    private static List<Beside> canvasesIn(HeldFolder folder, List<Path> names) {
        List<Beside> canvases = new ArrayList<>();
        for (Path name : names) {
            try {
                BasicFileAttributes seen = folder.attributes(name);
                if (seen != null && seen.isRegularFile()) {
                    canvases.add(new Beside(name, seen));
                }
            } catch (IOException e) {
                // gone since the look: not one the copies can be versions of
            }
        }
        return canvases;
    }

    /**
     * Drops the copy, or keeps it visible beside the canvas it is a version of; true when it was dropped. The canvases
     * beside it are read one at a time (a folder may hold many large ones) and compared with it as they are read.
     */
    private static boolean settleOne(HeldFolder folder, Left copy, List<Path> canvasNames, long maxCanvasBytes) {
        Path shown = folder.resolve(copy.name());
        List<Beside> canvases = canvasesIn(folder, canvasNames);
        if (canvases.stream()
                .anyMatch(canvas -> copy.seen().fileKey().equals(canvas.seen().fileKey()))) {
            return TemporaryLitter.deleteIfStillTheSame(folder, copy.name(), copy.seen(), path -> {});
        }
        byte[] bytes =
                readBytes(folder, copy.name(), copy.seen(), maxCanvasBytes).orElse(null);
        JsonObject saved = bytes == null ? null : parse(bytes).orElse(null);
        if (saved == null) {
            LOG.log(
                    WARNING,
                    "'" + shown + "', a copy of a canvas that a stopped canvas-batch was linking notes into, cannot be"
                            + " read as a canvas; it is left as it is.");
            return false;
        }
        Set<JsonValue> items = itemsOf(saved);
        Set<String> ids = nodeIdsOf(saved);
        String versionOf = "Canvas.canvas";
        long mostShared = 0;
        for (Beside canvas : canvases) {
            Optional<JsonObject> read = readCanvas(folder, canvas.name(), canvas.seen(), maxCanvasBytes);
            if (read.isEmpty()) {
                continue; // a canvas that cannot be read holds nothing a copy can be found in
            }
            Set<JsonValue> held = itemsOf(read.get());
            if (held.containsAll(items) && onlyAddedByAWrite(held, items)) {
                boolean dropped = TemporaryLitter.deleteIfStillTheSame(folder, copy.name(), copy.seen(), path -> {});
                if (dropped) {
                    LOG.log(
                            INFO,
                            "Deleted '" + shown + "', a copy of '" + canvas.name()
                                    + "' that a stopped canvas-batch left; the canvas holds all of it.");
                }
                return dropped;
            }
            long shared = nodeIdsOf(read.get()).stream().filter(ids::contains).count();
            if (shared > mostShared) {
                mostShared = shared;
                versionOf = canvas.name().toString();
            }
        }
        Optional<Path> kept = keepVisible(folder, versionOf, copy, bytes);
        if (kept.isPresent()) {
            TemporaryLitter.deleteIfStillTheSame(folder, copy.name(), copy.seen(), path -> {});
            LOG.log(
                    WARNING,
                    "'" + folder.resolve(Path.of(versionOf)) + "' was replaced by a canvas-batch that stopped in the"
                            + " middle, and a version of it differs from it in the learner's own cards or edges"
                            + " (perhaps a save made in that instant); that version is kept beside it as '"
                            + kept.get().getFileName() + "'.");
        }
        return false;
    }

    /** Writes the copy's bytes under a new visible name beside {@code versionOf}, never over a file already there. */
    private static Optional<Path> keepVisible(HeldFolder folder, String versionOf, Left copy, byte[] bytes) {
        String base = versionOf.substring(0, versionOf.length() - ".canvas".length());
        String stamp = LocalDateTime.ofInstant(copy.seen().lastModifiedTime().toInstant(), ZoneId.systemDefault())
                .format(STAMP);
        for (int attempt = 1; attempt <= MAX_NAME_TRIES; attempt++) {
            Path name = Path.of(base + " (kept " + stamp + (attempt == 1 ? "" : " " + attempt) + ").canvas");
            try (SeekableByteChannel out =
                    folder.open(name, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                if (out instanceof java.nio.channels.FileChannel file) {
                    file.force(true);
                }
                return Optional.of(folder.resolve(name));
            } catch (FileAlreadyExistsException taken) {
                // the learner's file, or a copy kept at an earlier start: the next name
            } catch (IOException e) {
                LOG.log(
                        WARNING,
                        "'" + folder.resolve(copy.name()) + "', a copy of a canvas that a stopped canvas-batch was"
                                + " linking notes into, could not be kept beside it: " + DiskProblem.describe(e)
                                + "; it is left as it is.");
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Optional<JsonObject> readCanvas(
            HeldFolder folder, Path name, BasicFileAttributes seen, long maxCanvasBytes) {
        return readBytes(folder, name, seen, maxCanvasBytes).flatMap(LeftCanvasCopies::parse);
    }

    private static Optional<byte[]> readBytes(
            HeldFolder folder, Path name, BasicFileAttributes seen, long maxCanvasBytes) {
        if (seen.size() > maxCanvasBytes) {
            return Optional.empty();
        }
        try (InputStream in = folder.read(name, seen)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxCanvasBytes + 1));
            return bytes.length > maxCanvasBytes ? Optional.empty() : Optional.of(bytes);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<JsonObject> parse(byte[] bytes) {
        try {
            return CanvasJson.parse(CanvasJson.decode(bytes)) instanceof JsonObject canvas
                    ? Optional.of(canvas)
                    : Optional.empty();
        } catch (CanvasJson.Refusal refusal) {
            return Optional.empty();
        }
    }

    /** The canvas's cards and edges, each as a whole: a card whose text changed is another card. */
    private static Set<JsonValue> itemsOf(JsonObject canvas) {
        Set<JsonValue> items = new HashSet<>();
        for (String field : List.of("nodes", "edges")) {
            if (canvas.get(field) instanceof JsonArray array) {
                items.addAll(array);
            }
        }
        return items;
    }

    /**
     * Whether what the canvas holds beyond the copy is only what a write-back adds (its note cards, edges and labels,
     * {@code cb-} ids): a card or edge of the learner's there and not in the copy was deleted in the copy, by a save
     * made in that instant, and dropping the copy would bring it back.
     */
    private static boolean onlyAddedByAWrite(Set<JsonValue> canvas, Set<JsonValue> copy) {
        for (JsonValue item : canvas) {
            if (!copy.contains(item)
                    && !(item instanceof JsonObject object
                            && object.get("id") instanceof jakarta.json.JsonString id
                            && id.getString().startsWith(WRITE_BACK_ID_PREFIX))) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> nodeIdsOf(JsonObject canvas) {
        Set<String> ids = new HashSet<>();
        if (canvas.get("nodes") instanceof JsonArray nodes) {
            for (JsonValue node : nodes) {
                if (node instanceof JsonObject card && card.get("id") instanceof jakarta.json.JsonString id) {
                    ids.add(id.getString());
                }
            }
        }
        return ids;
    }
}
