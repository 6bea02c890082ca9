package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A named pipe swapped in for a file between the vault's look at it and its open: the look found a regular file, and
 * an open of a pipe for reading waits until something opens it for writing, which may be never. Whatever is read
 * after such a look is refused at once instead, in words that say what is there, and nothing is read from the pipe.
 * (The guard only keeps a regression from hanging the build: it measures nothing.)
 */
class PipeSwapTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(20);
    private static final String CANVAS = "数学/离散数学.canvas";

    @TempDir
    Path root;

    private final List<Path> pipes = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void aFileSwappedForAPipeAfterItsLookIsRefusedAtOnceAndThePipeIsLeftAsItIs() throws Exception {
        Path file = Files.writeString(root.resolve("a.canvas"), "{\"nodes\":[]}");
        BasicFileAttributes looked = lookAt(file);
        swapForAPipe(file);

        RegularFiles.NotARegularFile refused = assertTimeoutPreemptively(
                HANG_GUARD,
                () -> catchThrowableOfType(RegularFiles.NotARegularFile.class, () -> RegularFiles.read(file, looked)));

        assertThat(refused.what()).startsWith("a named pipe (FIFO)");
        assertThat(isPipe(file)).as("still the pipe it was").isTrue();
    }

    @Test
    void aPipeSwappedInAndGivenAWriterIsRefusedBeforeAByteIsReadFromIt() throws Exception {
        Path file = Files.writeString(root.resolve("a.canvas"), "{\"nodes\":[]}");
        BasicFileAttributes looked = lookAt(file);
        swapForAPipe(file);
        // someone holds the pipe's writing end: an open for reading returns at once, and a read would wait for bytes
        CompletableFuture<FileChannel> writer = CompletableFuture.supplyAsync(() -> {
            try {
                return FileChannel.open(file, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            RegularFiles.NotARegularFile refused = assertTimeoutPreemptively(
                    HANG_GUARD,
                    () -> catchThrowableOfType(
                            RegularFiles.NotARegularFile.class,
                            () -> RegularFiles.read(file, looked).readAllBytes()));

            assertThat(refused).isNotNull();
        } finally {
            // the refused open released the writer's open (or the writer waits for a reader still): end it either way
            try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                writer.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS).close();
            }
        }
    }

    @Test
    void aFileInAFolderHeldOpenSwappedForAPipeAfterItsLookIsRefusedAtOnce() throws Exception {
        Path file = Files.writeString(root.resolve("a.jsonl"), "{}\n");
        try (HeldFolder folder = HeldFolder.open(root)) {
            BasicFileAttributes looked = folder.attributes(Path.of("a.jsonl"));
            swapForAPipe(file);
            try {
                RegularFiles.NotARegularFile refused = assertTimeoutPreemptively(
                        HANG_GUARD,
                        () -> catchThrowableOfType(
                                RegularFiles.NotARegularFile.class, () -> folder.read(Path.of("a.jsonl"), looked)));

                assertThat(refused.what()).startsWith("a named pipe (FIFO)");
            } finally {
                // an open left waiting on the pipe would keep the folder from closing
                releaseWaitingOpens();
            }
        }
    }

    /**
     * An open given up on waits on its pipe until something opens that pipe for writing, which nothing may: here the
     * pipe is renamed away before the look that gives up, so the release cannot find it. The folder the open went
     * through must still close: the JDK keeps a held folder from closing while one of its opens runs, and a ledger's
     * load at start, which closes its folder, waited for ever (or until the release won a race with the close).
     */
    @Test
    void aFolderHeldOpenClosesWhileAnOpenGivenUpOnAPipeStillWaits() throws Exception {
        Path file = Files.writeString(root.resolve("a.jsonl"), "{}\n");
        Path away = root.resolve("renamed-away");
        pipes.add(away);
        CountDownLatch opening = new CountDownLatch(1);
        HeldFolder folder = HeldFolder.open(root);
        try {
            Path name = Path.of("a.jsonl");
            BasicFileAttributes looked = folder.attributes(name);
            swapForAPipe(file);

            RegularFiles.NotARegularFile refused = assertTimeoutPreemptively(
                    HANG_GUARD,
                    () -> catchThrowableOfType(
                            RegularFiles.NotARegularFile.class,
                            () -> RegularFiles.open(
                                    file,
                                    looked,
                                    () -> {
                                        opening.countDown();
                                        return folder.openApart(name, Set.of(StandardOpenOption.READ));
                                    },
                                    () -> {
                                        awaitQuietly(opening);
                                        Files.move(file, away);
                                        return folder.attributes(name);
                                    },
                                    () -> {
                                        throw new AssertionError("nothing is there to release");
                                    })));
            assertThat(refused.what()).isEqualTo("gone");
        } finally {
            assertTimeoutPreemptively(HANG_GUARD, folder::close, "the folder closes with the open still waiting");
        }
    }

    @Test
    void aRegularFileIsReadWholeAndAPipeAlreadyThereIsRefusedWithoutAnOpen() throws Exception {
        Path file = Files.writeString(root.resolve("a.md"), "# 逆否命题\n", StandardCharsets.UTF_8);
        Path pipe = mkfifo(root.resolve("b.md"));

        try (InputStream in = RegularFiles.read(file)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("# 逆否命题\n");
        }
        RegularFiles.NotARegularFile refused = assertTimeoutPreemptively(
                HANG_GUARD,
                () -> catchThrowableOfType(RegularFiles.NotARegularFile.class, () -> RegularFiles.read(pipe)));
        assertThat(refused.what()).isEqualTo("a named pipe (FIFO)");
    }

    /**
     * The pending-links ledger swapped for a pipe between the look that found it a regular file and its read at start:
     * the start goes on, with one log line and no link read, and the pipe stays. The ledger is the one an earlier
     * version left, renamed to this process's own before its read.
     */
    @Test
    void theLedgerSwappedForAPipeBetweenItsLookAndItsReadAtStartIsLeftAloneWithOneLogLine() throws Exception {
        Files.createDirectories(root.resolve(PendingLinks.FOLDER));
        Files.writeString(
                root.resolve(PendingLinks.FILE),
                "{\"canvas\":\"" + CANVAS + "\",\"node\":\"q1\",\"agent\":\"oral-explanation\",\"note\":"
                        + "\"数学/离散数学-notes/什么是逆否命题 (oral-explanation).md\"}\n");
        AtomicReference<Path> ledgerFile = new AtomicReference<>();
        AtomicBoolean swapped = new AtomicBoolean();
        PendingLinks ledger = PendingLinks.inVault(new VaultPaths(root), FileOpener.DEFAULT, path -> {
            if (path.equals(ledgerFile.get()) && swapped.compareAndSet(false, true)) {
                swapForAPipe(path);
            }
        });
        ledgerFile.set(root.resolve(ledger.ledgerFile()));

        try (CapturedLogs logs = CapturedLogs.of(PendingLinks.class.getName())) {
            List<PendingLinks.Entry> left = assertTimeoutPreemptively(HANG_GUARD, () -> ledger.load());

            assertThat(swapped).as("the ledger was swapped after its look").isTrue();
            assertThat(left).isEmpty();
            assertThat(logs.visibleRecordsContaining(ledger.ledgerFile()))
                    .singleElement()
                    .satisfies(line -> {
                        assertThat(line.getMessage()).contains("a named pipe (FIFO)");
                        assertThat(line.getThrown()).isNull();
                    });
        }
        assertThat(isPipe(ledgerFile.get())).as("still the pipe it was").isTrue();
    }

    /**
     * The ledger's folder swapped for a named pipe right after it was made and before it is entered: entering opened it
     * without asking for a folder, and an open of a pipe waits for a writer, so the note's link (and the request that
     * wrote the note) waited for ever. The folder is refused in words instead, the link waits in memory, the pipe stays.
     */
    @Test
    void theLedgersFolderSwappedForAPipeBeforeItIsEnteredIsRefusedWithOneLogLine() throws Exception {
        Path ledgerFolder = root.resolve(".canvas-batch");
        AtomicBoolean swapped = new AtomicBoolean();
        PendingLinks ledger = PendingLinks.inVault(new VaultPaths(root), FileOpener.DEFAULT, path -> {
            if (path.equals(ledgerFolder) && swapped.compareAndSet(false, true)) {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                swapForAPipeAt(path);
            }
        });

        try (CapturedLogs logs = CapturedLogs.of(PendingLinks.class.getName())) {
            assertTimeoutPreemptively(
                    HANG_GUARD,
                    () -> ledger.add(
                            CANVAS, "q1", AgentId.ORAL_EXPLANATION, "数学/离散数学-notes/什么是逆否命题 (oral-explanation).md"));

            assertThat(swapped).as("the folder was swapped after it was made").isTrue();
            assertThat(logs.visibleRecordsContaining(".canvas-batch"))
                    .singleElement()
                    .satisfies(line -> {
                        assertThat(line.getMessage()).contains("a named pipe (FIFO)");
                        assertThat(line.getThrown()).isNull();
                    });
        }
        assertThat(isPipe(ledgerFolder)).as("still the pipe it was").isTrue();
    }

    /** A folder swapped for a pipe between its look and its open is given up at once, as a file is. */
    @Test
    void aFolderSwappedForAPipeBetweenItsLookAndItsOpenIsGivenUpAtOnce() throws Exception {
        Path folder = Files.createDirectory(root.resolve("数学"));
        BasicFileAttributes looked = Files.readAttributes(folder, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Files.delete(folder);
        swapForAPipeAt(folder);

        RegularFiles.NotARegularFile refused = assertTimeoutPreemptively(
                HANG_GUARD,
                () -> catchThrowableOfType(
                        RegularFiles.NotARegularFile.class,
                        () -> RegularFiles.watched(
                                folder,
                                looked,
                                BasicFileAttributes::isDirectory,
                                () -> Files.newDirectoryStream(folder),
                                () -> Files.readAttributes(
                                        folder, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS),
                                () -> FileChannel.open(folder, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))));

        assertThat(refused.what()).startsWith("a named pipe (FIFO)");
        assertThat(isPipe(folder)).as("still the pipe it was").isTrue();
    }

    /**
     * Ends every open still waiting on a pipe of this test: one that a regression left waiting would otherwise keep
     * its thread, and whatever it holds, to the end of the run.
     */
    @AfterEach
    void releaseWaitingOpens() throws IOException {
        for (Path pipe : pipes) {
            if (Files.exists(pipe, LinkOption.NOFOLLOW_LINKS) && isPipe(pipe)) {
                // read-write: never waits itself, and is the other end a waiting open needs
                try (FileChannel bothEnds = FileChannel.open(pipe, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    // opened
                }
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)) {
                throw new IOException("the open never began");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        }
    }

    private static BasicFileAttributes lookAt(Path file) throws IOException {
        BasicFileAttributes looked = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(looked.isRegularFile()).isTrue();
        return looked;
    }

    private void swapForAPipe(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        swapForAPipeAt(file);
    }

    private void swapForAPipeAt(Path file) {
        try {
            mkfifo(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Path mkfifo(Path pipe) throws IOException, InterruptedException {
        pipes.add(pipe);
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).as("mkfifo").isZero();
        assertThat(isPipe(pipe)).isTrue();
        return pipe;
    }

    private static boolean isPipe(Path path) throws IOException {
        BasicFileAttributes attributes =
                Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return attributes.isOther();
    }
}
