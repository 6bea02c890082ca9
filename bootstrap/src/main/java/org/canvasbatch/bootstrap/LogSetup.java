package org.canvasbatch.bootstrap;

import java.time.Instant;
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

    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder(160)
                    .append(Instant.ofEpochMilli(record.getMillis()))
                    .append(' ')
                    .append(String.format("%-7s", record.getLevel().getName()))
                    .append(' ')
                    .append(formatMessage(record));
            Throwable thrown = record.getThrown();
            if (thrown != null) {
                // only our own bugs carry a throwable; their trace is what a maintainer needs
                java.io.StringWriter trace = new java.io.StringWriter();
                thrown.printStackTrace(new java.io.PrintWriter(trace));
                line.append(System.lineSeparator()).append(trace);
            }
            return line.append(System.lineSeparator()).toString();
        }
    }
}
