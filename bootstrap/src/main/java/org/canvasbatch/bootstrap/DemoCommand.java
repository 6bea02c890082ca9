package org.canvasbatch.bootstrap;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code canvas-batch demo}: copies the bundled example vault to a fresh {@code demo-vault/} folder (so the examples
 * stay pristine) and runs every canvas in it with the offline agent.
 */
final class DemoCommand {

    private DemoCommand() {}

    static int execute(List<String> args, PrintStream out, PrintStream err) {
        Path home = Path.of(System.getProperty("canvasbatch.home", "."))
                .toAbsolutePath()
                .normalize();
        Path examples = home.resolve("examples/vault");
        if (!Files.isDirectory(examples)) {
            throw new UsageException("the example vault is missing: expected it at " + examples);
        }
        Path target = home.resolve("demo-vault");
        try {
            deleteRecursively(target);
            copyRecursively(examples, target);
            List<Path> canvases;
            try (Stream<Path> files = Files.walk(target)) {
                canvases = files.filter(p -> p.toString().endsWith(".canvas"))
                        .sorted()
                        .toList();
            }
            int worst = 0;
            for (Path canvas : canvases) {
                out.println();
                List<String> runArgs =
                        new ArrayList<>(List.of(canvas.toString(), "--vault", target.toString(), "--data", "memory"));
                runArgs.addAll(args);
                worst = Math.max(worst, new RunCommand(out, err, System.getenv()).execute(runArgs));
            }
            out.println();
            out.println("The notes and the updated canvases are in " + target);
            return worst;
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the demo vault at " + target, e);
        }
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path destination = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination);
                }
            }
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
