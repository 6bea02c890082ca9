package org.canvasbatch.bootstrap;

import java.util.ArrayList;
import java.util.List;

/** The command line of {@code canvas-batch} in a process of its own, with this test's classes and JVM. */
final class MainProcess {

    private MainProcess() {}

    /** {@code java -cp <this classpath> Main <arguments>}: the first argument is the command (run, serve, demo). */
    static List<String> command(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(arguments);
        return command;
    }
}
