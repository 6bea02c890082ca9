package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.canvasbatch.adapters.http.ws.PluginWindowMemory.Kept;
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
        new PluginWindowsFile(data).keep(new Kept(List.of(window), List.of()));

        assertThat(new PluginWindowsFile(data).recall().windows()).containsExactly(window);
    }

    @Test
    void theSessionsThePluginCancelledItselfAreKeptWithThePositions() {
        new PluginWindowsFile(data).keep(new Kept(List.of(window), List.of("s-1", "s-2")));

        Kept recalled = new PluginWindowsFile(data).recall();
        assertThat(recalled.windows()).containsExactly(window);
        assertThat(recalled.cancelledByPlugin()).containsExactly("s-1", "s-2");
    }

    @Test
    void aFileOfAnEarlierVersionStillGivesItsPositions() throws IOException {
        Files.writeString(
                data.resolve(PluginWindowsFile.NAME),
                "[{\"session\":\"s-1\",\"address\":\"127.0.0.1\",\"origin\":\"app://obsidian.md\",\"seq\":42}]");

        Kept recalled = new PluginWindowsFile(data).recall();
        assertThat(recalled.windows()).containsExactly(window);
        assertThat(recalled.cancelledByPlugin()).isEmpty();
    }

    @Test
    void malformedCancelledSessionsAreLeftOutAndTheRestKept() throws IOException {
        Files.writeString(
                data.resolve(PluginWindowsFile.NAME),
                "{\"windows\":[],\"cancelled_by_plugin\":[\"s-1\",\"../../etc\",7,null,{\"id\":\"s-2\"},\""
                        + "x".repeat(300) + "\",\"s-3\"]}");

        assertThat(new PluginWindowsFile(data).recall().cancelledByPlugin()).containsExactly("s-1", "s-3");
    }

    @Test
    void cancelledSessionsThatAreNotAListAreIgnoredWithTheWholeFile() throws IOException {
        Files.writeString(
                data.resolve(PluginWindowsFile.NAME),
                "{\"windows\":[{\"session\":\"s-1\",\"address\":\"127.0.0.1\",\"origin\":\"app://obsidian.md\","
                        + "\"seq\":42}],\"cancelled_by_plugin\":\"s-1\"}");

        Kept recalled = new PluginWindowsFile(data).recall();
        assertThat(recalled.windows()).isEmpty();
        assertThat(recalled.cancelledByPlugin()).isEmpty();
    }

    @Test
    void nothingKeptIsNothingRecalled() {
        assertThat(new PluginWindowsFile(data).recall().windows()).isEmpty();
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

        assertThat(new PluginWindowsFile(data).recall().windows()).containsExactly(window);
    }

    @Test
    void aFileThatIsNotAListIsIgnored() throws IOException {
        Files.writeString(data.resolve(PluginWindowsFile.NAME), "\"s-1\"");
        assertThat(new PluginWindowsFile(data).recall().windows()).isEmpty();
        Files.writeString(data.resolve(PluginWindowsFile.NAME), "[{\"session\":");
        assertThat(new PluginWindowsFile(data).recall().windows()).isEmpty();
    }

    @Test
    void anOversizedFileIsIgnored() throws IOException {
        Files.write(data.resolve(PluginWindowsFile.NAME), new byte[3 * 1024 * 1024]);
        assertThat(new PluginWindowsFile(data).recall().windows()).isEmpty();
    }

    @Test
    void aLinkInThePlaceOfTheFileIsNotFollowed(@TempDir Path elsewhere) throws IOException {
        Path planted = elsewhere.resolve("positions.json");
        Files.writeString(
                planted,
                "[{\"session\":\"s-1\",\"address\":\"127.0.0.1\",\"origin\":\"app://obsidian.md\",\"seq\":42}]");
        Files.createSymbolicLink(data.resolve(PluginWindowsFile.NAME), planted);

        assertThat(new PluginWindowsFile(data).recall().windows())
                .as("read through the link")
                .isEmpty();
    }

    @Test
    void aLinkAtTheTemporaryNameIsNotWrittenThrough(@TempDir Path elsewhere) throws IOException {
        Path victim = elsewhere.resolve("learner-note.md");
        Files.writeString(victim, "my own words");
        Files.createSymbolicLink(data.resolve(".plugin-windows.json.tmp"), victim);

        new PluginWindowsFile(data).keep(new Kept(List.of(window), List.of()));

        assertThat(Files.readString(victim, StandardCharsets.UTF_8)).isEqualTo("my own words");
        assertThat(new PluginWindowsFile(data).recall().windows())
                .as("nothing kept")
                .isEmpty();
    }

    @Test
    void aPipeInThePlaceOfTheFileIsSkippedWithoutWaitingForAWriter() throws Exception {
        Path pipe = data.resolve(PluginWindowsFile.NAME);
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();

        assertThat(new PluginWindowsFile(data).recall().windows()).isEmpty();
    }
}
