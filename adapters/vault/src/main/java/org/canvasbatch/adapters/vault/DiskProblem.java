package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.Locale;
import org.canvasbatch.application.port.out.VaultException.Reason;

/**
 * Says in words what went wrong on the disk. The JDK's own messages are mostly the absolute path, which tells the
 * learner nothing they can act on and shows where the server keeps the vault; the system's own reason ("no space
 * left on device") is what they need.
 */
final class DiskProblem {

    /** How Linux, macOS and Windows word a full disk or an exhausted quota. */
    private static final List<String> FULL = List.of(
            "no space left on device",
            "disk quota exceeded",
            "not enough space on the disk",
            "there is not enough space");

    private DiskProblem() {}

    static String describe(IOException e) {
        return switch (e) {
            case AccessDeniedException denied -> "permission denied";
            case FileAlreadyExistsException exists -> "a file is in the way where a folder should be";
            case NotDirectoryException notDir when notDir.getReason() != null -> sentence(notDir.getReason());
            case NotDirectoryException notDir -> "a file is in the way where a folder should be";
            case NoSuchFileException missing -> "a folder on the way does not exist";
            case FileSystemException other when other.getReason() != null -> sentence(other.getReason());
            case FileSystemException other -> words(other);
            default -> systemReason(e) == null ? words(e) : sentence(systemReason(e));
        };
    }

    /** {@code FULL} when the disk or the user's quota is full, else {@code IO}. */
    static Reason reason(IOException e) {
        String said = e instanceof FileSystemException fs ? fs.getReason() : systemReason(e);
        if (said != null) {
            String lower = said.toLowerCase(Locale.ROOT);
            if (FULL.stream().anyMatch(lower::contains)) {
                return Reason.FULL;
            }
        }
        return Reason.IO;
    }

    /** A plain IOException from a read or write carries the system's words ("No space left on device"), no path. */
    private static String systemReason(IOException e) {
        String message = e.getMessage();
        if (message == null || message.isBlank() || message.indexOf('/') >= 0 || message.indexOf('\\') >= 0) {
            return null;
        }
        return message.strip();
    }

    private static String sentence(String reason) {
        String text = reason.strip();
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        return text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }

    private static String words(IOException e) {
        return e.getClass()
                .getSimpleName()
                .replace("IOException", "input/output error")
                .replaceAll("(?<=[a-z])(?=[A-Z])", " ")
                .toLowerCase(Locale.ROOT);
    }
}
