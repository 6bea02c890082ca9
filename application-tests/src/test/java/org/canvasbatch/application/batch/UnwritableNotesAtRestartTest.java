package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.ManualExecutor;
import org.junit.jupiter.api.Test;

/**
 * A server stopped while a batch ran, and its canvas's notes folder was made a symbolic link before it started again:
 * continued, the batch had every question still to do asked of the model, paid for, and refused at its note, and no one
 * was there to be told. It waits, paused, saying why; a resume continues it once the folder is a real one.
 */
class UnwritableNotesAtRestartTest {

    private static final String REFUSAL = "The notes folder 'study/topics-notes' is a symbolic link; notes are never"
            + " written through one. Replace it with a real folder.";

    private final CoreOnAManualExecutor first = new CoreOnAManualExecutor();

    @Test
    void aBatchWhoseNotesFolderBecameALinkWhileTheServerWasDownIsPausedSayingWhy() {
        SessionId id = first.analyze(1, "a", "b", "c");
        first.start(id);
        first.vault.refusingNotesFolders(REFUSAL);

        ManualExecutor executor = new ManualExecutor(first.clock);
        CanvasBatchCore restarted = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        first.journal,
                        first.agent,
                        first.vault,
                        executor,
                        first.clock,
                        () -> new SessionId("never"),
                        new SplittableRandom(5)),
                CoreSettings.DEFAULT);
        restarted.recover();
        executor.runAll();

        assertThat(restarted.useCases().status().status(id).state()).isEqualTo(SessionState.PAUSED);
        assertThat(first.calls).as("the model is asked nothing").isEmpty();
        assertThat(first.journal.readAfter(id, 0, 1_000).stream()
                        .filter(SessionEvent.SessionPaused.class::isInstance)
                        .map(e -> ((SessionEvent.SessionPaused) e).reason())
                        .toList())
                .containsExactly("The notes folder 'study/topics-notes' is a symbolic link; notes are never written"
                        + " through one. Replace it with a real folder, then resume the batch");

        first.vault.refusingNotesFolders(null);
        restarted.useCases().resume().resume(id, "resumed on the dashboard");
        executor.runAll();

        assertThat(first.calls).as("asked once the folder is a real one").isNotEmpty();
    }
}
