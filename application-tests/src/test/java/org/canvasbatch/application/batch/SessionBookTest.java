package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.canvasbatch.testsupport.EventRecorder.awaitCondition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.ManualExecutor;
import org.canvasbatch.testsupport.OneGroupSession;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Changes to one session that wait for it at the same time are made durable by one append (issue 12). */
class SessionBookTest {

    private static final SessionId ID = new SessionId("s1");

    private final TestClock clock = new TestClock();
    private final InMemoryEventLog memory = new InMemoryEventLog();
    private final List<List<SessionEvent>> appends = new CopyOnWriteArrayList<>();
    private final CountDownLatch appendHeld = new CountDownLatch(1);
    private final CountDownLatch letAppendGo = new CountDownLatch(1);
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean holdNextAppend;
    private volatile boolean refuseAfterHeld;

    private final ForwardingEventLog log = new ForwardingEventLog(memory) {
        @Override
        public void append(List<SessionEvent> events) {
            if (holdNextAppend) {
                holdNextAppend = false;
                appendHeld.countDown();
                awaitQuietly(letAppendGo);
            } else if (refuseAfterHeld && appendHeld.getCount() == 0) {
                throw new EventLogException("disk full", "no space left on device", "/data/sessions", null);
            }
            super.append(events);
            appends.add(List.copyOf(events));
        }
    };

    private final SessionBook book = new SessionBook(
            log, new StorageWatch(log, new ManualExecutor(clock), clock, Duration.ofSeconds(1), Duration.ofSeconds(5)));

    @AfterEach
    void letGo() throws InterruptedException {
        letAppendGo.countDown();
        for (Thread thread : threads) {
            thread.join(10_000);
        }
    }

    @Test
    void startsThatWaitForTheSessionWhileItStoresAnotherAreStoredTogether() throws Exception {
        startedSession("a", "b", "c");
        holdNextAppend = true;
        AtomicReference<List<SessionEvent>> ofA = inThread(s -> s.startTask("a", clock.now()));
        assertThat(appendHeld.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicReference<List<SessionEvent>> ofB = inThread(s -> s.startTask("b", clock.now()));
        AtomicReference<List<SessionEvent>> ofC = inThread(s -> s.startTask("c", clock.now()));
        awaitCondition(
                () -> threads.get(1).getState() == Thread.State.WAITING
                        && threads.get(2).getState() == Thread.State.WAITING,
                "b and c wait for the session");

        letAppendGo.countDown();
        for (Thread thread : threads) {
            thread.join(10_000);
        }

        assertThat(appends.subList(appends.size() - 2, appends.size()))
                .extracting(EventRecorder::describe)
                .satisfiesExactly(
                        first -> assertThat(first).containsExactly("TaskStarted(a#1)"),
                        second -> assertThat(second)
                                .as("one append, one sync, for both")
                                .containsExactlyInAnyOrder("TaskStarted(b#1)", "TaskStarted(c#1)"));
        assertThat(EventRecorder.describe(ofB.get())).containsExactly("TaskStarted(b#1)");
        assertThat(EventRecorder.describe(ofC.get())).containsExactly("TaskStarted(c#1)");
        assertThat(EventRecorder.describe(ofA.get())).containsExactly("TaskStarted(a#1)");
        assertThat(memory.readAfter(ID, 0, 100)).extracting(SessionEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void whenTheLogRefusesAChangeStoredTogetherEachCallerGetsTheRefusalAndNothingOfItStays() throws Exception {
        startedSession("a", "b", "c");
        holdNextAppend = true;
        refuseAfterHeld = true;
        inThread(s -> s.startTask("a", clock.now()));
        assertThat(appendHeld.await(10, TimeUnit.SECONDS)).isTrue();
        List<Object> outcomes = new CopyOnWriteArrayList<>();
        threads.add(Thread.ofPlatform().start(() -> outcomes.add(attempt("b"))));
        threads.add(Thread.ofPlatform().start(() -> outcomes.add(attempt("c"))));
        awaitCondition(
                () -> threads.get(1).getState() == Thread.State.WAITING
                        && threads.get(2).getState() == Thread.State.WAITING,
                "b and c wait for the session");

        letAppendGo.countDown();
        for (Thread thread : threads) {
            thread.join(10_000);
        }

        assertThat(outcomes).hasSize(2).allMatch(EventLogException.class::isInstance);
        NodeState ofA = book.read(ID, s -> s.task("a").state());
        List<NodeState> ofBAndC =
                book.read(ID, s -> List.of(s.task("b").state(), s.task("c").state()));
        assertThat(ofA).isEqualTo(NodeState.RUNNING);
        assertThat(ofBAndC).as("memory never runs ahead of the log").containsOnly(NodeState.QUEUED);
        assertThatThrownBy(() -> book.changeTogether(ID, s -> s.startTask("b", clock.now())))
                .isInstanceOf(EventLogException.class);
    }

    private Object attempt(String nodeId) {
        try {
            return book.changeTogether(ID, s -> s.startTask(nodeId, clock.now()));
        } catch (RuntimeException e) {
            return e;
        }
    }

    private AtomicReference<List<SessionEvent>> inThread(
            java.util.function.Function<Session, List<SessionEvent>> change) {
        AtomicReference<List<SessionEvent>> result = new AtomicReference<>();
        threads.add(Thread.ofPlatform().start(() -> result.set(book.changeTogether(ID, change))));
        return result;
    }

    private void startedSession(String... nodeIds) {
        book.add(OneGroupSession.created(ID, SessionSettings.DEFAULT.withMaxConcurrent(3), clock.now(), nodeIds));
        book.change(ID, s -> s.start(null, clock.now()));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
