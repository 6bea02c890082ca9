package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Expected outputs kept as files under {@code src/test/resources}: a test compares what the code renders with the file,
 * byte for byte. Run the tests with {@code -Dgolden.update=true} to rewrite the files from the code instead (then read
 * the diff before committing it).
 */
final class GoldenFiles {

    private static final Path ROOT = Path.of("src", "test", "resources");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    private GoldenFiles() {}

    /** @param file the golden file, relative to {@code src/test/resources} */
    static void assertMatches(String file, String actual) throws IOException {
        Path golden = ROOT.resolve(file);
        if (UPDATE) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(golden)
                .as("golden file %s is missing: run the test with -Dgolden.update=true to write it", golden)
                .isRegularFile();
        assertThat(actual)
                .as("%s differs from what the code renders (after a deliberate change: -Dgolden.update=true)", golden)
                .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }
}
