package org.canvasbatch.application.port.in;

import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;

/** The rules a {@code canvas_path} must follow before anything touches the vault (CONTRACT §1, §6). */
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
        }
        if (!path.endsWith(".canvas")) {
            errors.add(new FieldError(field, "must end with .canvas"));
        }
        String slashes = path.replace('\\', '/');
        if (slashes.startsWith("/") || slashes.matches("^[A-Za-z]:.*")) {
            errors.add(new FieldError(field, "must be relative to the vault, not an absolute path"));
        }
        for (String segment : slashes.split("/")) {
            if (segment.equals("..")) {
                errors.add(new FieldError(field, "must not contain a '..' segment"));
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
}
