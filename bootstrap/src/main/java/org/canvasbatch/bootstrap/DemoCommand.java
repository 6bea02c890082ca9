package org.canvasbatch.bootstrap;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code canvas-batch demo}: copies the bundled example vault to a fresh {@code demo-vault/} folder (so the examples
 * stay pristine) and runs every canvas in it with the offline agent.
 */
final class DemoCommand {

    /** What the last demo left in demo-vault/: a later demo replaces the folder only if nothing else changed it. */
    private static final String MANIFEST = ".canvas-batch-demo";
    /**
     * Obsidian's own folder in a vault: written as soon as the vault is opened (the README's next step), the plugin
     * installed into it. Not the learner's writing, and kept when the demo renews the vault.
     */
    private static final String OBSIDIAN_SETTINGS = ".obsidian";

    /**
     * Held while a demo prepares and runs demo-vault/: a second demo at once took the first's half-written vault for the
     * learner's changes, moved it aside under the first's feet and made both fail.
     */
    private static final String LOCK = ".demo-vault.lock";

    private DemoCommand() {}

    /** The demo's lock, taken or refused in one sentence naming the demo that holds it. */
    private static final class DemoLock implements AutoCloseable {
        private final java.nio.channels.FileChannel channel;

        private DemoLock(java.nio.channels.FileChannel channel) {
            this.channel = channel;
        }

        static DemoLock take(Path file) throws IOException {
            java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(
                    file,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            java.nio.channels.FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException inThisProcess) {
                lock = null;
            } catch (IOException noLocksHere) {
                // a file system without locks: demos at once are the learner's to avoid, as before
                return new DemoLock(channel);
            }
            if (lock == null) {
                java.nio.ByteBuffer owner = java.nio.ByteBuffer.allocate(20);
                channel.read(owner, 0);
                channel.close();
                String pid = new String(owner.array(), 0, owner.position(), java.nio.charset.StandardCharsets.US_ASCII)
                        .strip();
                throw new UsageException("another demo is running"
                        + (pid.matches("[0-9]{1,19}") ? " (process " + pid + ")" : "")
                        + " and writing demo-vault/: wait for it to finish, then run demo again");
            }
            channel.truncate(0);
            channel.write(
                    java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                    0);
            return new DemoLock(channel);
        }

        /**
         * Let go, and the file left (it is in .gitignore): deleting it would let a demo that opened it meanwhile lock
         * the deleted file while a third locks a new one, and run beside it.
         */
        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    static int execute(List<String> args, PrintStream out, PrintStream err) {
        Path home = Path.of(System.getProperty("canvasbatch.home", "."))
                .toAbsolutePath()
                .normalize();
        Path examples = home.resolve("examples/vault");
        if (!Files.isDirectory(examples)) {
            throw new UsageException("the example vault is missing: expected it at " + examples);
        }
        checkArguments(args);
        Path target = home.resolve("demo-vault");
        try (DemoLock held = DemoLock.take(home.resolve(LOCK))) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                if (asTheDemoLeftIt(target)) {
                    deleteAllBut(target, OBSIDIAN_SETTINGS);
                } else {
                    // the README sends the learner to open demo-vault/ in Obsidian: what they wrote there is theirs
                    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
                    Path kept = home.resolve("demo-vault-kept-" + stamp);
                    // two demos within a second: the next free name, never over what is kept already
                    for (int n = 2; Files.exists(kept, LinkOption.NOFOLLOW_LINKS); n++) {
                        kept = home.resolve("demo-vault-kept-" + stamp + "-" + n);
                    }
                    Files.move(target, kept);
                    out.println("demo-vault/ was changed since the last demo: moved it to " + kept.getFileName()
                            + "/ and made a fresh one");
                    // Obsidian's settings and the plugin installed there are not the change: the fresh vault keeps them
                    Path settings = kept.resolve(OBSIDIAN_SETTINGS);
                    if (Files.isDirectory(settings, LinkOption.NOFOLLOW_LINKS)) {
                        copyRecursively(settings, target.resolve(OBSIDIAN_SETTINGS));
                    }
                }
            }
            copyRecursively(examples, target);
            List<Path> canvases;
            try (Stream<Path> files = Files.walk(target)) {
                canvases = files.filter(p -> p.toString().endsWith(".canvas"))
                        .sorted()
                        .toList();
            }
            int worst = 0;
            try {
                for (Path canvas : canvases) {
                    out.println();
                    List<String> runArgs = new ArrayList<>(
                            List.of(canvas.toString(), "--vault", target.toString(), "--data", "memory"));
                    runArgs.addAll(args);
                    worst = Math.max(worst, new RunCommand(out, err, System.getenv()).execute(runArgs));
                }
            } finally {
                // also after a run refused: the next demo must not take what this one wrote for the learner's changes
                Files.write(target.resolve(MANIFEST), listing(target));
            }
            out.println();
            out.println("The notes and the updated canvases are in " + target);
            return worst;
        } catch (IOException e) {
            throw cannotPrepare(target, e);
        } catch (java.io.UncheckedIOException e) {
            // Files.walk reports a folder it cannot read this way
            throw cannotPrepare(target, e.getCause());
        }
    }

    /**
     * Refuses, before demo-vault/ is touched, what would make every run of the demo fail: a canvas of the learner's
     * (that is what run is for), a vault of their own, a wrong setting.
     */
    private static void checkArguments(List<String> args) {
        Arguments given = Arguments.parse(CanvasBatchConfig.Command.RUN, args);
        if (!given.positional().isEmpty()) {
            throw new UsageException("demo takes no canvas: it runs the example vault's canvases; for '"
                    + given.positional().getFirst() + "' use canvas-batch run");
        }
        if (given.settings().containsKey(SettingsTable.VAULT.key())) {
            throw new UsageException("demo takes no --vault: it writes into demo-vault/; for your own vault use"
                    + " canvas-batch run CANVAS --vault VAULT");
        }
        CanvasBatchConfig.load(
                CanvasBatchConfig.Command.RUN,
                given.settings(),
                Optional.of(given.get(SettingsTable.CONFIG))
                        .filter(file -> !file.isEmpty())
                        .map(Path::of),
                System.getenv(),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    /** One line, not a stack trace: a clone the learner cannot write to (installed by root), a full disk ... */
    private static UsageException cannotPrepare(Path target, IOException e) {
        return new UsageException("could not prepare the demo vault at " + target + ": "
                + (e instanceof AccessDeniedException ? "permission denied on " + e.getMessage() : e.toString()));
    }

    /** Whether the folder holds exactly what the last demo left there, by its listing of names, sizes and times. */
    private static boolean asTheDemoLeftIt(Path demoVault) throws IOException {
        Path manifest = demoVault.resolve(MANIFEST);
        return Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)
                && Files.readAllLines(manifest).equals(listing(demoVault));
    }

    private static List<String> listing(Path demoVault) throws IOException {
        try (Stream<Path> paths = Files.walk(demoVault)) {
            List<String> lines = new ArrayList<>();
            for (Path path : (Iterable<Path>) paths.sorted()::iterator) {
                Path relative = demoVault.relativize(path);
                if (path.getFileName().toString().equals(MANIFEST) || relative.startsWith(OBSIDIAN_SETTINGS)) {
                    continue;
                }
                BasicFileAttributes attributes =
                        Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                lines.add(relative + "\t" + (attributes.isDirectory() ? "dir" : attributes.size())
                        + "\t"
                        + (attributes.isDirectory()
                                ? ""
                                : attributes.lastModifiedTime().toMillis()));
            }
            return lines;
        }
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path destination = to.resolve(from.relativize(source).toString());
                // a link is copied as a link (a plugin installed by one stays installed): what it points to is
                // neither read nor copied
                if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    /** Deletes what {@code dir} holds but its entry {@code kept}. */
    private static void deleteAllBut(Path dir, String kept) throws IOException {
        List<Path> entries;
        try (Stream<Path> children = Files.list(dir)) {
            entries = children.filter(child -> !child.getFileName().toString().equals(kept))
                    .toList();
        }
        for (Path entry : entries) {
            deleteRecursively(entry);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
