package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code run} beside a {@code serve}, both writing into one vault (the README's advice when the server holds the data
 * folder: give {@code run} another {@code --data}, or {@code memory}). Neither is part of a cluster. Each keeps the
 * links it has not yet written in a ledger of its own, so a link the server recorded survives the run's rewrites of
 * its ledger; if the server is then killed before its link reaches the canvas, its next start is what links the note,
 * and nothing else does (a plain restart does not relink succeeded nodes). A start takes over only the ledgers of
 * processes that no longer hold the OS lock on their lock file.
 *
 * <p>Seen with real processes when all shared one {@value PendingLinks#FILE}: serve's canvas half-saved by a sync (its
 * links wait), a {@code run} on another canvas of the vault, serve killed with SIGKILL, the canvas whole again, serve
 * started again — one note of the batch, which the server reports succeeded, was never linked into its canvas.
 *
 * <p>A process "dies" here as in {@link FullDiskTest}: its disk is full when it closes, so it writes nothing more. A
 * process killed outright is planted as what it leaves (its ledger, its lock file or none), or is another JVM.
 */
class RunBesideServeLedgerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
    private static final String Q1 = "01000c386bbc4";
    private static final String Q3 = "010027311d8a3";
    private static final String RANK = "0200115ba2bdd";

    @TempDir
    Path root;

    @TempDir
    Path sources;

    private final BlockingQueue<String> writes = new LinkedBlockingQueue<>();
    private final List<FileVault> opened = new ArrayList<>();

    @BeforeEach
    void copyVault() {
        Fixtures.copyVaultTo(root);
    }

    @AfterEach
    void closeVaults() {
        opened.forEach(FileVault::close);
    }

    @Test
    void aLinkTheServerRecordedIsStillWrittenAfterARunBesideItRewroteTheLedgerAndTheServerWasKilled() throws Exception {
        FullDisk diskOfServe = new FullDisk();
        FileVault serve = process(diskOfServe);
        FileVault run = process(new FullDisk());

        serve.writeNote(draft(Fixtures.DISCRETE_MATH, Q3, "逆否命题和原命题等价吗", AgentId.CLARIFICATION_PATH));
        assertThat(writes.poll(30, TimeUnit.SECONDS))
                .as("the server's first link, at once")
                .isEqualTo(Fixtures.DISCRETE_MATH);
        WrittenNote waitingOnServe =
                serve.writeNote(draft(Fixtures.DISCRETE_MATH, Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION));

        // the run writes a note into another canvas, links it at once and rewrites the ledger
        run.writeNote(draft(Fixtures.LINEAR_ALGEBRA, RANK, "如何理解矩阵的秩", AgentId.ORAL_EXPLANATION));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.LINEAR_ALGEBRA);
        run.close();

        diskOfServe.full = true;
        serve.close(); // killed before its waiting link reached the canvas
        assertThat(discreteMath().notesPointingAt(waitingOnServe.path())).isEmpty();

        process(new FullDisk()).close(); // the server started again on the same vault, and stopped

        assertThat(discreteMath().notesPointingAt(waitingOnServe.path()))
                .as("the note the server wrote and reported succeeded is linked into its canvas")
                .hasSize(1);
        assertThat(discreteMath().noteNodes()).hasSize(2);
    }

    @Test
    void aProcessStartingBesideALiveOneNeitherTakesItsWaitingLinksNorWritesThem() throws Exception {
        FileVault serve = process(new FullDisk());
        serve.writeNote(draft(Fixtures.DISCRETE_MATH, Q3, "逆否命题和原命题等价吗", AgentId.CLARIFICATION_PATH));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.DISCRETE_MATH);
        WrittenNote waitingOnServe =
                serve.writeNote(draft(Fixtures.DISCRETE_MATH, Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION));
        Path ledgerOfServe = root.resolve(serve.ledgerFile());
        byte[] before = Files.readAllBytes(ledgerOfServe);

        FileVault run = process(new FullDisk());
        run.writeNote(draft(Fixtures.LINEAR_ALGEBRA, RANK, "如何理解矩阵的秩", AgentId.ORAL_EXPLANATION));
        run.close();

        assertThat(Files.readAllBytes(ledgerOfServe))
                .as("the server's ledger, byte for byte")
                .isEqualTo(before);
        assertThat(discreteMath().notesPointingAt(waitingOnServe.path()))
                .as("the server's link is the server's to write")
                .isEmpty();
        serve.close();
        assertThat(discreteMath().notesPointingAt(waitingOnServe.path())).hasSize(1);
        assertThat(root.resolve(PendingLinks.FOLDER))
                .as("nothing waits, and no process runs")
                .doesNotExist();
    }

    @Test
    void aLedgerWhoseLockAnotherLiveProcessHoldsIsLeftAloneUntilThatProcessIsKilled() throws Exception {
        Unlinked note = unlinkedNote();
        String other = "local-4242-0badcafe";
        Path ledger = plantLedger(other, note);
        Process holder = holdLockInAnotherProcess(root.resolve(PendingLinks.lockOf(other)));
        try {
            process(new FullDisk()).close();

            assertThat(discreteMath().notesPointingAt(note.path()))
                    .as("a live process's link, not written by another")
                    .isEmpty();
            assertThat(ledger).as("nor its ledger touched").hasContent(note.line());
        } finally {
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: its lock goes with it
        }

        process(new FullDisk()).close();

        assertThat(discreteMath().notesPointingAt(note.path()))
                .as("the killed process's link, written by the next start")
                .hasSize(1);
        assertThat(root.resolve(PendingLinks.FOLDER))
                .as("its ledger and lock file taken over and deleted")
                .doesNotExist();
    }

    @Test
    void aKilledProcesssLedgerIsTakenOverAtTheNextStartWhetherItsLockFileIsLeftOrGone() throws Exception {
        Unlinked first = unlinkedNote();
        Unlinked second = unlinkedNote(Q3, "逆否命题和原命题等价吗", AgentId.CLARIFICATION_PATH);
        plantLedger("local-4242-0badcafe", first);
        Files.writeString(root.resolve(PendingLinks.lockOf("local-4242-0badcafe")), "");
        // no lock file at all: taken once nobody changed it for longer than any note's write
        Path unlocked = plantLedger("local-4343-0badf00d", second);
        Files.setLastModifiedTime(
                unlocked,
                FileTime.from(CLOCK.instant().minus(FileVault.LITTER_AGE).minusSeconds(1)));
        // a process killed between making its lock file and its ledger
        Files.writeString(root.resolve(PendingLinks.lockOf("local-4444-0ddba11")), "");

        process(new FullDisk()).close();

        assertThat(discreteMath().notesPointingAt(first.path())).hasSize(1);
        assertThat(discreteMath().notesPointingAt(second.path())).hasSize(1);
        assertThat(root.resolve(PendingLinks.FOLDER))
                .as("nothing waits any more, and no lock file is left")
                .doesNotExist();
    }

    @Test
    void theLedgerAnEarlierVersionKeptForTheWholeVaultIsStillTakenOverAtStart() throws Exception {
        Unlinked note = unlinkedNote();
        Files.createDirectories(root.resolve(PendingLinks.FOLDER));
        Files.writeString(root.resolve(PendingLinks.FILE), note.line());

        process(new FullDisk()).close();

        assertThat(discreteMath().notesPointingAt(note.path())).hasSize(1);
        assertThat(root.resolve(PendingLinks.FOLDER)).doesNotExist();
    }

    @Test
    void aClusterServersLedgerIsLeftToTheClusterEvenWithoutALock() throws Exception {
        Unlinked note = unlinkedNote();
        Path ledger = plantLedger("server-a", note);

        process(new FullDisk()).close();

        assertThat(discreteMath().notesPointingAt(note.path()))
                .as("only the cluster says whether a server of it stopped")
                .isEmpty();
        assertThat(ledger).hasContent(note.line());
    }

    @Test
    void aProcessKilledWithItsLinkWaitingHasItWrittenByTheNextStartAndTheLockFileIsGoneAfterAGracefulStop()
            throws Exception {
        FullDisk disk = new FullDisk();
        FileVault serve = process(disk);
        serve.writeNote(draft(Fixtures.DISCRETE_MATH, Q3, "逆否命题和原命题等价吗", AgentId.CLARIFICATION_PATH));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.DISCRETE_MATH);
        assertThat(root.resolve(PendingLinks.FOLDER))
                .as("nothing waits: neither ledger nor lock file while the process runs on")
                .doesNotExist();
        WrittenNote waiting = serve.writeNote(draft(Fixtures.DISCRETE_MATH, Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION));
        assertThat(root.resolve(serve.ledgerFile().replace(".jsonl", ".lock")))
                .as("held while its link waits")
                .exists();
        disk.full = true;
        serve.close();
        assertThat(discreteMath().notesPointingAt(waiting.path())).isEmpty();

        process(new FullDisk()).close();

        assertThat(discreteMath().notesPointingAt(waiting.path())).hasSize(1);
        assertThat(root.resolve(PendingLinks.FOLDER)).doesNotExist();
    }

    /** A note written into the vault, not linked, and the ledger line that would link it. */
    private record Unlinked(String path, String line) {}

    /** A note of the discrete-math canvas written by a vault that links nothing: a line naming it would link it. */
    private Unlinked unlinkedNote() throws Exception {
        return unlinkedNote(Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION);
    }

    private Unlinked unlinkedNote(String nodeId, String text, AgentId agent) throws Exception {
        FileVault writer = new FileVault(root, VaultOptions.defaults().withWriteBack(false), CLOCK);
        try {
            String path = writer.writeNote(draft(Fixtures.DISCRETE_MATH, nodeId, text, agent))
                    .path();
            return new Unlinked(
                    path,
                    "{\"canvas\":\"" + Fixtures.DISCRETE_MATH + "\",\"node\":\"" + nodeId + "\",\"agent\":\""
                            + agent.wireName() + "\",\"note\":\"" + path + "\"}\n");
        } finally {
            writer.close();
        }
    }

    private Path plantLedger(String writer, Unlinked note) throws IOException {
        Files.createDirectories(root.resolve(PendingLinks.FOLDER));
        return Files.writeString(root.resolve(PendingLinks.ledgerOf(writer)), note.line());
    }

    /** Another JVM that makes {@code lockFile} and holds an OS lock on it until it is killed. */
    private Process holdLockInAnotherProcess(Path lockFile) throws Exception {
        Path source = Files.writeString(sources.resolve("HoldLock.java"), """
                import java.nio.channels.FileChannel;
                import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;

                public class HoldLock {
                    public static void main(String[] args) throws Exception {
                        FileChannel channel = FileChannel.open(
                                Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        if (channel.tryLock() == null) {
                            System.exit(3);
                        }
                        System.out.println("locked");
                        System.out.flush();
                        Thread.sleep(Long.MAX_VALUE);
                    }
                }
                """);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), source.toString(), lockFile.toString())
                .redirectErrorStream(true)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            assertThat(first.get(60, TimeUnit.SECONDS))
                    .as("the other process holds the lock")
                    .isEqualTo("locked");
        } catch (Exception | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
        return process;
    }

    private FileVault process(FullDisk disk) {
        FileVault vault = new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(Duration.ofHours(1)),
                CLOCK,
                writes::add,
                disk,
                new CanvasWriteBack.RetryDelays(Duration.ofHours(1), Duration.ofHours(4)),
                nanos -> {});
        opened.add(vault);
        return vault;
    }

    private static NoteDraft draft(String canvas, String nodeId, String text, AgentId agent) {
        return new NoteDraft(canvas, nodeId, text, agent, "# note", "offline", CLOCK.instant());
    }

    private CanvasOnDisk discreteMath() {
        return CanvasOnDisk.read(root.resolve(Fixtures.DISCRETE_MATH));
    }
}
