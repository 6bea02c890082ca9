package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer killed in the middle of an atomic write leaves a hidden {@code .canvas-batch-<16 hex>.tmp} beside the note
 * or canvas it was replacing. The vault deletes that litter when it starts — only regular files named exactly so, never
 * a link or anything the learner made, and on a vault shared by a cluster only those old enough that no live server
 * can still be writing them.
 */
class TemporaryLitterTest {

    private static final String NOTES = "数学/离散数学-notes";
    private static final String LITTER = ".canvas-batch-0123456789abcdef.tmp";

    @TempDir
    Path root;

    private FileVault vault;

    @BeforeEach
    void copyVault() throws IOException {
        Fixtures.copyVaultTo(root);
        Files.createDirectories(root.resolve(NOTES));
    }

    @AfterEach
    void closeVault() {
        if (vault != null) {
            vault.close();
        }
    }

    @Test
    void theTemporaryFilesAKilledRunLeftAreDeletedAtStartAndNothingTheLearnerMadeIs() throws Exception {
        Duration age = Duration.ofMinutes(10);
        Path besideANote = planted(NOTES + "/.canvas-batch-0123456789abcdef.tmp", age);
        Path besideACanvas = planted("数学/.canvas-batch-fedcba9876543210.tmp", age);
        Path inTheLedgersFolder = planted(PendingLinks.FOLDER + "/.canvas-batch-00112233445566ff.tmp", age);
        Path learnersFile = Files.writeString(root.resolve("my diary.md"), "mine");
        Path[] learners = {
            planted(NOTES + "/.canvas-batch-notes.tmp", age),
            planted(NOTES + "/canvas-batch-0123456789abcdef.tmp", age),
            planted(NOTES + "/.canvas-batch-0123456789ABCDEF.tmp", age),
            planted(NOTES + "/.canvas-batch-0123456789abcdef.tmp.md", age),
            planted(".obsidian/.canvas-batch-0123456789abcdef.tmp", age),
            Files.createDirectories(root.resolve(NOTES + "/.canvas-batch-aaaaaaaaaaaaaaaa.tmp")),
            Files.createSymbolicLink(root.resolve(NOTES + "/.canvas-batch-bbbbbbbbbbbbbbbb.tmp"), learnersFile),
        };

        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());

        assertThat(vault.litterSwept().get(30, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(besideANote).doesNotExist();
        assertThat(besideACanvas).doesNotExist();
        assertThat(inTheLedgersFolder).doesNotExist();
        for (Path kept : learners) {
            assertThat(Files.exists(kept, LinkOption.NOFOLLOW_LINKS))
                    .as(kept.toString())
                    .isTrue();
        }
        assertThat(learnersFile).hasContent("mine");
    }

    @Test
    void onAVaultSharedByAClusterOnlyTemporaryFilesTooOldToBeBeingWrittenAreDeleted() throws Exception {
        Path ofADeadServer = planted(NOTES + "/.canvas-batch-0123456789abcdef.tmp", Duration.ofMinutes(30));
        Path perhapsBeingWritten = planted(NOTES + "/.canvas-batch-fedcba9876543210.tmp", Duration.ofSeconds(30));

        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC(), "server-a");

        assertThat(vault.litterSwept().get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(ofADeadServer).doesNotExist();
        assertThat(perhapsBeingWritten).exists();
    }

    @Test
    void aTemporaryFileOfARunWritingBesideThisProcessSurvivesUntilItIsFiveMinutesOld() throws Exception {
        // a `canvas-batch run` started two minutes ago beside this `serve`, in the middle of writing a note
        Path ofTheOtherRun = planted(NOTES + "/.canvas-batch-0123456789abcdef.tmp", Duration.ofMinutes(2));
        Path ofADeadRun = planted(NOTES + "/.canvas-batch-fedcba9876543210.tmp", Duration.ofMinutes(6));

        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());

        assertThat(vault.litterSwept().get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(ofTheOtherRun).as("the other run's note, half written").hasContent("half a note");
        assertThat(ofADeadRun).doesNotExist();
    }

    @Test
    void theAgeOfATemporaryFileIsMeasuredByTheVaultsClock() throws Exception {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        Path young = plantedAt(NOTES + "/.canvas-batch-0123456789abcdef.tmp", now.minus(Duration.ofMinutes(2)));
        Path old = plantedAt(NOTES + "/.canvas-batch-fedcba9876543210.tmp", now.minus(Duration.ofMinutes(6)));

        vault = new FileVault(root, VaultOptions.defaults(), Clock.fixed(now, ZoneOffset.UTC));

        assertThat(vault.litterSwept().get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(young).exists();
        assertThat(old).doesNotExist();
    }

    @Test
    void aLinkToAFolderOutsideTheVaultIsNotEntered(@TempDir Path outside) throws Exception {
        Path notOurs = othersFileIn(outside);
        Files.createSymbolicLink(root.resolve("数学/linked"), outside);

        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());

        assertThat(vault.litterSwept().get(30, TimeUnit.SECONDS)).isZero();
        assertThat(notOurs).hasContent("not the vault's");
    }

    @Test
    void aFolderSwappedForALinkAsTheSweepEntersItLeadsToNoDeleteOutsideTheVault(@TempDir Path outside)
            throws Exception {
        planted(NOTES + "/" + LITTER, Duration.ofMinutes(10));
        Path notOurs = othersFileIn(outside);
        AtomicBoolean swapped = new AtomicBoolean();

        TemporaryLitter.sweep(root, Instant.now(), path -> {
            if (path.equals(root.resolve(NOTES)) && swapped.compareAndSet(false, true)) {
                swapForALink(root.resolve(NOTES), outside);
            }
        });

        assertThat(swapped).as("the folder was swapped").isTrue();
        assertThat(notOurs).hasContent("not the vault's");
    }

    @Test
    void aFolderSwappedForALinkBetweenTheLookAtAFileAndItsDeleteLeadsToNoDeleteOutsideTheVault(@TempDir Path outside)
            throws Exception {
        planted(NOTES + "/" + LITTER, Duration.ofMinutes(10));
        Path notOurs = othersFileIn(outside);
        AtomicBoolean swapped = new AtomicBoolean();

        TemporaryLitter.sweep(root, Instant.now(), path -> {
            if (path.equals(root.resolve(NOTES).resolve(LITTER)) && swapped.compareAndSet(false, true)) {
                swapForALink(root.resolve(NOTES), outside);
            }
        });

        assertThat(swapped).as("the folder was swapped").isTrue();
        assertThat(notOurs).hasContent("not the vault's");
        assertThat(root.resolve(NOTES + "-moved").resolve(LITTER))
                .as("the file that was looked at is the one deleted")
                .doesNotExist();
    }

    /** A file of someone else's outside the vault, of exactly the name our temporary files have, and old. */
    private static Path othersFileIn(Path outside) throws IOException {
        Path file = Files.writeString(outside.resolve(LITTER), "not the vault's");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        return file;
    }

    /** What a hostile process can do at any moment: move the folder away and put a link in its place. */
    private static void swapForALink(Path folder, Path target) {
        try {
            Files.move(folder, folder.resolveSibling(folder.getFileName() + "-moved"));
            Files.createSymbolicLink(folder, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path plantedAt(String relative, Instant modified) throws IOException {
        Path file = planted(relative, Duration.ZERO);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    private Path planted(String relative, Duration age) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "half a note");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
        return file;
    }
}
