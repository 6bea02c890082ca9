package org.canvasbatch.adapters.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * How the journal opens files: the seam where tests put a channel that fails like a full or broken disk (no root, no
 * small file system needed). Production uses {@link #DEFAULT}.
 */
@FunctionalInterface
public interface ChannelOpener {

    ChannelOpener DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
}
