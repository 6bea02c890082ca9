package org.canvasbatch.adapters.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * How the journal opens files, and gives one a second name: the seam where tests put a channel that fails like a full
 * or broken disk, or a file system without hard links (no root, no small file system needed). Production uses
 * {@link #DEFAULT}.
 */
@FunctionalInterface
public interface ChannelOpener {

    ChannelOpener DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;

    /**
     * Gives the file named {@code existing} the new name {@code link} as well (a hard link: the same file, no byte
     * copied), as {@link Files#createLink}.
     *
     * @throws UnsupportedOperationException or {@link java.nio.file.FileSystemException} where the file system has no
     *     hard links
     */
    default void link(Path link, Path existing) throws IOException {
        Files.createLink(link, existing);
    }
}
