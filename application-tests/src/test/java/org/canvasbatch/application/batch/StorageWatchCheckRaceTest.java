package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.application.port.out.TaskExecutor;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.Test;

/**
 * The storage watch's check ends an outage, and before that check has finished another append is refused: a new
 * outage, whose own check comes while the first one still runs and so leaves at once. Nothing came back for the new
 * outage: nothing new started again, for ever. In SteeredBatchesStressTest on a loaded machine (about one run in 150) a
 * batch whose last node start was refused that way stopped with nodes queued and none running.
 */
class StorageWatchCheckRaceTest {

    private static final SessionId SESSION = new SessionId("s1");

    /** Runs nothing by itself: the test runs what was scheduled, in order. */
    private final Deque<Runnable> scheduled = new ArrayDeque<>();

    private Runnable onSchedule = () -> {};

    private final TaskExecutor executor = new TaskExecutor() {
        @Override
        public RunningTask submit(String name, Duration timeout, TaskWork work) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            scheduled.addLast(action);
            Runnable hook = onSchedule;
            onSchedule = () -> {};
            hook.run();
            return () -> scheduled.remove(action);
        }

        @Override
        public boolean shutdown(Duration grace) {
            return true;
        }
    };

    /** A journal that takes the probe: the outage is over as soon as it is checked. */
    private final EventLog journal = new EventLog() {
        @Override
        public void append(List<SessionEvent> events) {}

        @Override
        public List<SessionEvent> readAfter(SessionId sessionId, long afterSeq, int limit) {
            return List.of();
        }

        @Override
        public Subscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener) {
            return () -> {};
        }

        @Override
        public Set<SessionId> sessionIds() {
            return Set.of();
        }

        @Override
        public void delete(SessionId sessionId) {}

        @Override
        public String epoch() {
            return "test";
        }
    };

    private final StorageWatch watch =
            new StorageWatch(journal, executor, new TestClock(), Duration.ofMillis(1), Duration.ofSeconds(5));

    @Test
    void anOutageThatBeginsWhileTheCheckEndingThePreviousOneRunsIsCheckedToo() {
        int[] woken = {0};
        Runnable dispatcher = () -> woken[0]++;
        watch.refused(SESSION, new EventLogException("could not store events: input/output error"));
        assertThat(watch.wakeAfterOutage(dispatcher))
                .as("nothing starts during the outage")
                .isTrue();
        Runnable firstCheck = scheduled.removeFirst();

        // the first check ends the outage and hands the dispatcher its wake-up; in that moment, before the check has
        // finished, the dispatcher's next start is refused: a second outage, and its check runs while the first runs
        onSchedule = () -> {
            watch.refused(SESSION, new EventLogException("could not store events: input/output error"));
            scheduled.removeLast().run();
        };
        firstCheck.run();
        assertThat(watch.problem()).as("the second outage").isPresent();
        assertThat(watch.wakeAfterOutage(dispatcher)).isTrue();

        // whatever was scheduled runs (the journal takes events now): the second outage ends and wakes the dispatcher
        for (int i = 0; i < 100 && !scheduled.isEmpty(); i++) {
            scheduled.removeFirst().run();
        }
        assertThat(watch.problem()).as("the second outage checked and over").isEmpty();
        assertThat(woken[0]).as("the dispatcher woken after each outage").isEqualTo(2);
    }
}
