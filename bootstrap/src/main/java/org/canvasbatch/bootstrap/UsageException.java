package org.canvasbatch.bootstrap;

import java.util.List;

/** A command line or input the user must fix; printed as one line, exit code 2, never a stack trace. */
final class UsageException extends RuntimeException {

    private final transient List<String> lines;

    UsageException(String message) {
        this(List.of(message));
    }

    /**
     * A message of several lines, each printed on its own; a line break inside one of them (a value quoted from the
     * command line or a file) is not one of these and is shown as an escape, so that no value can forge a line.
     */
    UsageException(List<String> lines) {
        super(String.join("\n", lines));
        this.lines = List.copyOf(lines);
    }

    List<String> lines() {
        return lines;
    }
}
