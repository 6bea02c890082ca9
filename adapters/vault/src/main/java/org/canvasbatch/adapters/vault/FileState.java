package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * Which file a path held and how it looked: its identity (device and inode where the system has them), size and
 * modification time. A save by another program changes at least one of them: a save by rename brings another file,
 * a save in place another time or size.
 */
record FileState(Object identity, long size, FileTime modified) {

    static FileState of(Path path) throws IOException {
        return of(Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    }

    static FileState of(BasicFileAttributes attributes) {
        return new FileState(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime());
    }
}
