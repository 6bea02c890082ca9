package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** How the vault opens the files it writes; tests put a disk in its place that fills up or breaks. */
@FunctionalInterface
interface FileOpener {

    FileOpener DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
}
