package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** How the vault opens the files it writes; tests put a disk in its place that fills up or breaks. */
@FunctionalInterface
interface FileOpener {

    FileOpener DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;

    /**
     * A file of the vault at {@code path} that was opened relative to its folder held open ({@link HeldFolder}), as the
     * vault writes it: the same channel here, the same disk's for a test's disk, which may refuse it as {@link #open}
     * may (closing {@code channel} is then the caller's).
     */
    default SeekableByteChannel opened(Path path, SeekableByteChannel channel) throws IOException {
        return channel;
    }
}
