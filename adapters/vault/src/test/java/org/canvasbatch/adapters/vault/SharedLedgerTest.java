package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers of a cluster sharing one vault by path: each keeps the links it has not yet written in a ledger of its own,
 * so no server's rewrite drops another's lines; a server that stopped has its ledger taken over by one that lives,
 * when the cluster says so, and every note is linked exactly once.
 *
 * <p>A server "dies" here as {@link FullDiskTest} has a process stop: its disk is full when it closes, so what it held
 * stays in its ledger, and it writes nothing more.
 */
class SharedLedgerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
    private static final String Q1 = "01000c386bbc4";
    private static final String Q2 = "01001414c343c";
    private static final String Q3 = "010027311d8a3";

    @TempDir
    Path root;

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
    void aServerWritingItsLinksKeepsTheLinesAnotherServerRecordedSoTheyAreWrittenAfterThatOneDies() throws Exception {
        FullDisk diskOfB = new FullDisk();
        FileVault a = server("server-a", new FullDisk());
        FileVault b = server("server-b", diskOfB);
        b.writeNote(draft(Q3, "逆否命题和原命题等价吗", AgentId.CLARIFICATION_PATH));
        assertThat(writes.poll(30, TimeUnit.SECONDS))
                .as("B's first link, at once")
                .isEqualTo(Fixtures.DISCRETE_MATH);
        WrittenNote waitingOnB = b.writeNote(draft(Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION));

        // A writes a link of its own and rewrites its ledger without it
        WrittenNote ofA = a.writeNote(draft(Q2, "逆否命题和否命题的区别", AgentId.COMPARISON_TABLE));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.DISCRETE_MATH);
        assertThat(discreteMath().notesPointingAt(ofA.path())).hasSize(1);
        assertThat(ledgerLines())
                .as("B's waiting link is still recorded in the vault after A's rewrite")
                .anySatisfy(line -> assertThat(line).contains(waitingOnB.path()));

        diskOfB.full = true;
        b.close(); // B dies with its link unwritten
        assertThat(discreteMath().notesPointingAt(waitingOnB.path())).isEmpty();

        FileVault c = server("server-c", new FullDisk());
        assertThat(c.adoptLinksLeftBy("server-b")).isTrue();
        c.close();

        assertThat(discreteMath().notesPointingAt(waitingOnB.path()))
                .as("the dead server's note, linked by the one that took its ledger over")
                .hasSize(1);
        assertThat(discreteMath().noteNodes()).hasSize(3);
        assertThat(discreteMath().noteEdges()).hasSize(3);
        assertThat(root.resolve(PendingLinks.ledgerOf("server-b"))).doesNotExist();
    }

    @Test
    void aServerStartingBesideALiveOneNeitherTouchesItsLedgerNorWritesItsLinks() throws Exception {
        FileVault a = server("server-a", new FullDisk());
        a.writeNote(draft(Q3, "逆否命题和原命题等价吗", AgentId.CLARIFICATION_PATH));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.DISCRETE_MATH);
        WrittenNote waitingOnA = a.writeNote(draft(Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION));
        Path ledgerOfA = root.resolve(PendingLinks.ledgerOf("server-a"));
        byte[] before = Files.readAllBytes(ledgerOfA);

        FileVault c = server("server-c", new FullDisk());
        c.writeNote(draft(Q2, "逆否命题和否命题的区别", AgentId.COMPARISON_TABLE));
        c.close();

        assertThat(Files.readAllBytes(ledgerOfA))
                .as("A's ledger, byte for byte")
                .isEqualTo(before);
        assertThat(discreteMath().notesPointingAt(waitingOnA.path()))
                .as("A's link is A's to write")
                .isEmpty();

        a.close();
        assertThat(discreteMath().notesPointingAt(waitingOnA.path())).hasSize(1);
        assertThat(discreteMath().noteNodes()).hasSize(3);
    }

    @Test
    void aStoppedServersLedgerIsAdoptedOnceEvenWhenAskedAgainOrByAnotherServer() throws Exception {
        FullDisk diskOfA = new FullDisk();
        FileVault a = server("server-a", diskOfA);
        a.writeNote(draft(Q3, "逆否命题和原命题等价吗", AgentId.CLARIFICATION_PATH));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.DISCRETE_MATH);
        List<WrittenNote> waiting = List.of(
                a.writeNote(draft(Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION)),
                a.writeNote(draft(Q2, "逆否命题和否命题的区别", AgentId.COMPARISON_TABLE)));
        diskOfA.full = true;
        a.close();

        FileVault b = server("server-b", new FullDisk());
        FileVault c = server("server-c", new FullDisk());
        assertThat(b.adoptLinksLeftBy("server-a")).isTrue();
        assertThat(b.adoptLinksLeftBy("server-a")).as("nothing left to adopt").isTrue();
        assertThat(c.adoptLinksLeftBy("server-a")).isTrue();
        b.close();
        c.close();

        for (WrittenNote note : waiting) {
            assertThat(discreteMath().notesPointingAt(note.path())).hasSize(1);
        }
        assertThat(discreteMath().noteNodes()).hasSize(3);
        assertThat(discreteMath().labelNodes()).hasSize(3);
        assertThat(root.resolve(PendingLinks.FOLDER))
                .as("nothing waits any more")
                .doesNotExist();
    }

    @Test
    void theLedgerAnEarlierVersionLeftIsTakenOverByOneOfTheServersStartingAndEachLinkWrittenOnce() throws Exception {
        FullDisk diskOfOld = new FullDisk();
        FileVault old = open(null, diskOfOld);
        old.writeNote(draft(Q3, "逆否命题和原命题等价吗", AgentId.CLARIFICATION_PATH));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.DISCRETE_MATH);
        List<WrittenNote> waiting = List.of(
                old.writeNote(draft(Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION)),
                old.writeNote(draft(Q2, "逆否命题和否命题的区别", AgentId.COMPARISON_TABLE)));
        diskOfOld.full = true;
        old.close();
        // what an earlier version left: the one ledger of the whole vault
        Files.move(root.resolve(old.ledgerFile()), root.resolve(PendingLinks.FILE));
        Files.deleteIfExists(root.resolve(old.ledgerFile().replace(".jsonl", ".lock")));
        assertThat(Files.readAllLines(root.resolve(PendingLinks.FILE))).hasSize(2);

        FileVault x = server("server-x", new FullDisk());
        FileVault y = server("server-y", new FullDisk());

        assertThat(root.resolve(PendingLinks.FILE)).doesNotExist();
        x.close();
        y.close();
        for (WrittenNote note : waiting) {
            assertThat(discreteMath().notesPointingAt(note.path())).hasSize(1);
        }
        assertThat(discreteMath().noteNodes()).hasSize(3);
    }

    @Test
    void aStoppedServersLedgerIsReadAsHostile() throws Exception {
        // notes written but not linked: any line that got through would show in the canvas
        FileVault writer = new FileVault(root, VaultOptions.defaults().withWriteBack(false), CLOCK);
        List<WrittenNote> notes = List.of(
                writer.writeNote(draft(Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION)),
                writer.writeNote(draft(Q2, "逆否命题和否命题的区别", AgentId.COMPARISON_TABLE)));
        writer.close();
        String canvasBefore = Files.readString(root.resolve(Fixtures.DISCRETE_MATH));
        String validLine = "{\"canvas\":\"" + Fixtures.DISCRETE_MATH + "\",\"node\":\"" + Q1
                + "\",\"agent\":\"oral-explanation\",\"note\":\"" + notes.get(0).path() + "\"}\n";
        Files.createDirectories(root.resolve(PendingLinks.FOLDER));
        // a ledger whose lines claim another node's note, lead out of the vault, or are no JSON
        Files.writeString(
                root.resolve(PendingLinks.ledgerOf("planted")),
                "{\"canvas\":\"" + Fixtures.DISCRETE_MATH + "\",\"node\":\"" + Q1
                        + "\",\"agent\":\"oral-explanation\",\"note\":\""
                        + notes.get(1).path() + "\"}\n"
                        + "{\"canvas\":\"../outside.canvas\",\"node\":\"x\",\"agent\":\"oral-explanation\","
                        + "\"note\":\"a.md\"}\n"
                        + "not json at all\n");
        // a ledger that is a link to a file of the learner's holding a line that would be valid
        Path learners = Files.writeString(root.resolve("my-lines.jsonl"), validLine);
        Files.createSymbolicLink(root.resolve(PendingLinks.ledgerOf("linked")), Path.of("../my-lines.jsonl"));
        // a ledger too large to read
        Path huge = root.resolve(PendingLinks.ledgerOf("huge"));
        try (var out = Files.newBufferedWriter(huge)) {
            for (long written = 0; written <= 16L * 1024 * 1024; written += validLine.length()) {
                out.write(validLine);
            }
        }

        FileVault adopter = server("server-z", new FullDisk());
        assertThat(adopter.adoptLinksLeftBy("planted")).isTrue();
        assertThat(adopter.adoptLinksLeftBy("linked")).isTrue();
        assertThat(adopter.adoptLinksLeftBy("huge")).isTrue();
        for (String notAName : List.of("../my-lines", "a/b", ".hidden", "", "x".repeat(101))) {
            assertThat(adopter.adoptLinksLeftBy(notAName)).as(notAName).isTrue();
        }
        adopter.close();

        assertThat(Files.readString(root.resolve(Fixtures.DISCRETE_MATH)))
                .as("no line of these ledgers linked anything")
                .isEqualTo(canvasBefore);
        assertThat(root.resolve(PendingLinks.ledgerOf("planted")))
                .as("a stopped server's ledger, read")
                .doesNotExist();
        assertThat(root.resolve(PendingLinks.ledgerOf("linked"))).isSymbolicLink();
        assertThat(huge).as("too large to read, so left as it is").exists();
        assertThat(learners).hasContent(validLine);
        assertThatThrownBy(() -> server("../escape", new FullDisk())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLedgerFolderSwappedForALinkWhileAStoppedServersLedgerIsAdoptedLeadsToNoDeleteOutsideTheVault(
            @TempDir Path outside) throws Exception {
        FullDisk diskOfA = new FullDisk();
        FileVault a = server("server-a", diskOfA);
        a.writeNote(draft(Q3, "逆否命题和原命题等价吗", AgentId.CLARIFICATION_PATH));
        assertThat(writes.poll(30, TimeUnit.SECONDS)).isEqualTo(Fixtures.DISCRETE_MATH);
        a.writeNote(draft(Q1, "什么是逆否命题", AgentId.ORAL_EXPLANATION));
        diskOfA.full = true;
        a.close();
        Path notOurs = Files.writeString(outside.resolve("pending-links-server-a.jsonl"), "another program's lines\n");

        FullDisk diskOfB = new FullDisk();
        FileVault b = server("server-b", diskOfB);
        Path folder = root.resolve(PendingLinks.FOLDER);
        AtomicBoolean swapped = new AtomicBoolean();
        // B has read A's ledger and recorded its links; before it deletes A's ledger, the folder becomes a link
        diskOfB.afterClosing = path -> {
            if (path.endsWith("pending-links-server-b.jsonl") && swapped.compareAndSet(false, true)) {
                try {
                    Files.move(folder, folder.resolveSibling(PendingLinks.FOLDER + "-moved"));
                    Files.createSymbolicLink(folder, outside);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };

        b.adoptLinksLeftBy("server-a");

        assertThat(swapped).as("the folder was swapped").isTrue();
        assertThat(notOurs).hasContent("another program's lines\n");
        assertThat(root.resolve(PendingLinks.FOLDER + "-moved/pending-links-server-a.jsonl"))
                .as("the ledger that was read is the one deleted")
                .doesNotExist();
    }

    private FileVault server(String name, FullDisk disk) {
        return open(name, disk);
    }

    private FileVault open(String writer, FullDisk disk) {
        FileVault vault = new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(Duration.ofHours(1)),
                CLOCK,
                writes::add,
                disk,
                new CanvasWriteBack.RetryDelays(Duration.ofHours(1), Duration.ofHours(4)),
                nanos -> {},
                writer);
        opened.add(vault);
        return vault;
    }

    /** Every line of every ledger in the vault. */
    private List<String> ledgerLines() throws IOException {
        Path folder = root.resolve(PendingLinks.FOLDER);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> ledgers = Files.list(folder)) {
            for (Path ledger :
                    ledgers.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                lines.addAll(Files.readAllLines(ledger));
            }
        }
        return lines;
    }

    private static NoteDraft draft(String nodeId, String text, AgentId agent) {
        return new NoteDraft(Fixtures.DISCRETE_MATH, nodeId, text, agent, "# note", "offline", CLOCK.instant());
    }

    private CanvasOnDisk discreteMath() {
        return CanvasOnDisk.read(root.resolve(Fixtures.DISCRETE_MATH));
    }
}
