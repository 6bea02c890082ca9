package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live process whose lock file was deleted by hand (or a file system giving no locks, where none is made): another
 * process starting on the vault takes its ledger for a stopped one's. It adopts only the lines whose notes are written,
 * and deletes the whole file, so a link the live process recorded before writing its note is gone from the vault: if
 * that process is then killed before the link reaches the canvas, the note is never linked.
 */
class HandDeletedLockFileTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
    private static final String Q1 = "01000c386bbc4";

    @TempDir
    Path root;

    @BeforeEach
    void copyVault() {
        Fixtures.copyVaultTo(root);
    }

    @Test
    void aLinkALiveProcessRecordedBeforeItsNoteIsNotErasedByAnotherStartWhenItsLockFileWasDeletedByHand()
            throws Exception {
        // the note the live process is about to write, and its path
        FileVault noLinks = new FileVault(root, VaultOptions.defaults().withWriteBack(false), CLOCK);
        String notePath;
        try {
            notePath = noLinks.writeNote(new NoteDraft(
                            Fixtures.DISCRETE_MATH,
                            Q1,
                            "什么是逆否命题",
                            AgentId.ORAL_EXPLANATION,
                            "# note",
                            "offline",
                            CLOCK.instant()))
                    .path();
        } finally {
            noLinks.close();
        }
        byte[] note = Files.readAllBytes(root.resolve(notePath));
        Files.delete(root.resolve(notePath));

        // the live process records the link, as it does before writing the note
        PendingLinks serve = PendingLinks.inVault(new VaultPaths(root), FileOpener.DEFAULT);
        serve.load();
        serve.add(Fixtures.DISCRETE_MATH, Q1, AgentId.ORAL_EXPLANATION, notePath);
        Path ledger = root.resolve(serve.ledgerFile());
        assertThat(ledger).exists();
        Files.delete(root.resolve(serve.ledgerFile().replace(".jsonl", ".lock"))); // by hand

        // a run starts beside it at once, in another JVM: one that does not know the live process's writer from its own
        Set<String> live = liveWriters();
        String writer = serve.ledgerFile().replaceAll(".*pending-links-(.*)\\.jsonl", "$1");
        assertThat(live.remove(writer)).isTrue();
        try {
            process().close();
        } finally {
            live.add(writer);
        }

        Files.write(root.resolve(notePath), note); // the live process writes its note
        serve.close(); // and is killed before the link reaches the canvas: its ledger is what it leaves

        // the next start, once the ledger without a lock file has been left alone for longer than any note's write
        process(Clock.offset(Clock.systemUTC(), FileVault.LITTER_AGE.plusMinutes(1)))
                .close();

        assertThat(CanvasOnDisk.read(root.resolve(Fixtures.DISCRETE_MATH)).notesPointingAt(notePath))
                .as("the note the live process wrote is linked by the next start")
                .hasSize(1);
    }

    @SuppressWarnings("unchecked")
    private static Set<String> liveWriters() throws ReflectiveOperationException {
        Field field = PendingLinks.class.getDeclaredField("LIVE");
        field.setAccessible(true);
        return (Set<String>) field.get(null);
    }

    private FileVault process() {
        return process(CLOCK);
    }

    private FileVault process(Clock clock) {
        return new FileVault(
                root,
                VaultOptions.defaults().withCoalesceInterval(Duration.ofHours(1)),
                clock,
                path -> {},
                new FullDisk(),
                new CanvasWriteBack.RetryDelays(Duration.ofHours(1), Duration.ofHours(4)),
                nanos -> {});
    }
}
