package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class LogSetupTest {

    @Test
    void canvasBatchsOwnLevelSurvivesAGarbageCollection() {
        LogSetup.configure(Level.INFO, Level.WARNING);
        var probe = new WeakReference<>(new Object());

        while (probe.get() != null) { // a collection that cleared weak references has happened
            System.gc();
        }

        assertThat(Logger.getLogger("org.canvasbatch.application").isLoggable(Level.INFO))
                .as("the INFO lines of canvas-batch still print")
                .isTrue();
    }
}
