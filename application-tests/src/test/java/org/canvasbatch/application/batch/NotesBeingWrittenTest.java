package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.Test;

/** Ending a session (cancel, batch timeout) lets the notes already being written be recorded first. */
class NotesBeingWrittenTest {

    private final NotesBeingWritten writing = new NotesBeingWritten();
    private final SessionId session = new SessionId("s-1");

    @Test
    void anEndWaitsUntilTheNoteBeingWrittenIsRecorded() throws Exception {
        Runnable recorded = writing.enter(session);

        Started<Runnable> ending = start(() -> writing.closeAndAwait(session));

        assertThat(ending.waits()).as("the end waits for the note").isTrue();
        recorded.run();
        ending.result().get(10, TimeUnit.SECONDS).run();
    }

    @Test
    void anAnswerThatComesWhileTheSessionIsBeingEndedWaitsAndIsStoppedByTheEndsInterrupt() throws Exception {
        Runnable open = writing.closeAndAwait(session);
        Started<String> answer = start(() -> {
            try {
                writing.enter(session);
                return "written";
            } catch (InterruptedException e) {
                return "stopped";
            }
        });

        assertThat(answer.waits()).as("the answer waits").isTrue();
        answer.thread().interrupt(); // the end, once stored, interrupts the session's tasks
        open.run();

        assertThat(answer.result().get(10, TimeUnit.SECONDS)).isEqualTo("stopped");
    }

    @Test
    void anAnswerThatWaitedForAnEndTheJournalRefusedIsWrittenOnceTheSessionIsOpenAgain() throws Exception {
        Runnable open = writing.closeAndAwait(session);
        Started<Runnable> answer = start(() -> {
            try {
                return writing.enter(session);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(answer.waits()).isTrue();

        open.run();

        answer.result().get(10, TimeUnit.SECONDS).run();
    }

    @Test
    void aNoteThatNeverFinishesHoldsTheEndOnlyForItsPatience() throws Exception {
        writing.enter(session); // a write stuck on a dead disk: never recorded

        long started = System.nanoTime();
        writing.closeAndAwait(session, Duration.ofMillis(300)).run();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void anotherSessionsNotesNeverHoldAnEnd() throws Exception {
        writing.enter(new SessionId("s-2"));

        CompletableFuture<Runnable> ending = CompletableFuture.supplyAsync(() -> writing.closeAndAwait(session));

        ending.get(10, TimeUnit.SECONDS).run();
    }

    /** An action run on a thread of its own, and what it returns. */
    private record Started<T>(Thread thread, CompletableFuture<T> result) {

        /** Whether the thread is parked waiting (as far as 10 s of looking can tell) while its action is not done. */
        boolean waits() {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                Thread.State state = thread.getState();
                if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
                    return !result.isDone();
                }
                if (result.isDone()) {
                    return false;
                }
                Thread.onSpinWait();
            }
            return false;
        }
    }

    private static <T> Started<T> start(java.util.function.Supplier<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(action.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        thread.start();
        return new Started<>(thread, result);
    }
}
