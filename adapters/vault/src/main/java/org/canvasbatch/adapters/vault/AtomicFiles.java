package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Replaces a file so that a reader (Obsidian, a sync client) sees either the old or the new content, never half of
 * one: the bytes go to a temporary file in the same folder, which is then renamed over the target. The temporary
 * name starts with a dot so Obsidian does not index it, and is short so a long target name cannot make it too long.
 */
final class AtomicFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** @param durable force the bytes to the disk before the rename: for the user's canvas, not for notes */
    static void write(Path target, byte[] bytes, boolean durable) throws IOException {
        byte[] suffix = new byte[8];
        RANDOM.nextBytes(suffix);
        Path temporary = target.resolveSibling(".canvas-batch-" + HexFormat.of().formatHex(suffix) + ".tmp");
        try {
            try (FileChannel channel =
                    FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (durable) {
                    channel.force(true);
                }
            }
            keepPermissions(target, temporary);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** A replaced file keeps the permissions the user gave it. */
    private static void keepPermissions(Path target, Path temporary) {
        try {
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(target));
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system, or not ours to change: the default permissions will do.
        }
    }
}
