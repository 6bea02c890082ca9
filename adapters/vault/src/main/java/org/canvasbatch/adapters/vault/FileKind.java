package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a path is, in words, for refusing anything but a regular file: opening a named pipe blocks until someone
 * writes into it, and a device can be read forever, so neither is ever opened.
 */
final class FileKind {

    private static final int TYPE_MASK = 0170000;
    private static final int FIFO = 0010000;
    private static final int CHARACTER_DEVICE = 0020000;
    private static final int BLOCK_DEVICE = 0060000;
    private static final int SOCKET = 0140000;

    private FileKind() {}

    /** "a folder", "a named pipe (FIFO)", "a device", "a socket", "a symbolic link" or "not a regular file". */
    static String describe(Path path, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a folder";
        }
        if (attributes.isSymbolicLink()) {
            return "a symbolic link";
        }
        if (attributes.isRegularFile()) {
            // where a folder was to be entered: "not a regular file" would say the opposite of what is there
            return "a file";
        }
        try {
            if (Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) instanceof Integer mode) {
                switch (mode & TYPE_MASK) {
                    case FIFO -> {
                        return "a named pipe (FIFO)";
                    }
                    case CHARACTER_DEVICE, BLOCK_DEVICE -> {
                        return "a device";
                    }
                    case SOCKET -> {
                        return "a socket";
                    }
                    default -> {}
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // Not a POSIX file system: the general words below will do.
        }
        return "not a regular file";
    }
}
