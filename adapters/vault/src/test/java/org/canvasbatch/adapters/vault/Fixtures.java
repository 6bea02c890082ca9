package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The shared fixture vault ({@code <repo>/../shared/fixtures/vault}) and copies of it to write into. */
final class Fixtures {

    static final String DISCRETE_MATH = "数学/离散数学.canvas";
    static final String LINEAR_ALGEBRA = "数学/线性代数.canvas";
    static final String MIXED = "数学/mixed-node-types.canvas";
    static final String DATA_STRUCTURES = "CS/Data Structures.canvas";
    static final String EXAM_170 = "Exam Prep/期末复习-170.canvas";

    private Fixtures() {
    }

    static Path vault() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/fixtures/vault");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/fixtures/vault not found above " + Path.of("").toAbsolutePath());
    }

    /** Copies the whole fixture vault into {@code target}, writable (the fixtures themselves are read-only). */
    static Path copyVaultTo(Path target) {
        Path source = vault();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.write(copy, Files.readAllBytes(file));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
