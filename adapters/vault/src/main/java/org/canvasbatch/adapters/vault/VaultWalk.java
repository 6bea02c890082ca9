package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One look at every note and canvas of the vault: their paths and states, nothing read. What the learner keeps out of
 * sight stays out: hidden files and folders ({@code .obsidian}, {@code .trash}, {@code .canvas-batch}, {@code .git}).
 * Symbolic links are never followed, to a file or a folder, and only regular files count; a note larger than the limit
 * is left out before it is opened.
 *
 * @param files   by vault-relative path
 * @param refused how many files of a searched kind were left out (links, special files, too large)
 * @param cut     whether the walk stopped at {@code maxFiles}
 */
record VaultWalk(Map<String, Found> files, int refused, boolean cut) {

    enum Kind {
        NOTE,
        CANVAS
    }

    record Found(String path, Kind kind, FileState state) {}

    /** Deeper than any vault a person organises; a loop of folders is impossible without links, which are not followed. */
    private static final int MAX_DEPTH = 64;

    static VaultWalk of(Path realRoot, long maxNoteBytes, int maxFiles) throws IOException {
        Map<String, Found> files = new HashMap<>();
        int[] refused = {0};
        boolean[] cut = {false};
        Files.walkFileTree(realRoot, EnumSet.noneOf(FileVisitOption.class), MAX_DEPTH, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                return !dir.equals(realRoot) && hidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                Kind kind = kindOf(file);
                if (kind == null || hidden(file)) {
                    return FileVisitResult.CONTINUE;
                }
                if (!attributes.isRegularFile() || (kind == Kind.NOTE && attributes.size() > maxNoteBytes)) {
                    refused[0]++;
                    return FileVisitResult.CONTINUE;
                }
                if (files.size() == maxFiles) {
                    cut[0] = true;
                    return FileVisitResult.TERMINATE;
                }
                String path = relative(realRoot, file);
                files.put(
                        path,
                        new Found(
                                path,
                                kind,
                                new FileState(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime())));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // a folder or file that cannot be read (permissions, gone meanwhile) is simply not searched
                return FileVisitResult.CONTINUE;
            }
        });
        return new VaultWalk(Map.copyOf(files), refused[0], cut[0]);
    }

    private static boolean hidden(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    private static Kind kindOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".md")) {
            return Kind.NOTE;
        }
        return name.endsWith(".canvas") ? Kind.CANVAS : null;
    }

    private static String relative(Path root, Path file) {
        StringBuilder path = new StringBuilder();
        for (Path part : root.relativize(file)) {
            if (!path.isEmpty()) {
                path.append('/');
            }
            path.append(part);
        }
        return path.toString();
    }
}
