package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.TaskExecutor;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An answer that came before the node's timeout is the node's note, even when the timeout comes due between the answer
 * and the note. A change tried in the eleventh session (de6163a, taken back) made an answering task wait for the start
 * under way before it looked whether its answer was still wanted: a timeout firing in that wait threw the answer away
 * as "did not answer within", and the node was asked of the model again. This test failed with it.
 */
class AnswerBeforeTheTimeoutTest {

    private static final String CANVAS = "study/topics.canvas";

    private final CountDownLatch bAnswered = new CountDownLatch(1);
    private final HandTimedExecutor executor = new HandTimedExecutor();
    private final ScriptedAgent scripted = new ScriptedAgent();
    private final InMemoryVault vault = new InMemoryVault();

    /** The scripted agent, telling the test when b's call returned its answer. */
    private final AgentRunner agent = new AgentRunner() {
        @Override
        public AgentAnswer run(AgentRequest request) throws AgentFailure, InterruptedException {
            AgentAnswer answer = scripted.run(request);
            if (request.nodeId().equals("b")) {
                bAnswered.countDown();
            }
            return answer;
        }

        @Override
        public String model() {
            return scripted.model();
        }
    };

    private final HeldStartJournal slowJournal = new HeldStartJournal("c");

    private final CanvasBatchCore core = new CanvasBatchCore(
            new CanvasBatchCore.Ports(
                    slowJournal,
                    agent,
                    vault,
                    executor,
                    new TestClock(),
                    () -> new SessionId("s1"),
                    new SplittableRandom(7)),
            CoreSettings.DEFAULT.withGlobalConcurrency(2));

    @AfterEach
    void stop() {
        slowJournal.release.countDown();
        executor.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void anAnswerThatArrivedBeforeTheNodesTimeoutIsKeptThoughTheTimeoutFiresBeforeItsNoteIsWritten() throws Exception {
        CountDownLatch aAnswers = new CountDownLatch(1);
        CountDownLatch bAnswers = new CountDownLatch(1);
        scripted.then("a", new ScriptedAgent.WaitFor(aAnswers));
        scripted.then("b", new ScriptedAgent.WaitFor(bAnswers));
        SessionId id = OneGroupCanvas.analyze(core, vault, CANVAS, 2, "a", "b", "c");
        EventRecorder events = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, events::accept);
        core.useCases().start().start(StartSessionCommand.of(id));

        aAnswers.countDown();
        assertThat(slowJournal.arrived.await(10, TimeUnit.SECONDS))
                .as("a's answer freed its slot: c's start is being stored")
                .isTrue();
        bAnswers.countDown();
        assertThat(bAnswered.await(10, TimeUnit.SECONDS))
                .as("b's agent answered")
                .isTrue();
        Thread b = executor.threadOf("s1/b");
        EventRecorder.awaitCondition(
                () -> b.getState() == Thread.State.TIMED_WAITING
                        || b.getState() == Thread.State.WAITING
                        || b.getState() == Thread.State.TERMINATED,
                "b's task waits after its answer");
        // b's timeout comes due now: after its agent answered, before its note was written
        executor.expire("s1/b");
        slowJournal.release.countDown();

        SessionEvent outcome = events.await(
                SessionEvent.class,
                e -> (e instanceof TaskSucceeded s && s.nodeId().equals("b"))
                        || (e instanceof TaskRetryScheduled r && r.nodeId().equals("b"))
                        || (e instanceof TaskFailed f && f.nodeId().equals("b")));
        assertThat(outcome)
                .as("b's agent answered before its timeout: the answer is b's note")
                .isInstanceOf(TaskSucceeded.class);
        assertThat(scripted.callsOf("b")).as("b is asked of the model once").isEqualTo(1);
    }

    /**
     * Runs each task on a virtual thread of its own, as the local executor does, but a task's timeout fires only when
     * the test says so ({@link #expire}): then it is interrupted as timed out, as the executor's timer would.
     */
    private static final class HandTimedExecutor implements TaskExecutor {
        private final LocalTaskExecutor timers = new LocalTaskExecutor(64);
        private final Map<String, Task> tasks = new ConcurrentHashMap<>();

        private static final class Task implements TaskControl, RunningTask {
            private final CountDownLatch bound = new CountDownLatch(1);
            private volatile Thread thread;
            private volatile boolean timedOut;
            private volatile boolean cancelled;
            private volatile boolean ended;

            @Override
            public boolean timedOut() {
                return timedOut;
            }

            @Override
            public boolean cancelled() {
                return cancelled;
            }

            @Override
            public synchronized void cancel() {
                cancelled = true;
                if (thread != null && !ended) {
                    thread.interrupt();
                }
            }

            synchronized void expire() {
                if (!ended && !cancelled) {
                    timedOut = true;
                    thread.interrupt();
                }
            }
        }

        @Override
        public RunningTask submit(String name, Duration timeout, TaskWork work) {
            Task task = new Task();
            tasks.put(name, task);
            Thread.ofVirtual().name(name).start(() -> {
                synchronized (task) {
                    task.thread = Thread.currentThread();
                }
                task.bound.countDown();
                try {
                    if (task.cancelled) {
                        Thread.currentThread().interrupt();
                    }
                    work.run(task);
                } catch (InterruptedException e) {
                    // stopped: what the task does about it is its own business
                } finally {
                    synchronized (task) {
                        task.ended = true;
                    }
                }
            });
            return task;
        }

        Thread threadOf(String name) throws InterruptedException {
            Task task = tasks.get(name);
            assertThat(task).as("task " + name + " submitted").isNotNull();
            assertThat(task.bound.await(10, TimeUnit.SECONDS)).isTrue();
            return task.thread;
        }

        void expire(String name) {
            tasks.get(name).expire();
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            return timers.schedule(delay, action);
        }

        @Override
        public boolean shutdown(Duration grace) {
            tasks.values().forEach(Task::cancel);
            return timers.shutdown(grace);
        }
    }
}
