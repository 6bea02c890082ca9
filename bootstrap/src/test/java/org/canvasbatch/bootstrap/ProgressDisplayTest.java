package org.canvasbatch.bootstrap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
import org.canvasbatch.testsupport.OneGroupSession;
import org.junit.jupiter.api.Test;

/**
 * `canvas-batch run` hears its batch's events on the journal's sync thread: output that does not move (a terminal
 * paused with Ctrl-S, a pipe into a pager nobody scrolls) must hold neither that thread nor the batch.
 */
class ProgressDisplayTest {

    private static final Instant NOW = Instant.parse("2026-12-06T20:00:00Z");

    private final Session session = startedSession("a", "b");

    @Test
    void aPipeNobodyReadsHoldsNoEventAndItsLinesComeInOrderOnceItIsRead() throws Exception {
        BlockedOutput output = new BlockedOutput();
        ProgressDisplay display = new ProgressDisplay(new PrintStream(output, true, UTF_8), false, session.snapshot());
        List<SessionEvent> events = new ArrayList<>();
        for (String node : List.of("a", "b")) {
            events.addAll(session.startTask(node, NOW));
            events.addAll(session.recordSuccess(node, 1, "notes/" + node + ".md", 10, 5, "# " + node, "m", NOW));
        }

        Thread hearing = Thread.ofPlatform().name("journal-sync").start(() -> events.forEach(display::onEvent));

        try {
            assertThat(output.writing.await(10, TimeUnit.SECONDS))
                    .as("the first line is being written")
                    .isTrue();
            assertThat(hearing.join(Duration.ofSeconds(10)))
                    .as("every event was heard while the output stood still")
                    .isTrue();
        } finally {
            output.release();
        }
        display.close();
        assertThat(output.text()).containsSubsequence("[1/2] ok     a -> notes/a.md", "[2/2] ok     b -> notes/b.md");
    }

    /**
     * Ctrl-C's handler closes the live display before it prints "Run the same command again…"; the batch's own close
     * that follows must not draw the frame again, which moved the cursor up over that message and erased it (a
     * hostile test on a pseudo-terminal).
     */
    @Test
    void aSecondCloseDrawsNothingOverWhatWasPrintedAfterTheFirst() {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(terminal, true, UTF_8);
        ProgressDisplay display = new ProgressDisplay(out, true, session.snapshot());
        display.close();
        out.print("Interrupted: run the same command again to finish the rest.\n");

        display.close();

        assertThat(terminal.toString(UTF_8)).endsWith("Interrupted: run the same command again to finish the rest.\n");
    }

    @Test
    void aPausedTerminalHoldsNoEvent() throws Exception {
        BlockedOutput output = new BlockedOutput();
        ProgressDisplay display = new ProgressDisplay(new PrintStream(output, true, UTF_8), true, session.snapshot());
        List<SessionEvent> events = new ArrayList<>(session.startTask("a", NOW));
        events.addAll(session.recordSuccess("a", 1, "notes/a.md", 10, 5, "# a", "m", NOW));

        try {
            assertThat(output.writing.await(10, TimeUnit.SECONDS))
                    .as("the first frame is being drawn")
                    .isTrue();
            Thread hearing = Thread.ofPlatform().name("journal-sync").start(() -> events.forEach(display::onEvent));
            assertThat(hearing.join(Duration.ofSeconds(10)))
                    .as("the events were heard while a frame could not be drawn")
                    .isTrue();
        } finally {
            output.release();
        }
        display.close();
        assertThat(output.text()).contains("1/2");
    }

    /** Output whose writes wait until it is read. */
    private static final class BlockedOutput extends OutputStream {
        final CountDownLatch writing = new CountDownLatch(1);
        private final CountDownLatch read = new CountDownLatch(1);
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public void write(int b) throws InterruptedIOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws InterruptedIOException {
            writing.countDown();
            try {
                read.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("the output was closed while blocked");
            }
            synchronized (written) {
                written.write(bytes, offset, length);
            }
        }

        void release() {
            read.countDown();
        }

        String text() {
            synchronized (written) {
                return written.toString(UTF_8);
            }
        }
    }

    /**
     * A resumed batch with three of four nodes done in its earlier run: the time left is not "0:00" a moment into this
     * run, before any node of it is done (the earlier run's nodes over this run's few milliseconds looked free).
     */
    @Test
    void aResumedBatchsTimeLeftIsNotTakenFromTheNodesItsEarlierRunDid() {
        Session resumed = startedSession("a", "b", "c", "d");
        for (String node : List.of("a", "b", "c")) {
            resumed.startTask(node, NOW);
            resumed.recordSuccess(node, 1, "notes/" + node + ".md", 10, 5, "# " + node, "m", NOW);
        }
        // d was running at the stop: it goes back to the queue, which no failed call of this run is
        resumed.startTask("d", NOW);
        resumed.requeueInterrupted(NOW);
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        ProgressDisplay display = new ProgressDisplay(new PrintStream(terminal, true, UTF_8), true, resumed.snapshot());

        display.close();

        String lastFrame =
                terminal.toString(UTF_8).substring(terminal.toString(UTF_8).lastIndexOf("all"));
        assertThat(lastFrame).contains("3/4").contains("eta --:--").doesNotContain("retries");
    }

    @Test
    void theTimeLeftGoesByThePaceOfThisRunsOwnNodes() {
        var elevenOfThirteen = new org.canvasbatch.domain.session.SessionProgress.Counts(13, 2, 0, 11, 0, 0);

        assertThat(ProgressDisplay.eta(Duration.ofSeconds(10), elevenOfThirteen, 10))
                .as("one node in 10 s, two left")
                .isEqualTo("0:20");
        assertThat(ProgressDisplay.eta(Duration.ofSeconds(10), elevenOfThirteen, 0))
                .isEqualTo("0:01");
    }

    private static Session startedSession(String... nodeIds) {
        Session session = OneGroupSession.created(new SessionId("shown"), SessionSettings.DEFAULT, NOW, nodeIds)
                .session();
        session.start(null, NOW);
        return session;
    }
}
