package org.canvasbatch.bootstrap;

import java.time.Instant;
import java.util.Set;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One line per log record on stderr: {@code 2026-11-26T12:00:00.123Z INFO  session s1 started}. */
final class LogSetup {

    /**
     * Held here: the log manager keeps loggers only weakly, so a configured logger nobody holds may be collected, and
     * its level with it (then canvas-batch's INFO lines vanish; seen in a JVM that collected early, an AOT training run).
     */
    private static Logger own;

    private LogSetup() {}

    static void configure(Level ownLevel, Level frameworkLevel) {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.ALL);
        console.setFormatter(new OneLine());
        console.setFilter(record -> !ServeRehearsal.rehearsing());
        root.addHandler(console);
        root.setLevel(frameworkLevel);
        own = Logger.getLogger("org.canvasbatch");
        own.setLevel(ownLevel);
    }

    /**
     * A message carries text from clients, the vault and the data folder: a line break in it would start a forged
     * log line, and a direction override would make the line read otherwise than it is, so they are written as
     * escapes.
     */
    static String oneLine(String message) {
        StringBuilder escaped = null;
        for (int i = 0; i < message.length(); ) {
            int c = message.codePointAt(i);
            int width = Character.charCount(c);
            boolean unsafe = (Character.isISOControl(c) && c != '\t')
                    || c == 0x2028
                    || c == 0x2029
                    || Character.getType(c) == Character.FORMAT;
            if (unsafe && escaped == null) {
                escaped = new StringBuilder(message.length() + 16).append(message, 0, i);
            }
            if (escaped != null) {
                if (!unsafe) {
                    escaped.appendCodePoint(c);
                } else if (c == '\n') {
                    escaped.append("\\n");
                } else if (c == '\r') {
                    escaped.append("\\r");
                } else {
                    escaped.append(String.format(c > 0xFFFF ? "\\U%08x" : "\\u%04x", c));
                }
            }
            i += width;
        }
        return escaped == null ? message : escaped.toString();
    }

    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder(160)
                    .append(Instant.ofEpochMilli(record.getMillis()))
                    .append(' ')
                    .append(String.format("%-7s", record.getLevel().getName()))
                    .append(' ')
                    .append(oneLine(formatMessage(record)));
            Throwable thrown = record.getThrown();
            if (thrown != null) {
                // only our own bugs and the framework's carry a throwable; their trace is what a maintainer needs, and
                // its messages may carry a client's text, so each is kept to its line as the message is
                appendTrace(line, thrown, "", java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
            }
            return line.append(System.lineSeparator()).toString();
        }

        private static void appendTrace(StringBuilder line, Throwable thrown, String caption, Set<Throwable> seen) {
            if (!seen.add(thrown)) {
                line.append(System.lineSeparator()).append(caption).append("[circular reference]");
                return;
            }
            String message = thrown.getLocalizedMessage();
            line.append(System.lineSeparator())
                    .append(caption)
                    .append(thrown.getClass().getName())
                    .append(message == null ? "" : ": " + oneLine(message));
            for (StackTraceElement frame : thrown.getStackTrace()) {
                line.append(System.lineSeparator()).append("\tat ").append(frame);
            }
            for (Throwable suppressed : thrown.getSuppressed()) {
                appendTrace(line, suppressed, "Suppressed: ", seen);
            }
            if (thrown.getCause() != null) {
                appendTrace(line, thrown.getCause(), "Caused by: ", seen);
            }
        }
    }
}
