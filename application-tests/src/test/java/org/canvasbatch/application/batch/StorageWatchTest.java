package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.junit.jupiter.api.Test;

/**
 * The journal refuses appends (a full disk): finished work is held, nothing new starts, watchers are told once, and the
 * batch goes on by itself once the journal takes events again, asking the model nothing twice.
 */
class StorageWatchTest {

    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor();

    @Test
    void outcomesAreHeldNothingNewStartsAndTheBatchGoesOnWhenTheJournalTakesEventsAgain() {
        SessionId id = core.analyze(1, "a", "b");
        List<StorageProblem> notices = new ArrayList<>();
        core.useCases.subscriptions().onStorageProblem(id, notices::add);
        core.start(id);

        core.refuseAppends(true);
        core.executor.runAll();

        StorageProblem problem = core.useCases.status().storageProblem(id).orElseThrow();
        assertThat(problem.message()).isEqualTo("Cannot save progress: no space left on device in /data/sessions");
        assertThat(problem.heldWrites()).as("a's outcome").isEqualTo(1);
        assertThat(notices).singleElement().extracting(StorageProblem::message).isEqualTo(problem.message());
        assertThat(core.calls).as("b waits: its start could not be recorded").containsExactly("a");
        assertThat(core.core.storageProblem()).isPresent();

        core.executor.advance(untilNextCheck(problem));
        assertThat(core.useCases.status().storageProblem(id))
                .as("tried again and refused again")
                .hasValueSatisfying(again -> assertThat(again.nextCheckAt()).isAfter(problem.nextCheckAt()));

        core.refuseAppends(false);
        core.executor.advance(
                untilNextCheck(core.useCases.status().storageProblem(id).orElseThrow()));
        core.executor.runAll();

        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(core.calls).as("each node asked once").containsExactly("a", "b");
        assertThat(core.useCases.status().storageProblem(id)).isEmpty();
        assertThat(notices).as("told once per outage").hasSize(1);
    }

    @Test
    void aStartTheJournalRefusesIsTheCallersFailureAndCostsNothing() {
        SessionId id = core.analyze(1, "a");
        core.refuseAppends(true);

        assertThatThrownBy(() -> core.start(id)).isInstanceOf(EventLogException.class);

        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.PENDING);
        core.refuseAppends(false);
        core.start(id);
        core.executor.runAll();
        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.COMPLETED);
    }

    private Duration untilNextCheck(StorageProblem problem) {
        return Duration.between(core.clock.now(), problem.nextCheckAt());
    }
}
