package org.canvasbatch.adapters.vault;

import static org.canvasbatch.application.port.out.VaultException.Reason.INVALID_CANVAS;
import static org.canvasbatch.application.port.out.VaultException.Reason.IO;
import static org.canvasbatch.application.port.out.VaultException.Reason.NOT_FOUND;
import static org.canvasbatch.application.port.out.VaultException.Reason.TOO_LARGE;

import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import jakarta.json.stream.JsonParsingException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import org.canvasbatch.application.port.out.VaultException;

/**
 * A canvas file as JSON: read with a size limit and checked just enough to be a JSON Canvas (an object whose
 * {@code nodes} and {@code edges}, when present, are lists). Everything else in it is kept untouched, which is what
 * the write-back needs; {@link CanvasModel} does the stricter checks for reading.
 *
 * @param endsWithNewline whether the file ended with a line break, so a rewrite keeps it that way
 */
record CanvasFile(VaultFile file, JsonObject root, boolean endsWithNewline) {

    static final JsonProvider JSON = JsonProvider.provider();
    private static final JsonParserFactory PARSERS = JSON.createParserFactory(Map.of());

    static CanvasFile read(VaultFile file, long maxBytes) {
        String path = file.relative();
        byte[] bytes;
        try {
            if (Files.isDirectory(file.absolute())) {
                throw new VaultException(NOT_FOUND, path, "'" + path + "' is a folder, not a canvas.");
            }
            long size = Files.size(file.absolute());
            if (size > maxBytes) {
                throw tooLarge(path, size, maxBytes);
            }
            bytes = Files.readAllBytes(file.absolute());
        } catch (NoSuchFileException e) {
            throw new VaultException(NOT_FOUND, path, "The canvas '" + path + "' does not exist in the vault.");
        } catch (IOException e) {
            throw new VaultException(
                    IO, path, "Cannot read the canvas '" + path + "': " + DiskProblem.describe(e) + ".", e);
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(path, bytes.length, maxBytes);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.isBlank()) {
            throw invalid(path, "The canvas '" + path + "' is empty.");
        }
        JsonValue parsed;
        try (JsonParser parser = PARSERS.createParser(new StringReader(text))) {
            parser.next();
            parsed = parser.getValue();
            // Text after the value would make Obsidian refuse the file; hasNext() reports it as a parsing error.
            if (parser.hasNext()) {
                throw invalid(path, "The canvas '" + path + "' has more than one JSON value in it.");
            }
        } catch (JsonParsingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " near line " + at.getLineNumber() + ", column " + at.getColumnNumber();
            throw invalid(path, "The canvas '" + path + "' is not valid JSON" + where + ".");
        } catch (JsonException e) {
            throw invalid(path, "The canvas '" + path + "' is not valid JSON.");
        }
        if (!(parsed instanceof JsonObject root)) {
            throw invalid(
                    path,
                    "The canvas '" + path + "' is not a JSON Canvas: its top level is " + kind(parsed)
                            + ", not an object.");
        }
        requireListOrAbsent(path, root, "nodes");
        requireListOrAbsent(path, root, "edges");
        return new CanvasFile(file, root, text.endsWith("\n"));
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
