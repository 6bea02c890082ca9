package org.canvasbatch.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The lines one class logs while a test runs ({@code System.Logger} goes to {@code java.util.logging} unless a program
 * says otherwise), for tests that check what an operator reads: one clear line, never a stack trace for a client's
 * mistake. Close it to stop listening.
 */
public final class LogLines implements AutoCloseable {

    /** One logged line: its level name (WARNING, SEVERE, …), its text, and whether a stack trace came with it. */
    public record Line(String level, String text, boolean withStackTrace) {}

    private final Logger logger;
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(new Line(record.getLevel().getName(), record.getMessage(), record.getThrown() != null));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private LogLines(String source) {
        // held strongly: java.util.logging keeps loggers only weakly
        logger = Logger.getLogger(source);
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** Starts listening to what {@code source} logs (at INFO and above, the default level). */
    public static LogLines of(Class<?> source) {
        return new LogLines(source.getName());
    }

    /** The same for a class a test cannot name (package-private elsewhere), by its full name. */
    public static LogLines of(String className) {
        return new LogLines(className);
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** The lines whose text contains {@code part}. */
    public List<Line> containing(String part) {
        return lines.stream().filter(line -> line.text().contains(part)).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
