package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.Test;

/** Ending a session (cancel, batch timeout) lets the notes already being written be recorded first. */
class NotesBeingWrittenTest {

    private final NotesBeingWritten writing = new NotesBeingWritten();
    private final SessionId session = new SessionId("s-1");

    @Test
    void anEndWaitsUntilTheNoteBeingWrittenIsRecorded() throws Exception {
        Runnable recorded = writing.enter(session);

        CompletableFuture<Runnable> ending = CompletableFuture.supplyAsync(() -> writing.closeAndAwait(session));

        assertThat(waitsAtLeast(ending, Duration.ofMillis(200)))
                .as("the end waits for the note")
                .isTrue();
        recorded.run();
        ending.get(10, TimeUnit.SECONDS).run();
    }

    @Test
    void anAnswerThatComesWhileTheSessionIsBeingEndedWaitsAndIsStoppedByTheEndsInterrupt() throws Exception {
        Runnable open = writing.closeAndAwait(session);
        AtomicReference<Thread> answering = new AtomicReference<>();
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            answering.set(Thread.currentThread());
            try {
                writing.enter(session);
                return "written";
            } catch (InterruptedException e) {
                return "stopped";
            }
        });

        assertThat(waitsAtLeast(answer, Duration.ofMillis(200)))
                .as("the answer waits")
                .isTrue();
        answering.get().interrupt(); // the end, once stored, interrupts the session's tasks
        open.run();

        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("stopped");
    }

    @Test
    void anAnswerThatWaitedForAnEndTheJournalRefusedIsWrittenOnceTheSessionIsOpenAgain() throws Exception {
        Runnable open = writing.closeAndAwait(session);
        CompletableFuture<Runnable> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return writing.enter(session);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(waitsAtLeast(answer, Duration.ofMillis(200))).isTrue();

        open.run();

        answer.get(10, TimeUnit.SECONDS).run();
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

    /** Whether {@code future} is still not done after {@code time}. */
    private static boolean waitsAtLeast(CompletableFuture<?> future, Duration time) throws InterruptedException {
        Thread.sleep(time);
        return !future.isDone();
    }
}
