package org.canvasbatch.adapters.journal;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Another process that looks at a data folder as a dry run does, stalled: it holds the shared lock on the lock file's
 * byte for as long as it is told, says {@code looking} once it holds it, and makes the file {@code args[2]} just before
 * it lets go.
 */
public final class SharedLookHolder {

    private SharedLookHolder() {}

    public static void main(String[] args) throws Exception {
        try (FileChannel channel =
                FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            var lock = channel.tryLock(Long.MAX_VALUE - 1, 1, true);
            System.out.println(lock == null ? "refused" : "looking");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[1]));
            java.nio.file.Files.createFile(Path.of(args[2]));
        }
    }
}
