package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.canvasbatch.adapters.http.ws.PluginWindowMemory.WindowPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin windows' positions in the data folder: kept across processes, and never trusted blindly. */
class PluginWindowsFileTest {

    @TempDir
    Path data;

    private final WindowPosition window = new WindowPosition("s-1", "127.0.0.1", "app://obsidian.md", 42);

    @Test
    void whatOneProcessKeepsTheNextRecalls() {
        new PluginWindowsFile(data).keep(List.of(window));

        assertThat(new PluginWindowsFile(data).recall()).containsExactly(window);
    }

    @Test
    void nothingKeptIsNothingRecalled() {
        assertThat(new PluginWindowsFile(data).recall()).isEmpty();
    }

    @Test
    void malformedEntriesAreLeftOutAndTheRestKept() throws IOException {
        Files.writeString(
                data.resolve(PluginWindowsFile.NAME),
                "[{\"session\":\"s-1\",\"address\":\"127.0.0.1\",\"origin\":\"app://obsidian.md\",\"seq\":42},"
                        + "{\"session\":\"../../etc\",\"address\":\"a\",\"origin\":\"o\",\"seq\":1},"
                        + "{\"session\":\"s-2\",\"address\":\"a\",\"origin\":\"o\",\"seq\":-5},"
                        + "{\"session\":\"s-3\",\"address\":\"a\",\"origin\":\"o\",\"seq\":1e400},"
                        + "{\"session\":\"s-4\",\"address\":7,\"origin\":\"o\",\"seq\":1},"
                        + "\"s-5\"]");

        assertThat(new PluginWindowsFile(data).recall()).containsExactly(window);
    }

    @Test
    void aFileThatIsNotAListIsIgnored() throws IOException {
        Files.writeString(data.resolve(PluginWindowsFile.NAME), "{\"session\":\"s-1\"}");
        assertThat(new PluginWindowsFile(data).recall()).isEmpty();
        Files.writeString(data.resolve(PluginWindowsFile.NAME), "[{\"session\":");
        assertThat(new PluginWindowsFile(data).recall()).isEmpty();
    }

    @Test
    void anOversizedFileIsIgnored() throws IOException {
        Files.write(data.resolve(PluginWindowsFile.NAME), new byte[3 * 1024 * 1024]);
        assertThat(new PluginWindowsFile(data).recall()).isEmpty();
    }

    @Test
    void aLinkInThePlaceOfTheFileIsNotFollowed(@TempDir Path elsewhere) throws IOException {
        Path planted = elsewhere.resolve("positions.json");
        Files.writeString(
                planted,
                "[{\"session\":\"s-1\",\"address\":\"127.0.0.1\",\"origin\":\"app://obsidian.md\",\"seq\":42}]");
        Files.createSymbolicLink(data.resolve(PluginWindowsFile.NAME), planted);

        assertThat(new PluginWindowsFile(data).recall())
                .as("read through the link")
                .isEmpty();
    }

    @Test
    void aLinkAtTheTemporaryNameIsNotWrittenThrough(@TempDir Path elsewhere) throws IOException {
        Path victim = elsewhere.resolve("learner-note.md");
        Files.writeString(victim, "my own words");
        Files.createSymbolicLink(data.resolve(".plugin-windows.json.tmp"), victim);

        new PluginWindowsFile(data).keep(List.of(window));

        assertThat(Files.readString(victim, StandardCharsets.UTF_8)).isEqualTo("my own words");
        assertThat(new PluginWindowsFile(data).recall()).as("nothing kept").isEmpty();
    }

    @Test
    void aPipeInThePlaceOfTheFileIsSkippedWithoutWaitingForAWriter() throws Exception {
        Path pipe = data.resolve(PluginWindowsFile.NAME);
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();

        assertThat(new PluginWindowsFile(data).recall()).isEmpty();
    }
}
