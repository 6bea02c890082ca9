package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anyone who can write the vault (a sync client, another program) can swap the ledger's folder {@code .canvas-batch}
 * for a link to a folder elsewhere at any moment, also between the vault's look at it and its write. Whenever that
 * happens, the ledger's append or rewrite lands in the folder that was looked at, inside the vault, or is not made
 * (said in one log line): nothing is ever created, replaced or deleted where the link points.
 */
class LedgerFolderSwapTest {

    private static final String CANVAS = "数学/离散数学.canvas";
    private static final String FIRST = "数学/离散数学-notes/什么是逆否命题 (oral-explanation).md";
    private static final String SECOND = "数学/离散数学-notes/逆否命题和否命题的区别 (oral-explanation).md";

    @TempDir
    Path root;

    @TempDir
    Path outside;

    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicBoolean swapped = new AtomicBoolean();

    private Path folder() {
        return root.resolve(PendingLinks.FOLDER);
    }

    private Path moved() {
        return root.resolve(PendingLinks.FOLDER + "-moved");
    }

    /** A ledger whose folder is swapped for a link to {@code outside} once armed, when {@code at} is acted on. */
    private PendingLinks ledgerSwappedAt(Path at) {
        return PendingLinks.inVault(new VaultPaths(root), FileOpener.DEFAULT, swapAt(() -> at));
    }

    /** A ledger whose folder is swapped for a link once armed, when the file it names ({@code at}) is acted on. */
    private PendingLinks ledgerSwappedAtItsOwn(Function<PendingLinks, String> at) {
        AtomicReference<Path> file = new AtomicReference<>();
        PendingLinks ledger = PendingLinks.inVault(new VaultPaths(root), FileOpener.DEFAULT, swapAt(file::get));
        file.set(root.resolve(at.apply(ledger)));
        return ledger;
    }

    /** This ledger's file's name in its folder. */
    private static String nameOf(PendingLinks ledger) {
        return Path.of(ledger.ledgerFile()).getFileName().toString();
    }

    /** This ledger's lock file, vault-relative. */
    private static String lockOf(PendingLinks ledger) {
        return ledger.ledgerFile().replace(".jsonl", ".lock");
    }

    /** Swaps the ledger's folder for a link to {@code outside} once armed, when {@code at} is acted on. */
    private Consumer<Path> swapAt(Supplier<Path> at) {
        return p -> {
            if (p.equals(at.get()) && armed.get() && swapped.compareAndSet(false, true)) {
                try {
                    Files.move(folder(), moved());
                    Files.createSymbolicLink(folder(), outside);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    @Test
    void aFolderSwappedForALinkRightAfterItsLookGetsNoAppendAndTheLinkWaitsInMemoryWithOneLogLine() throws Exception {
        Files.createDirectories(folder());
        PendingLinks ledger = ledgerSwappedAt(folder());
        armed.set(true);

        try (CapturedLogs logs = CapturedLogs.of(PendingLinks.class.getName())) {
            ledger.add(CANVAS, "q1", AgentId.ORAL_EXPLANATION, FIRST);

            assertThat(swapped).as("the folder was swapped").isTrue();
            assertThat(logs.visibleRecords())
                    .as("one line, no stack trace")
                    .singleElement()
                    .satisfies(line -> {
                        assertThat(line.getMessage()).contains(PendingLinks.FOLDER);
                        assertThat(line.getThrown()).isNull();
                    });
        }
        assertThat(namesIn(outside)).as("nothing written where the link points").isEmpty();
        assertThat(namesIn(moved()))
                .as("nothing written in the folder looked at either")
                .isEmpty();
    }

    @Test
    void aFolderSwappedForALinkBetweenTheLookAtTheLedgerAndItsOpenGetsTheLineInTheFolderLookedAt() throws Exception {
        PendingLinks ledger = ledgerSwappedAtItsOwn(PendingLinks::ledgerFile);
        armed.set(true);

        ledger.add(CANVAS, "q1", AgentId.ORAL_EXPLANATION, FIRST);

        assertThat(swapped).as("the folder was swapped").isTrue();
        assertThat(namesIn(outside)).as("nothing written where the link points").isEmpty();
        assertThat(Files.readAllLines(moved().resolve(nameOf(ledger))))
                .singleElement()
                .satisfies(line -> assertThat(line).contains(FIRST));
    }

    @Test
    void aFolderSwappedForALinkAsTheLockFileIsMadeGetsTheLockFileAndTheLineInTheFolderLookedAt() throws Exception {
        PendingLinks ledger = ledgerSwappedAtItsOwn(LedgerFolderSwapTest::lockOf);
        Files.createDirectories(outside);
        armed.set(true);

        ledger.add(CANVAS, "q1", AgentId.ORAL_EXPLANATION, FIRST);

        assertThat(swapped).as("the folder was swapped").isTrue();
        assertThat(namesIn(outside))
                .as("no lock file made, locked or renamed where the link points")
                .isEmpty();
        assertThat(namesIn(moved()))
                .as("the lock file and the ledger, in the folder looked at")
                .containsExactlyInAnyOrder(
                        nameOf(ledger), Path.of(lockOf(ledger)).getFileName().toString());
        assertThat(Files.readAllLines(moved().resolve(nameOf(ledger))))
                .singleElement()
                .satisfies(line -> assertThat(line).contains(FIRST));
    }

    @Test
    void aFolderSwappedForALinkInTheMiddleOfARewriteGetsTheRewriteInTheFolderLookedAt() throws Exception {
        PendingLinks ledger = ledgerSwappedAtItsOwn(PendingLinks::ledgerFile);
        ledger.add(CANVAS, "q1", AgentId.ORAL_EXPLANATION, FIRST);
        ledger.add(CANVAS, "q2", AgentId.ORAL_EXPLANATION, SECOND);
        armed.set(true);

        ledger.withdraw(CANVAS, "q1", AgentId.ORAL_EXPLANATION);

        assertThat(swapped).as("the folder was swapped").isTrue();
        assertThat(namesIn(outside)).as("nothing written where the link points").isEmpty();
        assertThat(namesIn(moved()))
                .as("no temporary file left behind; the lock file stays while links wait")
                .containsExactlyInAnyOrder(
                        nameOf(ledger), Path.of(lockOf(ledger)).getFileName().toString());
        assertThat(Files.readAllLines(moved().resolve(nameOf(ledger))))
                .singleElement()
                .satisfies(line -> assertThat(line).contains(SECOND));
    }

    @Test
    void aFolderSwappedForALinkAsTheLastWaitingLinkIsResolvedDeletesNothingWhereItPoints() throws Exception {
        PendingLinks ledger = ledgerSwappedAtItsOwn(PendingLinks::ledgerFile);
        Path theirs = Files.writeString(outside.resolve(nameOf(ledger)), "another program's lines\n");
        Path theirLock =
                Files.writeString(outside.resolve(Path.of(lockOf(ledger)).getFileName()), "");
        ledger.add(CANVAS, "q1", AgentId.ORAL_EXPLANATION, FIRST);
        armed.set(true);

        ledger.withdraw(CANVAS, "q1", AgentId.ORAL_EXPLANATION);

        assertThat(swapped).as("the folder was swapped").isTrue();
        assertThat(theirs).hasContent("another program's lines\n");
        assertThat(theirLock).exists();
        assertThat(namesIn(moved()))
                .as("the ledger looked at is the one deleted, and its lock file after it")
                .isEmpty();
    }

    @Test
    void aFolderSwappedForALinkAsAStoppedProcesssLedgerIsTakenOverAtStartLocksReadsAndDeletesNothingWhereItPoints()
            throws Exception {
        // a real note of a real canvas, so a line naming it would be taken as the vault's own
        Files.writeString(root.resolve("a.canvas"), "{\"nodes\":[],\"edges\":[]}");
        Files.writeString(
                root.resolve("a.md"),
                "---\nsource_canvas: a.canvas\nsource_node: q1\nagent: oral-explanation\n---\n# a\n");
        String line = "{\"canvas\":\"a.canvas\",\"node\":\"q1\",\"agent\":\"oral-explanation\",\"note\":\"a.md\"}\n";
        // what a process killed with its link waiting leaves: its ledger, and its lock file nobody holds
        String dead = "local-1-0badcafe";
        Files.createDirectories(folder());
        Files.writeString(root.resolve(PendingLinks.ledgerOf(dead)), line);
        Files.writeString(root.resolve(PendingLinks.lockOf(dead)), "");
        Path theirs = Files.writeString(outside.resolve("pending-links-" + dead + ".jsonl"), line);
        Path theirLock = Files.writeString(outside.resolve("pending-links-" + dead + ".lock"), "not ours");
        PendingLinks ledger = ledgerSwappedAt(root.resolve(PendingLinks.lockOf(dead)));
        armed.set(true);

        List<PendingLinks.Entry> left = ledger.load();

        assertThat(swapped).as("the folder was swapped").isTrue();
        assertThat(left)
                .as("the line of the ledger looked at, taken over")
                .singleElement()
                .satisfies(entry -> assertThat(entry.link().notePath()).isEqualTo("a.md"));
        assertThat(theirs).hasContent(line);
        assertThat(theirLock).hasContent("not ours");
        assertThat(namesIn(outside)).hasSize(2);
        // its line could not be recorded in this process's ledger (the folder is a link now): the ledger read stays for
        // a later start, beside its lock file
        assertThat(moved().resolve("pending-links-" + dead + ".jsonl")).hasContent(line);
        assertThat(moved().resolve("pending-links-" + dead + ".lock")).exists();
    }

    @Test
    void aFolderSwappedForALinkAsAServerTakesOverTheLedgerOfAnEarlierVersionRenamesNothingWhereItPoints()
            throws Exception {
        Files.createDirectories(folder());
        Files.writeString(root.resolve(PendingLinks.FILE), "\n");
        Path theirs = Files.writeString(outside.resolve("pending-links.jsonl"), "another program's lines\n");
        PendingLinks ledger = PendingLinks.sharedBy(
                "server-a", new VaultPaths(root), FileOpener.DEFAULT, swapAt(() -> root.resolve(PendingLinks.FILE)));
        armed.set(true);

        ledger.load();

        assertThat(swapped).as("the folder was swapped").isTrue();
        assertThat(namesIn(outside)).as("nothing renamed where the link points").containsExactly("pending-links.jsonl");
        assertThat(theirs).hasContent("another program's lines\n");
        assertThat(namesIn(moved()))
                .as("the ledger looked at is the one taken over, beside its lock file")
                .containsExactlyInAnyOrder(
                        PendingLinks.ledgerOf("server-a").substring(PendingLinks.FOLDER.length() + 1),
                        PendingLinks.lockOf("server-a").substring(PendingLinks.FOLDER.length() + 1));
    }

    @Test
    void aFolderSwappedForALinkAsTheLedgerIsReadAtStartHasNoLineReadWhereItPoints() throws Exception {
        // a real note of a real canvas, so a line naming it would be taken as the vault's own
        Files.writeString(root.resolve("a.canvas"), "{\"nodes\":[],\"edges\":[]}");
        Files.writeString(
                root.resolve("a.md"),
                "---\nsource_canvas: a.canvas\nsource_node: q1\nagent: oral-explanation\n---\n# a\n");
        Files.createDirectories(folder());
        Files.writeString(root.resolve(PendingLinks.FILE), "\n");
        PendingLinks ledger = ledgerSwappedAtItsOwn(PendingLinks::ledgerFile);
        // the earlier version's ledger is renamed to this process's own, which is then read
        Path theirs = Files.writeString(
                outside.resolve(nameOf(ledger)),
                "{\"canvas\":\"a.canvas\",\"node\":\"q1\",\"agent\":\"oral-explanation\",\"note\":\"a.md\"}\n");
        armed.set(true);

        List<PendingLinks.Entry> left = ledger.load();

        assertThat(swapped).as("the folder was swapped").isTrue();
        assertThat(left).as("only the ledger looked at is read").isEmpty();
        assertThat(theirs)
                .hasContent(
                        "{\"canvas\":\"a.canvas\",\"node\":\"q1\",\"agent\":\"oral-explanation\",\"note\":\"a.md\"}\n");
    }

    private static List<String> namesIn(Path folder) throws IOException {
        try (Stream<Path> names = Files.list(folder)) {
            return names.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
