package org.canvasbatch.adapters.vault;

import static org.canvasbatch.application.port.out.VaultException.Reason.INVALID_CANVAS;
import static org.canvasbatch.application.port.out.VaultException.Reason.TOO_LARGE;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import org.canvasbatch.application.port.out.VaultException;

/**
 * A canvas file as JSON: read with a size limit, only from a regular file, only as UTF-8 and within the limits of
 * {@link CanvasJson}, and checked just enough to be a JSON Canvas (an object whose {@code nodes} and {@code edges},
 * when present, are lists). Everything else in it is kept untouched, which is what the write-back needs;
 * {@link CanvasModel} does the stricter checks for reading.
 *
 * @param snapshot        the bytes it was parsed from and the state of their file
 * @param endsWithNewline whether the file ended with a line break, so a rewrite keeps it that way
 */
record CanvasFile(VaultFile file, JsonObject root, boolean endsWithNewline, DiskSnapshot snapshot) {

    static final JsonProvider JSON = JsonProvider.provider();

    /** How long the bytes of a canvas that is not valid JSON must stay the same before it counts as broken. */
    private static final Duration UNCHANGED_FOR = Duration.ofMillis(100);

    /** How long a save in progress is waited for at most, however often it changes. */
    private static final Duration SAVE_AT_MOST = Duration.ofSeconds(2);

    private static final Duration SAVE_POLL = Duration.ofMillis(5);

    /** Reads a canvas in its folder held open for the read ({@link CanvasFolder}). */
    static CanvasFile read(VaultPaths paths, VaultFile file, long maxBytes) {
        try (CanvasFolder folder = DiskSnapshot.hold(paths, file, path -> {})) {
            return read(folder, file, maxBytes);
        } catch (java.io.IOException e) {
            // closing a folder only read in
            throw new VaultException(
                    org.canvasbatch.application.port.out.VaultException.Reason.IO,
                    file.relative(),
                    "Cannot read the canvas '" + file.relative() + "': " + DiskProblem.describe(e) + ".",
                    e);
        }
    }

    /** Reads a canvas in its folder held open, by the caller. */
    static CanvasFile read(CanvasFolder folder, VaultFile file, long maxBytes) {
        return parse(file, DiskSnapshot.read(folder, file, maxBytes));
    }

    /**
     * As {@link #read}, for a canvas an editor may be saving this very moment: one that truncates and rewrites the file
     * (as Obsidian does) leaves it empty or half written for a moment, so a canvas that is not valid is read again until
     * it is, or until its bytes have not changed for {@link #UNCHANGED_FOR} (it is broken as it is, and says so).
     */
    static CanvasFile readAfterASaveInProgress(VaultPaths paths, VaultFile file, long maxBytes) {
        try (CanvasFolder folder = DiskSnapshot.hold(paths, file, path -> {})) {
            return readAfterASaveInProgress(folder, file, maxBytes);
        } catch (java.io.IOException e) {
            throw new VaultException(
                    org.canvasbatch.application.port.out.VaultException.Reason.IO,
                    file.relative(),
                    "Cannot read the canvas '" + file.relative() + "': " + DiskProblem.describe(e) + ".",
                    e);
        }
    }

    private static CanvasFile readAfterASaveInProgress(CanvasFolder folder, VaultFile file, long maxBytes) {
        long deadline = System.nanoTime() + SAVE_AT_MOST.toNanos();
        byte[] invalid = null;
        long invalidSince = 0;
        while (true) {
            DiskSnapshot snapshot = DiskSnapshot.read(folder, file, maxBytes);
            try {
                return parse(file, snapshot);
            } catch (VaultException e) {
                long now = System.nanoTime();
                if (invalid == null || !Arrays.equals(invalid, snapshot.bytes())) {
                    invalid = snapshot.bytes();
                    invalidSince = now;
                }
                if (e.reason() != INVALID_CANVAS || now - invalidSince >= UNCHANGED_FOR.toNanos() || now > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(SAVE_POLL.toNanos());
            }
        }
    }

    static CanvasFile parse(VaultFile file, DiskSnapshot snapshot) {
        String path = file.relative();
        JsonValue parsed;
        String text;
        try {
            text = CanvasJson.decode(snapshot.bytes());
            if (text.isBlank()) {
                throw invalid(path, "The canvas '" + path + "' is empty.");
            }
            parsed = CanvasJson.parse(text);
        } catch (CanvasJson.Refusal refusal) {
            throw invalid(path, "The canvas '" + path + "' " + refusal.getMessage() + ".");
        }
        if (!(parsed instanceof JsonObject root)) {
            throw invalid(
                    path,
                    "The canvas '" + path + "' is not a JSON Canvas: its top level is " + kind(parsed)
                            + ", not an object.");
        }
        requireListOrAbsent(path, root, "nodes");
        requireListOrAbsent(path, root, "edges");
        return new CanvasFile(file, root, text.endsWith("\n"), snapshot);
    }

    JsonArray nodes() {
        return root.containsKey("nodes") ? root.getJsonArray("nodes") : JsonValue.EMPTY_JSON_ARRAY;
    }

    JsonArray edges() {
        return root.containsKey("edges") ? root.getJsonArray("edges") : JsonValue.EMPTY_JSON_ARRAY;
    }

    String path() {
        return file.relative();
    }

    private static void requireListOrAbsent(String path, JsonObject root, String field) {
        JsonValue value = root.get(field);
        if (value != null && value.getValueType() != JsonValue.ValueType.ARRAY) {
            throw invalid(
                    path,
                    "The canvas '" + path + "' is not a JSON Canvas: \"" + field + "\" is " + kind(value)
                            + ", not a list.");
        }
    }

    static String kind(JsonValue value) {
        return switch (value.getValueType()) {
            case OBJECT -> "an object";
            case ARRAY -> "a list";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case TRUE, FALSE -> "a boolean";
            case NULL -> "null";
        };
    }

    static VaultException invalid(String path, String message) {
        return new VaultException(INVALID_CANVAS, path, message);
    }

    static VaultException tooLarge(String path, long size, long maxBytes) {
        return new VaultException(
                TOO_LARGE,
                path,
                "The canvas '" + path + "' is " + mebibytes(size) + ", more than the limit of " + mebibytes(maxBytes)
                        + ".");
    }

    private static String mebibytes(long bytes) {
        if (bytes < 1024 * 1024) {
            return bytes + " bytes";
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
