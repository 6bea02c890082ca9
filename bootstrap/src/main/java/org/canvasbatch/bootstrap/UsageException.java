package org.canvasbatch.bootstrap;

/** A command line or input the user must fix; printed as one line, exit code 2, never a stack trace. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
