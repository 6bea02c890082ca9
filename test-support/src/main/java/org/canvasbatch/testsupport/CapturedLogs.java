package org.canvasbatch.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The log lines one part of the code writes while a test runs ({@code System.Logger} goes to {@code java.util.logging}
 * unless something else is installed), so a test can assert that a line a person would read was, or was not, written.
 */
public final class CapturedLogs implements AutoCloseable {

    private final Logger logger;
    private final Level previousLevel;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private CapturedLogs(String loggerName) {
        logger = Logger.getLogger(loggerName);
        previousLevel = logger.getLevel();
        logger.setLevel(Level.ALL);
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** Captures everything logged under {@code loggerName} (a class or package name) until closed. */
    public static CapturedLogs of(String loggerName) {
        return new CapturedLogs(loggerName);
    }

    /** The messages logged at INFO or above: what an operator's console shows. */
    public List<String> visibleLines() {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= Level.INFO.intValue())
                .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage())
                .toList();
    }

    /**
     * The records logged at INFO or above whose message contains {@code part}: to check that one clear line was written
     * (its level, and that no stack trace came with it).
     */
    public List<LogRecord> visibleRecordsContaining(String part) {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= Level.INFO.intValue())
                .filter(r -> r.getMessage() != null && r.getMessage().contains(part))
                .toList();
    }

    /** The records of every level, DEBUG too, whose message contains {@code part}: to count what is logged quietly. */
    public List<LogRecord> recordsContaining(String part) {
        return records.stream()
                .filter(r -> r.getMessage() != null && r.getMessage().contains(part))
                .toList();
    }

    /** Every record at INFO or above, with its level and whatever was thrown with it. */
    public List<LogRecord> visibleRecords() {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= Level.INFO.intValue())
                .toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
    }
}
