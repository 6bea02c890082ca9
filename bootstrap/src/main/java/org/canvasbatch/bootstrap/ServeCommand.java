package org.canvasbatch.bootstrap;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** {@code canvas-batch serve}: the HTTP + WebSocket server for the Obsidian plugin. */
final class ServeCommand {

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    ServeCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int execute(List<String> args) {
        throw new UsageException("serve is not wired yet");
    }
}
