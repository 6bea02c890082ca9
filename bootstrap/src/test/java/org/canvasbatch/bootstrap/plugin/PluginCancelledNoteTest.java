package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.canvasbatch.testsupport.plugin.ResultSummaryModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch cancelled (from the terminal or the dashboard) while the plugin watches, at the moment one node's note has
 * just been written into the vault and linked into the canvas but its outcome is not yet recorded. (plugin) the window
 * reconnects, is sent {@code session_completed} and opens its summary: what it lists must agree with the vault.
 */
class PluginCancelledNoteTest {

    private static final String CANVAS = "Cancel/four questions.canvas";

    @TempDir
    Path temp;

    private PluginHarness server;
    private ObsidianPlugin plugin;
    private final CountDownLatch noteWritten = new CountDownLatch(1);
    private final CountDownLatch letItReturn = new CountDownLatch(1);

    @AfterEach
    void stop() {
        letItReturn.countDown();
        if (plugin != null) {
            plugin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aNoteWrittenAsTheBatchIsCancelledIsNotListedAsNeverProcessed() throws Exception {
        server = PluginHarness.withDisk(temp, NoteWrittenThenHeld::new);
        PluginCancelTest.writeCanvas(server.vault.resolve(CANVAS), 4);
        plugin = server.plugin();
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, CANVAS);
        Semaphore permits = new Semaphore(0);
        List<String> ids = preview.groups().stream()
                .flatMap(g -> g.nodes().stream())
                .map(GroupPreviewModal.Node::id)
                .toList();
        ids.forEach(id -> server.agent.always(id, new ScriptedAgent.WaitForPermit(permits)));

        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitSocketOpen();
        permits.release(1);
        // q0's answer is in and its note is on disk (and queued for the canvas); its outcome is about to be recorded
        assertThat(noteWritten.await(30, TimeUnit.SECONDS)).isTrue();
        // Ctrl+C in the terminal, or the dashboard's cancel, in that moment; the note's writer returns only once the
        // cancel is under way
        Thread cancelling = Thread.ofVirtual()
                .start(() -> server.core
                        .useCases()
                        .cancel()
                        .cancel(new SessionId(progress.sessionId()), "interrupted from the terminal"));
        cancelling.join(Duration.ofMillis(500));
        letItReturn.countDown();
        assertThat(cancelling.join(Duration.ofSeconds(30))).isTrue();

        ResultSummaryModal summary = progress.awaitSummary();
        List<String> notes = server.notes(CANVAS);
        assertThat(notes).as("q0's note is in the vault").hasSize(1);
        assertThat(summary.succeeded())
                .as("the summary counts as done every question whose note is in the vault: " + notes)
                .isEqualTo(notes.size());
        assertThat(summary.failedNodes())
                .as("a question whose note is in the vault is not listed as never processed")
                .hasSize(ids.size() - notes.size());
    }

    /** The vault on disk; the first note is written, then its writer is held (ignoring interrupts) before it returns. */
    private final class NoteWrittenThenHeld implements Vault {
        private final Vault disk;

        NoteWrittenThenHeld(Vault disk) {
            this.disk = disk;
        }

        @Override
        public Canvas readCanvas(String canvasPath) throws VaultException {
            return disk.readCanvas(canvasPath);
        }

        @Override
        public boolean canvasExists(String canvasPath) {
            return disk.canvasExists(canvasPath);
        }

        @Override
        public String location() {
            return disk.location();
        }

        @Override
        public String contentOf(String canvasPath, CanvasNode node) throws VaultException {
            return disk.contentOf(canvasPath, node);
        }

        @Override
        public WrittenNote writeNote(NoteDraft draft) throws VaultException {
            WrittenNote written = disk.writeNote(draft);
            if (noteWritten.getCount() > 0) {
                noteWritten.countDown();
                boolean interrupted = false;
                while (true) {
                    try {
                        letItReturn.await(30, TimeUnit.SECONDS);
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return written;
        }

        @Override
        public String noteNameFor(
                String canvasPath, String nodeId, String nodeText, org.canvasbatch.domain.agent.AgentId agent) {
            return disk.noteNameFor(canvasPath, nodeId, nodeText, agent);
        }

        @Override
        public void relink(
                String canvasPath, String nodeId, org.canvasbatch.domain.agent.AgentId agent, String notePath) {
            disk.relink(canvasPath, nodeId, agent, notePath);
        }

        @Override
        public boolean adoptLinksLeftBy(String writer) {
            return disk.adoptLinksLeftBy(writer);
        }
    }
}
