package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** What a plugin window surely had when it closed its socket: only what was written the margin before. */
class SettledWritesTest {

    private static final Instant T0 = Instant.parse("2026-12-04T20:00:00Z");
    private static final Duration MARGIN = Duration.ofMillis(250);
    private static final Duration NO_WAIT = Duration.ZERO;
    /** Far longer than noting a write takes; what the test waits for comes long before. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void whatWasWrittenWithinTheMarginBeforeTheCloseIsNotCountedAsReached() {
        SettledWrites writes = new SettledWrites(MARGIN);
        writes.written(T0, 3);
        writes.written(T0.plusMillis(900), 7);

        assertThat(writes.closeAt(T0.plusMillis(1_000), NO_WAIT)).isEqualTo(3);
    }

    @Test
    void whatWasWrittenTheMarginBeforeTheCloseIsCountedAsReached() {
        SettledWrites writes = new SettledWrites(MARGIN);
        writes.written(T0, 3);
        writes.written(T0.plusMillis(900), 7);

        assertThat(writes.closeAt(T0.plusMillis(1_150), NO_WAIT)).isEqualTo(7);
    }

    @Test
    void aSocketThatWroteNothingSettledKeepsWhereItsWindowStarted() {
        SettledWrites writes = new SettledWrites(MARGIN);
        assertThat(writes.startAfter(12)).isEqualTo(12);
        writes.written(T0, 15);

        assertThat(writes.closeAt(T0.plusMillis(10), NO_WAIT)).isEqualTo(12);
    }

    /**
     * The client had the seventh outcome long before the close (PluginCountsTest counted it twice on a busy machine):
     * its write began two seconds before, but the thread that wrote it had not noted it yet when the close arrived.
     * The close waits for the note, so the outcome counts as reached and is not sent again.
     */
    @Test
    void aWriteStillBeingNotedWhenTheCloseArrivesIsWaitedFor() throws Exception {
        SettledWrites writes = new SettledWrites(MARGIN);
        writes.written(T0, 6);
        writes.writing();
        Thread closing = Thread.currentThread();
        AtomicBoolean closed = new AtomicBoolean();
        // the drain notes its write only once the close is waiting for it (or, should it not wait, after it)
        Thread noting = Thread.ofVirtual().start(() -> {
            while (closing.getState() != Thread.State.TIMED_WAITING && !closed.get()) {
                Thread.onSpinWait();
            }
            writes.written(T0.plusMillis(10), 7);
        });

        long settled = writes.closeAt(T0.plusMillis(2_000), PATIENCE);
        closed.set(true);
        noting.join();

        assertThat(settled).isEqualTo(7);
    }

    /**
     * The drain noted the outcome it wrote before the close arrived only after the close was judged without waiting,
     * and then left, reading where its window got (SpeakingSocketMinimizedTest failed in CI: the window's other socket
     * was closed to resume for an outcome the client had long before). The note counts for the close it followed.
     */
    @Test
    void aWriteNotedAfterTheCloseWasJudgedStillCountsIfItEndedBeforeIt() {
        SettledWrites writes = new SettledWrites(MARGIN);
        writes.written(T0, 6);
        writes.writing();
        assertThat(writes.closeAt(T0.plusMillis(2_000), NO_WAIT)).isEqualTo(6);

        writes.written(T0.plusMillis(1_000), 7);

        assertThat(writes.reachedAtClose()).isEqualTo(7);
    }

    @Test
    void aWriteNotedAfterTheCloseThatEndedWithinTheMarginBeforeItIsNotCounted() {
        SettledWrites writes = new SettledWrites(MARGIN);
        writes.written(T0, 6);
        writes.writing();
        writes.closeAt(T0.plusMillis(2_000), NO_WAIT);

        writes.written(T0.plusMillis(1_900), 7);
        writes.written(T0.plusMillis(5_000), 8);

        assertThat(writes.reachedAtClose())
                .as("what may have reached the browser behind the click is sent again")
                .isEqualTo(6);
    }

    /**
     * The order of {@code Connection.closedByClient}: the close is judged at its arrival, the drain then notes the
     * write that was under way (a slow renderer held it until well after the close), and the close is judged again
     * once that note came. The outcome written 100 ms before the close may have been dropped behind the click: it must
     * be sent again, whatever time the slow write ended at.
     */
    @Test
    void aSlowWriteNotedAfterTheCloseDoesNotSettleWhatWasWrittenWithinTheMarginBeforeIt() {
        SettledWrites writes = new SettledWrites(MARGIN);
        writes.written(T0, 6);
        writes.written(T0.plusMillis(1_900), 7);
        writes.writing();
        Instant arrived = T0.plusMillis(2_000);
        assertThat(writes.closeAt(arrived, NO_WAIT)).isEqualTo(6);

        writes.written(T0.plusMillis(2_600), 8);
        writes.closeAt(arrived, PATIENCE);

        assertThat(writes.reachedAtClose())
                .as("outcome 7 was written 100 ms before the close: the window's next socket must send it again")
                .isEqualTo(6);
    }

    /** The window's end handed after the plugin's close arrived cannot make that close later. */
    @Test
    void aLaterJudgementDoesNotMoveTheCloseThatArrivedFirst() {
        SettledWrites writes = new SettledWrites(MARGIN);
        writes.written(T0, 6);
        writes.written(T0.plusMillis(1_900), 7);
        writes.closeAt(T0.plusMillis(2_000), NO_WAIT);

        writes.closeAt(T0.plusMillis(3_000), NO_WAIT);

        assertThat(writes.reachedAtClose()).isEqualTo(6);
    }

    @Test
    void aWindowThatHasNotStoppedHasNoPositionAtClose() {
        SettledWrites writes = new SettledWrites(MARGIN);
        writes.written(T0, 6);

        assertThat(writes.reachedAtClose()).isEqualTo(-1);
    }

    @Test
    void aWriteThatFailedIsNotWaitedForAndNotCountedAsReached() {
        SettledWrites writes = new SettledWrites(MARGIN);
        writes.written(T0, 6);
        writes.writing();
        writes.notWritten();

        assertThat(writes.closeAt(T0.plusMillis(2_000), PATIENCE)).isEqualTo(6);
    }

    @Test
    void aNoteThatNeverComesIsWaitedForOnlyThePatience() {
        SettledWrites writes = new SettledWrites(MARGIN);
        writes.written(T0, 6);
        writes.writing();

        assertThat(writes.closeAt(T0.plusMillis(2_000), Duration.ofMillis(50)))
                .as("the write not noted is sent again: counted twice, never missed")
                .isEqualTo(6);
    }
}
