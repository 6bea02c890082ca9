package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.canvasbatch.adapters.http.ws.PluginWindowMemory.Kept;
import org.canvasbatch.adapters.http.ws.PluginWindowMemory.WindowPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin windows' positions in the data folder: kept across processes, and never trusted blindly. */
class PluginWindowsFileTest {

    /** The one name every keep used to write first, so anyone able to write the data folder could plant there. */
    private static final String OLD_TEMPORARY_NAME = ".plugin-windows.json.tmp";

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

    /**
     * The JSON reader refuses input nested deeper than 1 000 levels, or a number of more than 1 100 characters, with
     * exceptions that are not {@code JsonException}s: they escaped {@code recall()}, which the WebSocket channel calls
     * as it is made, so a file of a few kilobytes in the data folder stopped the server from starting at all.
     */
    @Test
    void aFileNestedTooDeeplyOrWithAnOverlongNumberIsIgnoredAndTheServerStillStarts() throws IOException {
        List<String> hostile = List.of(
                "[".repeat(5_000),
                "{\"windows\":" + "[".repeat(2_000) + "]".repeat(2_000) + "}",
                "[{\"session\":\"s-1\",\"address\":\"127.0.0.1\",\"origin\":\"app://obsidian.md\",\"seq\":4"
                        + "0".repeat(2_000) + "}]",
                "{\"windows\":[],\"cancelled_by_plugin\":[\"s-1\"],\"padding\":1." + "0".repeat(2_000) + "}");
        for (String bytes : hostile) {
            Files.writeString(data.resolve(PluginWindowsFile.NAME), bytes);

            Kept recalled = new PluginWindowsFile(data).recall();

            assertThat(recalled.windows()).isEmpty();
        }
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
    void aLinkPlantedAtTheOldTemporaryNameIsNeitherWrittenThroughNorInTheWayOfKeeping(@TempDir Path elsewhere)
            throws IOException {
        Path victim = elsewhere.resolve("learner-note.md");
        Files.writeString(victim, "my own words");
        Path planted = Files.createSymbolicLink(data.resolve(OLD_TEMPORARY_NAME), victim);

        new PluginWindowsFile(data).keep(new Kept(List.of(window), List.of()));

        assertThat(Files.readString(victim, StandardCharsets.UTF_8)).isEqualTo("my own words");
        assertThat(planted).as("left as it was").isSymbolicLink();
        assertThat(new PluginWindowsFile(data).recall().windows())
                .as("kept all the same")
                .containsExactly(window);
    }

    @Test
    void aPipePlantedAtTheOldTemporaryNameNeitherBlocksKeepingNorLosesThePositions() throws Exception {
        PluginWindowsFile windows = new PluginWindowsFile(data);
        windows.keep(new Kept(List.of(window), List.of()));
        Path pipe = mkfifo(data.resolve(OLD_TEMPORARY_NAME));

        // an open for writing of a pipe waits for a reader: keeping must never open one
        WindowPosition later = new WindowPosition("s-1", "127.0.0.1", "app://obsidian.md", 43);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> windows.keep(new Kept(List.of(later), List.of())));

        assertThat(new PluginWindowsFile(data).recall().windows()).containsExactly(later);
        assertThat(Files.readAttributes(pipe, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .isOther())
                .as("still the pipe it was")
                .isTrue();
    }

    @Test
    void aPipeInThePlaceOfTheFileIsSkippedWithoutWaitingForAWriter() throws Exception {
        mkfifo(data.resolve(PluginWindowsFile.NAME));

        assertThat(new PluginWindowsFile(data).recall().windows()).isEmpty();
    }

    @Test
    void aTemporaryFileAKilledKeepLeftIsDeletedAtTheNextStartOnceItIsFiveMinutesOldByTheClock() throws IOException {
        Instant now = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        Path ofAKilledKeep = plantedAt(".canvas-batch-0123456789abcdef.tmp", now.minus(Duration.ofMinutes(6)));
        // perhaps another live process's keep, in the middle of its write
        Path perhapsBeingWritten = plantedAt(".canvas-batch-fedcba9876543210.tmp", now.minus(Duration.ofMinutes(2)));

        new PluginWindowsFile(data, Clock.fixed(now, ZoneOffset.UTC));

        assertThat(ofAKilledKeep).doesNotExist();
        assertThat(perhapsBeingWritten).hasContent("half a keep");
    }

    @Test
    void theStartDeletesNoLinkOfATemporaryFilesNameNorWhatItPointsAtNorAnythingElseInTheDataFolder(
            @TempDir Path elsewhere) throws IOException {
        Instant now = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        Instant old = now.minus(Duration.ofMinutes(30));
        Path theirs = Files.writeString(elsewhere.resolve(".canvas-batch-00112233445566ff.tmp"), "not ours");
        Files.setLastModifiedTime(theirs, FileTime.from(old));
        // made now, so an hour old by the clock: only its being a link keeps it
        Path link = Files.createSymbolicLink(data.resolve(".canvas-batch-00112233445566ff.tmp"), theirs);
        Path[] notOurNames = {
            plantedAt(".canvas-batch-notes.tmp", old),
            plantedAt("canvas-batch-0123456789abcdef.tmp", old),
            plantedAt(".canvas-batch-0123456789ABCDEF.tmp", old),
            plantedAt(".canvas-batch-0123456789abcdef.tmp.json", old),
            plantedAt(OLD_TEMPORARY_NAME, old),
        };
        Path inAFolderInside = plantedAt("sessions/.canvas-batch-0123456789abcdef.tmp", old);

        new PluginWindowsFile(data, Clock.fixed(now, ZoneOffset.UTC));

        assertThat(link).isSymbolicLink();
        assertThat(theirs).hasContent("not ours");
        for (Path kept : notOurNames) {
            assertThat(kept).as(kept.toString()).hasContent("half a keep");
        }
        assertThat(inAFolderInside)
                .as("no folder in the data folder is entered")
                .hasContent("half a keep");
    }

    private Path plantedAt(String name, Instant modified) throws IOException {
        Path file = data.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "half a keep");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    private static Path mkfifo(Path pipe) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();
        return pipe;
    }
}
