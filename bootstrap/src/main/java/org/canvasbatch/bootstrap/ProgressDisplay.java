package org.canvasbatch.bootstrap;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionProgress;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * Shows a running batch: on a terminal, a bar per group redrawn in place with counts, failures, elapsed time and an
 * ETA; elsewhere (a pipe, a CI log), one plain line per finished node. It hears events where the journal hands them on
 * (a sync thread), so it never writes there: a paused terminal or a pipe nobody reads holds its own printing thread,
 * not the journal or the batch.
 */
final class ProgressDisplay implements AutoCloseable {

    private static final int BAR_WIDTH = 24;
    private static final int NAME_WIDTH = 26;
    private static final int QUESTION_WIDTH = 48;

    private final PrintStream out;
    private final boolean terminal;
    private final Instant started = Instant.now();
    private final Map<Integer, String> groupLabels = new LinkedHashMap<>();
    private final ScheduledExecutorService redraw;
    /** Prints the plain lines in the order their events came; null on a terminal. */
    private final java.util.concurrent.ExecutorService printing;
    /** Where the batch stands: the core's read model, taken from a snapshot and folded event by event. */
    private SessionProgress progress;

    private int drawnLines;
    /** Nodes the batch had processed before this display started (a resumed batch's earlier run). */
    private int doneBefore;
    /**
     * Retries before this display started: a resumed batch's earlier run's, and the nodes its stop interrupted, which
     * go back to the queue as retries though no call failed.
     */
    private int retriesBefore;

    private final Object drawing = new Object();

    ProgressDisplay(PrintStream out, boolean terminal, SessionSnapshot snapshot) {
        this.out = out;
        this.terminal = terminal;
        for (Group group : snapshot.groups()) {
            groupLabels.put(group.id(), group.id() + " " + group.name());
        }
        this.progress = snapshot.progress();
        this.doneBefore = progress.session().processed();
        this.retriesBefore = progress.retries();
        if (terminal) {
            redraw = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("progress").factory());
            redraw.scheduleAtFixedRate(this::draw, 0, 250, TimeUnit.MILLISECONDS);
            printing = null;
        } else {
            redraw = null;
            printing = Executors.newSingleThreadExecutor(
                    Thread.ofPlatform().daemon().name("progress-lines").factory());
        }
    }

    /** Takes a newer snapshot's progress (a resumed batch has nodes done before this display started). */
    synchronized void sync(SessionSnapshot snapshot) {
        if (snapshot.lastSeq() >= progress.lastSeq()) {
            progress = snapshot.progress();
            doneBefore = progress.session().processed();
            retriesBefore = progress.retries();
        }
    }

    /** Called for every event of the session, where the event log hands it on: cheap, and it never waits for output. */
    synchronized void onEvent(SessionEvent event) {
        if (event.seq() <= progress.lastSeq()) {
            return;
        }
        progress.apply(event);
        if (terminal) {
            return;
        }
        String line = lineFor(event);
        if (line != null && !printing.isShutdown()) {
            printing.execute(() -> {
                out.print(line);
                out.flush();
            });
        }
    }

    /**
     * A line said while the batch runs (the model server's check at start, when it comes after the plan): in plain
     * mode among the event lines, on a terminal above the bars, which move down a line. Nothing once closed.
     */
    void note(String line) {
        synchronized (closing) {
            if (closed) {
                return;
            }
            synchronized (this) {
                if (terminal) {
                    notes.add(line);
                } else if (!printing.isShutdown()) {
                    printing.execute(() -> {
                        out.println(line);
                        out.flush();
                    });
                }
            }
        }
    }

    /** Lines to write above the bars with the next frame, on a terminal. */
    private final java.util.List<String> notes = new java.util.ArrayList<>();

    /** The plain line an event gets, or null. */
    private String lineFor(SessionEvent event) {
        SessionProgress.Counts all = progress.session();
        return switch (event) {
            case TaskSucceeded e ->
                String.format(
                        "[%d/%d] ok     %s -> %s%s%n",
                        all.processed(),
                        all.total(),
                        question(e.nodeId()),
                        TerminalText.printable(e.notePath()),
                        // why is in the summary: the same reason, often for every note, would fill the screen here
                        e.linkProblem() == null ? "" : " (not linked into the canvas)");
            case TaskFailed e ->
                String.format(
                        "[%d/%d] FAILED %s — %s%n",
                        all.processed(), all.total(), question(e.nodeId()), TerminalText.printable(e.errorMessage()));
            case TaskRetryScheduled e ->
                String.format(
                        "       retry  %s (attempt %d failed: %s)%n",
                        question(e.nodeId()), e.attempt(), TerminalText.printable(e.errorMessage()));
            default -> null;
        };
    }

    /**
     * Builds the frame under the lock the events take and writes it outside it, under a lock of its own, so that frames
     * are written whole and in the order they were built.
     */
    private void draw() {
        synchronized (drawing) {
            String frame;
            synchronized (this) {
                frame = frame();
            }
            out.print(frame);
            out.flush();
        }
    }

    private String frame() {
        StringBuilder frame = new StringBuilder();
        if (drawnLines > 0) {
            frame.append("\u001b[").append(drawnLines).append('F'); // back to the first line of the last frame
        }
        if (!notes.isEmpty()) {
            // the last frame cleared whole: a note as long as a warning wraps over more rows than one erase reaches,
            // and the old bars' ends stayed beside it (a reviewer); the bars are drawn again below
            frame.append("\u001b[J");
        }
        for (String note : notes) {
            frame.append(note).append(System.lineSeparator());
        }
        notes.clear();
        int lines = 0;
        for (Map.Entry<Integer, String> group : groupLabels.entrySet()) {
            SessionProgress.Counts counts = progress.group(group.getKey());
            frame.append("\u001b[2K")
                    .append(String.format(
                            "  %s %s %3d/%-3d%s%n",
                            TerminalText.fit(group.getValue(), NAME_WIDTH),
                            bar(counts.processed(), counts.total()),
                            counts.processed(),
                            counts.total(),
                            counts.failed() > 0 ? "  \u001b[31m" + counts.failed() + " failed\u001b[0m" : ""));
            lines++;
        }
        SessionProgress.Counts all = progress.session();
        Duration elapsed = Duration.between(started, Instant.now());
        frame.append("\u001b[2K")
                .append(String.format(
                        "  %s %s %3d/%-3d  ok %d  failed %d%s  %s  eta %s%n",
                        TerminalText.fit("all", NAME_WIDTH),
                        bar(all.processed(), all.total()),
                        all.processed(),
                        all.total(),
                        all.succeeded(),
                        all.failed(),
                        progress.retries() > retriesBefore ? "  retries " + (progress.retries() - retriesBefore) : "",
                        clock(elapsed),
                        eta(elapsed, all, doneBefore)));
        lines++;
        drawnLines = lines;
        return frame.toString();
    }

    /**
     * The rest at this run's pace: only the nodes done since this display started, over the time it has run (a resumed
     * batch's nodes done before would make the rest look nearly free).
     */
    static String eta(Duration elapsed, SessionProgress.Counts all, int doneBefore) {
        int done = all.processed();
        if (done >= all.total()) {
            return "0:00";
        }
        int doneHere = done - doneBefore;
        if (doneHere <= 0) {
            return "--:--";
        }
        return clock(elapsed.multipliedBy(all.total() - done).dividedBy(doneHere));
    }

    private static String bar(int done, int size) {
        int filled = size == 0 ? BAR_WIDTH : (int) ((long) done * BAR_WIDTH / size);
        return "[" + "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled) + "]";
    }

    static String clock(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds >= 3600
                ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }

    /**
     * The question a failure is about, as the learner wrote it on the canvas (a node id is never shown in Obsidian),
     * on one line, cut to {@value #QUESTION_WIDTH} columns and without a character a terminal would take as a command.
     * The node id only for a node the batch has no text for.
     */
    private String question(String nodeId) {
        String text = progress.textOf(nodeId);
        return text.isBlank()
                ? shorten(TerminalText.printable(nodeId), 12)
                : TerminalText.fit(text, QUESTION_WIDTH).stripTrailing();
    }

    private static String shorten(String text, int width) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        int points = oneLine.codePointCount(0, oneLine.length());
        if (points <= width) {
            return oneLine;
        }
        return oneLine.substring(0, oneLine.offsetByCodePoints(0, width - 1)) + "…";
    }

    @Override
    public void close() {
        // once: Ctrl-C's handler closes it before its message, and a second close would draw the frame over that
        // message (the cursor moves up over what it printed); a caller that comes second waits for the first
        synchronized (closing) {
            if (closed) {
                return;
            }
            closed = true;
            closeOnce();
        }
    }

    private final Object closing = new Object();
    private boolean closed;

    private void closeOnce() {
        if (printing != null) {
            synchronized (this) {
                printing.shutdown(); // under the lock events take: none is queued to a printer that has stopped
            }
            printing.close(); // every line printed, before the summary that follows
        }
        if (redraw != null) {
            redraw.shutdownNow();
            try {
                redraw.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            draw();
        }
    }
}
