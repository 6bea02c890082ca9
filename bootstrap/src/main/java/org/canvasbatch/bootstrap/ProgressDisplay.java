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
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * Shows a running batch: on a terminal, a bar per group redrawn in place with counts, failures, elapsed time and an
 * ETA; elsewhere (a pipe, a CI log), one plain line per finished node.
 */
final class ProgressDisplay implements AutoCloseable {

    private static final int BAR_WIDTH = 24;
    private static final int NAME_WIDTH = 26;

    private final PrintStream out;
    private final boolean terminal;
    private final Instant started = Instant.now();
    private final int total;
    private final Map<Integer, GroupLine> groups = new LinkedHashMap<>();
    private final ScheduledExecutorService redraw;
    private int succeeded;
    private int failed;
    private int retries;
    private int drawnLines;
    private long shownSeq;

    private static final class GroupLine {
        final String label;
        final int size;
        int ok;
        int bad;

        GroupLine(String label, int size) {
            this.label = label;
            this.size = size;
        }
    }

    ProgressDisplay(PrintStream out, boolean terminal, SessionSnapshot snapshot) {
        this.out = out;
        this.terminal = terminal;
        this.total = snapshot.totalNodes();
        for (Group group : snapshot.groups()) {
            groups.put(group.id(), new GroupLine(group.id() + " " + group.name(), group.size()));
        }
        sync(snapshot);
        if (terminal) {
            redraw = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("progress").factory());
            redraw.scheduleAtFixedRate(this::draw, 0, 250, TimeUnit.MILLISECONDS);
        } else {
            redraw = null;
        }
    }

    /** Takes the counts of a newer snapshot (a resumed batch has nodes done before this display started). */
    synchronized void sync(SessionSnapshot snapshot) {
        if (snapshot.lastSeq() < shownSeq) {
            return;
        }
        shownSeq = snapshot.lastSeq();
        succeeded = snapshot.succeeded();
        failed = snapshot.failed();
        for (var progress : snapshot.groupProgress()) {
            GroupLine line = groups.get(progress.group().id());
            line.ok = progress.succeeded();
            line.bad = progress.failed();
        }
    }

    /** Called for every event of the session, on the thread that appended it: cheap and never blocking. */
    synchronized void onEvent(SessionEvent event) {
        if (event.seq() <= shownSeq) {
            return;
        }
        shownSeq = event.seq();
        switch (event) {
            case TaskSucceeded e -> {
                succeeded++;
                groups.get(e.groupId()).ok++;
                if (!terminal) {
                    out.printf("[%d/%d] ok     %s -> %s%n", processed(), total, shorten(e.nodeId(), 12), e.notePath());
                }
            }
            case TaskFailed e -> {
                failed++;
                groups.get(e.groupId()).bad++;
                if (!terminal) {
                    out.printf(
                            "[%d/%d] FAILED %s: %s%n", processed(), total, shorten(e.nodeId(), 12), e.errorMessage());
                }
            }
            case TaskRetryScheduled e -> {
                retries++;
                if (!terminal) {
                    out.printf(
                            "       retry  %s (attempt %d failed: %s)%n",
                            shorten(e.nodeId(), 12), e.attempt(), e.errorMessage());
                }
            }
            default -> {}
        }
    }

    private int processed() {
        return succeeded + failed;
    }

    private synchronized void draw() {
        StringBuilder frame = new StringBuilder();
        if (drawnLines > 0) {
            frame.append("\u001b[").append(drawnLines).append('F'); // back to the first line of the last frame
        }
        int lines = 0;
        for (GroupLine group : groups.values()) {
            frame.append("\u001b[2K")
                    .append(String.format(
                            "  %s %s %3d/%-3d%s%n",
                            TerminalText.fit(group.label, NAME_WIDTH),
                            bar(group.ok + group.bad, group.size),
                            group.ok + group.bad,
                            group.size,
                            group.bad > 0 ? "  \u001b[31m" + group.bad + " failed\u001b[0m" : ""));
            lines++;
        }
        Duration elapsed = Duration.between(started, Instant.now());
        frame.append("\u001b[2K")
                .append(String.format(
                        "  %s %s %3d/%-3d  ok %d  failed %d%s  %s  eta %s%n",
                        TerminalText.fit("all", NAME_WIDTH),
                        bar(processed(), total),
                        processed(),
                        total,
                        succeeded,
                        failed,
                        retries > 0 ? "  retries " + retries : "",
                        clock(elapsed),
                        eta(elapsed)));
        lines++;
        drawnLines = lines;
        out.print(frame);
        out.flush();
    }

    private String eta(Duration elapsed) {
        int done = processed();
        if (done == 0 || done >= total) {
            return done >= total ? "0:00" : "--:--";
        }
        return clock(elapsed.multipliedBy(total - done).dividedBy(done));
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
