package org.canvasbatch.bootstrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.canvasbatch.fixtures.FixtureVault;

/** Vaults for the tests: the fixture vault (from the test-fixtures jar) and the repository's example vault. */
final class Fixtures {

    private Fixtures() {}

    /** A writable copy of the fixture vault in {@code to}. */
    static Path fixtureVaultIn(Path to) {
        return FixtureVault.copyTo(to);
    }

    /** The repository's example vault ({@code examples/vault}); the tests run in the module folder, one below the root. */
    static Path exampleVault() {
        Path vault = Path.of("").toAbsolutePath().getParent().resolve("examples/vault");
        if (!Files.isDirectory(vault)) {
            throw new IllegalStateException(vault + " is missing: the tests run from the bootstrap module's folder");
        }
        return vault;
    }

    static Path copy(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path destination = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination);
                }
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
