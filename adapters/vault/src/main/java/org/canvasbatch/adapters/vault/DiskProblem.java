package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Says in words what went wrong on the disk. The JDK's own messages are mostly the absolute path, which tells the
 * learner nothing they can act on and shows where the server keeps the vault.
 */
final class DiskProblem {

    private DiskProblem() {}

    static String describe(IOException e) {
        return switch (e) {
            case AccessDeniedException denied -> "permission denied";
            case FileAlreadyExistsException exists -> "a file is in the way where a folder should be";
            case NotDirectoryException notDir -> "a file is in the way where a folder should be";
            case NoSuchFileException missing -> "a folder on the way does not exist";
            case FileSystemException other when other.getReason() != null -> other.getReason();
            default ->
                e.getClass()
                        .getSimpleName()
                        .replaceAll("(?<=[a-z])(?=[A-Z])", " ")
                        .toLowerCase();
        };
    }
}
