package org.canvasbatch.application.port.in;

import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;

/**
 * The rules a {@code canvas_path} must follow before anything touches the vault (CONTRACT §1, §6), for every caller:
 * the HTTP API and the command line alike.
 *
 * <p>Besides the shape of a vault-relative {@code .canvas} path: no hidden segment (anything starting with a dot, above
 * all {@code .obsidian/}, Obsidian's own settings, plugins and themes, where a batch's notes folder would otherwise be
 * created), and no control or text-direction characters, which would end up in folder and note names (the notes folder
 * is named after the canvas) where a newline breaks YAML front matter and an RTL override makes a name read as another.
 */
public final class CanvasPaths {

    public static final int MAX_LENGTH = 500;

    private CanvasPaths() {}

    /** Problems with {@code path}, empty when it is a well-formed vault-relative canvas path. */
    public static List<FieldError> problems(String field, String path) {
        List<FieldError> errors = new ArrayList<>();
        if (path == null || path.isBlank()) {
            errors.add(new FieldError(field, "is required: the vault-relative path of a .canvas file"));
            return errors;
        }
        if (path.length() > MAX_LENGTH) {
            errors.add(new FieldError(field, "is " + path.length() + " characters long; the limit is " + MAX_LENGTH));
        }
        if (path.indexOf('\0') >= 0) {
            errors.add(new FieldError(field, "must not contain a NUL character"));
        } else {
            forbiddenCharacter(path).ifPresent(problem -> errors.add(new FieldError(field, problem)));
        }
        if (!path.endsWith(".canvas")) {
            errors.add(new FieldError(field, "must end with .canvas"));
        }
        String slashes = path.replace('\\', '/');
        boolean absolute = slashes.startsWith("/") || slashes.matches("^[A-Za-z]:.*");
        if (absolute) {
            errors.add(new FieldError(field, "must be relative to the vault, not an absolute path"));
        }
        // an absolute path's leading slash is said above: its "empty segment" before it would be a second, false reason
        for (String segment : (absolute ? slashes.replaceFirst("^/+", "") : slashes).split("/")) {
            if (segment.isEmpty()) {
                // Obsidian names every file by its one spelling: a note's link back to "a//b.canvas" opens nothing
                errors.add(new FieldError(field, "must not contain an empty segment ('//')"));
                break;
            }
            if (segment.equals("..")) {
                errors.add(new FieldError(field, "must not contain a '..' segment"));
                break;
            }
            if (segment.startsWith(".")) {
                errors.add(new FieldError(
                        field,
                        "must not lead into a hidden folder or file such as .obsidian (Obsidian's own settings), not '"
                                + visible(segment) + "'"));
                break;
            }
        }
        return errors;
    }

    public static void require(String field, String path) {
        List<FieldError> errors = problems(field, path);
        if (!errors.isEmpty()) {
            throw new InvalidCommandException(errors);
        }
    }

    /** Whether {@code c} is a control character (C0, DEL, C1) or one that changes the direction text is shown in. */
    public static boolean isForbidden(int c) {
        return c < 0x20
                || c >= 0x7f && c <= 0x9f
                || c == 0x061c // Arabic letter mark
                || c == 0x200e
                || c == 0x200f // left-to-right and right-to-left marks
                || c >= 0x202a && c <= 0x202e // embeddings and overrides
                || c >= 0x2066 && c <= 0x2069; // isolates
    }

    private static java.util.Optional<String> forbiddenCharacter(String path) {
        for (int i = 0; i < path.length(); ) {
            int c = path.codePointAt(i);
            if (Character.isSurrogate((char) c)) {
                return java.util.Optional.of("must be valid Unicode; it has a lone surrogate at position " + i);
            }
            if (isForbidden(c)) {
                return java.util.Optional.of(String.format(
                        "must not contain control or text-direction characters; it has U+%04X at position %d", c, i));
            }
            i += Character.charCount(c);
        }
        return java.util.Optional.empty();
    }

    /** A segment as it may appear in a message: its forbidden characters written as escapes, at most 60 of them. */
    private static String visible(String segment) {
        StringBuilder shown = new StringBuilder();
        segment.codePoints().limit(60).forEach(c -> {
            if (isForbidden(c) || Character.isSurrogate((char) c)) {
                shown.append(String.format("\\u%04X", c));
            } else {
                shown.appendCodePoint(c);
            }
        });
        return shown.toString();
    }
}
