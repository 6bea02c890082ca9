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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.Priority;
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
        assertThat(output.text())
                .containsSubsequence("[1/2] ok     question a -> notes/a.md", "[2/2] ok     question b -> notes/b.md");
    }

    /**
     * A line said while the batch runs (the model server's check, when it comes after the plan) is written above the
     * live bars, which are drawn again below it, once; in plain mode it is a line among the others; after the end,
     * nothing.
     */
    @Test
    void aNoteWhileTheBatchRunsIsALineAboveTheBarsOnceAndNothingAfterTheEnd() {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        ProgressDisplay live = new ProgressDisplay(new PrintStream(terminal, true, UTF_8), true, session.snapshot());
        live.note("Warning: the model server is not answering.");
        live.close();
        live.note("Warning: said after the end.");

        String drawn = terminal.toString(UTF_8);
        assertThat(drawn)
                .as("the last frame cleared to the end of the screen first: a long note wraps over its rows")
                .contains("\u001b[JWarning: the model server is not answering.");
        assertThat(drawn.split("Warning: the model server is not answering\\.", -1))
                .as("written once")
                .hasSize(2);
        assertThat(drawn.substring(drawn.indexOf("Warning: the model server")))
                .as("the bars drawn again below it")
                .contains("all");
        assertThat(drawn).doesNotContain("after the end");

        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        ProgressDisplay plain = new ProgressDisplay(new PrintStream(lines, true, UTF_8), false, session.snapshot());
        plain.note("Warning: the model server is not answering.");
        plain.close();
        plain.note("Warning: said after the end.");

        assertThat(lines.toString(UTF_8))
                .isEqualTo("Warning: the model server is not answering." + System.lineSeparator());
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

    /** A note's line names its question by its text, as the failed ones do, not by a node id nobody sees. */
    @Test
    void aDoneQuestionsLineNamesItByItsText() {
        Session session = sessionOf(Map.of("02002d5e341a9f0c", "什么是命题？"));
        session.start(null, NOW);
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        ProgressDisplay display = new ProgressDisplay(new PrintStream(lines, true, UTF_8), false, session.snapshot());
        List<SessionEvent> events = new ArrayList<>(session.startTask("02002d5e341a9f0c", NOW));
        events.addAll(session.recordSuccess("02002d5e341a9f0c", 1, "notes/什么是命题.md", 10, 5, "# 什么是命题", "m", NOW));

        events.forEach(display::onEvent);
        display.close();

        assertThat(lines.toString(UTF_8))
                .contains("[1/1] ok     什么是命题？ -> notes/什么是命题.md")
                .doesNotContain("02002d5e341");
    }

    /**
     * A failed or retried question's plain line names it by its text, cut to fit, with nothing a terminal would take as
     * a command — not by its node id, which the learner never sees in Obsidian.
     */
    @Test
    void aFailedQuestionsLineNamesItByItsText() {
        String hostile = "Why \u001b]0;PWNED\u0007\u001b[2J G1?";
        String chinese = "如何理解集合的幂集与其子集之间的一一对应关系，以及它在组合计数中的作用和意义是什么";
        Session session = sessionOf(Map.of("02002d5e341a9f0c", hostile, "7f3e9b1c2d4a5e6f", chinese));
        session.start(null, NOW);
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        ProgressDisplay display = new ProgressDisplay(new PrintStream(lines, true, UTF_8), false, session.snapshot());
        List<SessionEvent> events = new ArrayList<>(session.startTask("02002d5e341a9f0c", NOW));
        events.addAll(
                session.recordFailure("02002d5e341a9f0c", 1, "overloaded", "server", true, 5, Optional.of(NOW), NOW));
        events.addAll(session.startTask("02002d5e341a9f0c", NOW));
        events.addAll(session.recordFailure(
                "02002d5e341a9f0c", 2, "content policy", "policy", false, 5, Optional.empty(), NOW));
        events.addAll(session.startTask("7f3e9b1c2d4a5e6f", NOW));
        events.addAll(session.recordFailure(
                "7f3e9b1c2d4a5e6f", 1, "content policy", "policy", false, 5, Optional.empty(), NOW));

        events.forEach(display::onEvent);
        display.close();

        String printed = lines.toString(UTF_8);
        assertThat(printed)
                .contains("       retry  Why \\u001b]0;PWNED\\u0007\\u001b[2J G1? (attempt 1 failed: overloaded)")
                .contains("[1/2] FAILED Why \\u001b]0;PWNED\\u0007\\u001b[2J G1? — content policy")
                .contains("[2/2] FAILED 如何理解集合的幂集与其子集之间的一一对应关系，… — content policy")
                .doesNotContain("02002d5e341", "7f3e9b1c2d4")
                .doesNotContain("\u001b", "\u0007");
        String chineseLine =
                printed.lines().filter(line -> line.contains("如何")).findFirst().orElseThrow();
        assertThat(TerminalText.columns(
                        chineseLine.substring(chineseLine.indexOf("FAILED ") + 7, chineseLine.indexOf(" — "))))
                .as("cut to fit: %s", chineseLine)
                .isLessThanOrEqualTo(48);
    }

    private static Session sessionOf(Map<String, String> questions) {
        List<PlannedTask> tasks = new ArrayList<>();
        questions.forEach((id, text) -> tasks.add(new PlannedTask(id, 1, text, AgentId.ORAL_EXPLANATION)));
        tasks.sort(java.util.Comparator.comparing(PlannedTask::nodeId));
        Group group = new Group(
                1,
                "group",
                List.of("term"),
                Category.DEFINITION,
                AgentId.ORAL_EXPLANATION,
                Priority.MEDIUM,
                0.8,
                tasks.stream().map(PlannedTask::nodeId).toList());
        return Session.create(
                        new SessionId("named"), "a.canvas", List.of(group), tasks, SessionSettings.DEFAULT, 0.5, 1, NOW)
                .session();
    }

    private static Session startedSession(String... nodeIds) {
        Session session = OneGroupSession.created(new SessionId("shown"), SessionSettings.DEFAULT, NOW, nodeIds)
                .session();
        session.start(null, NOW);
        return session;
    }
}
