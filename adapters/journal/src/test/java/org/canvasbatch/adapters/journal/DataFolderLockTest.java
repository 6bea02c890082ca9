package org.canvasbatch.adapters.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's hold on its data folder, beside what the other process sees (bootstrap's {@code DataFolderInUseTest}):
 * what a folder the hold cannot be taken in says (a read-only one: {@code FileJournalTest}), and that the hold goes when the last journal of this process on the
 * folder closes.
 */
class DataFolderLockTest {

    @TempDir
    Path data;

    @Test
    void onAFileSystemWithoutLocksTheJournalWorksAsBeforeAndSaysOnceThatNothingGuardsTheFolder() {
        FaultyDisk disk = new FaultyDisk();
        disk.locksUnsupported = true;
        try (CapturedLogs logs = CapturedLogs.of(DataFolderLock.class.getName());
                FileJournal journal = FileJournal.open(data, disk)) {
            journal.append(SampleEvents.history(new SessionId("s1"), 1));

            assertThat(journal.readAfter(new SessionId("s1"), 0, 10)).hasSize(1);
            assertThat(logs.visibleRecordsContaining("cannot lock"))
                    .singleElement()
                    .satisfies(record -> assertThat(record.getThrown()).isNull());
        }
    }

    @Test
    void aFolderPlantedWhereTheLockGoesIsNamedAndLeftAlone() throws Exception {
        Files.createDirectories(data.resolve(DataFolderLock.FILE).resolve("someone's"));

        assertThatThrownBy(() -> FileJournal.open(data))
                .isInstanceOf(EventLogException.class)
                .hasMessageContaining(data.resolve(DataFolderLock.FILE) + " is not a file the journal made")
                .hasMessageContaining("move it away");
        assertThat(data.resolve(DataFolderLock.FILE).resolve("someone's")).isDirectory();
    }

    @Test
    void aPipePlantedWhereTheLockGoesIsNamedAndNeverOpened() throws Exception {
        Path pipe = data.resolve(DataFolderLock.FILE);
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();

        assertThatThrownBy(() -> FileJournal.open(data))
                .isInstanceOf(EventLogException.class)
                .hasMessageContaining(pipe + " is not a file the journal made")
                .hasMessageContaining("move it away");
        assertThat(Files.isRegularFile(pipe, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .isFalse();
    }

    @Test
    void theHoldGoesWithTheLastJournalOfThisProcessOnTheFolder() throws Exception {
        FileJournal first = FileJournal.open(data);
        FileJournal second = FileJournal.open(data);
        first.close();
        second.append(SampleEvents.history(new SessionId("s2"), 1));
        assertThat(lockableByAnother()).as("still held by the second journal").isFalse();

        second.close();

        assertThat(lockableByAnother()).as("released once both are closed").isTrue();
    }

    /**
     * A second tester's case: a start beside a dry run whose look stalled over 200 ms was refused as if the folder were
     * in use, naming the pid of the folder's last writer. It waits for the look to end.
     */
    @Test
    void aStartBesideADryRunsStalledLookWaitsForItInsteadOfRefusing() throws Exception {
        FileJournal.open(data).close(); // the lock file, as an earlier run leaves it
        Path ending = data.resolveSibling(data.getFileName() + "-look-ending");
        try (var look = OtherProcessLock.hold(data.resolve(DataFolderLock.FILE), true, 1500, ending)) {
            assertThat(ending)
                    .as("the look still holds the folder as the start begins")
                    .doesNotExist();

            try (FileJournal journal = FileJournal.open(data)) {
                assertThat(ending).as("taken only once the look let go").exists();
                journal.append(SampleEvents.history(new SessionId("s3"), 1));
            }
        }
    }

    /** A reviewer's case: the wait for looks must not make a process that holds the folder to use it be waited for. */
    @Test
    void aProcessHoldingTheFolderIsRefusedWhileItHoldsItNamingIt() throws Exception {
        FileJournal.open(data).close();
        Path ending = data.resolveSibling(data.getFileName() + "-holder-ending");
        try (var holder = OtherProcessLock.hold(data.resolve(DataFolderLock.FILE), false, 60_000, ending)) {
            Files.writeString(data.resolve(DataFolderLock.FILE), holder.pid() + "\n");

            assertThatThrownBy(() -> FileJournal.open(data))
                    .isInstanceOf(EventLogException.class)
                    .hasMessageContaining("in use by another canvas-batch (process " + holder.pid() + ")");
            assertThat(ending).as("refused while the holder still held it").doesNotExist();
        }
    }

    /**
     * A reviewer's case: a look that never ends was, after the wait, told as the folder's last writer holding it. It is
     * told as what it is.
     */
    @Test
    void aLookThatDoesNotEndIsToldAsALookNotAsAHolder() throws Exception {
        FileJournal.open(data).close();
        Path ending = data.resolveSibling(data.getFileName() + "-long-look-ending");
        try (var look = OtherProcessLock.hold(data.resolve(DataFolderLock.FILE), true, 60_000, ending)) {
            assertThatThrownBy(() -> FileJournal.open(data))
                    .isInstanceOf(EventLogException.class)
                    .hasMessageContaining("another canvas-batch has been reading the folder for over 10 s (a dry run")
                    .hasMessageNotContaining("process");
        }
    }

    /** Whether a lock on the journal's byte can be taken now; this process's own hold makes it throw, not fail. */
    private boolean lockableByAnother() throws Exception {
        try (FileChannel channel =
                FileChannel.open(data.toRealPath().resolve(DataFolderLock.FILE), StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock(Long.MAX_VALUE - 1, 1, false);
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return false;
        }
    }
}
