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

    @Test
    void whatCouldStartAnotherLineOrTurnItAroundIsWrittenAsAnEscape() {
        assertThat(LogSetup.oneLine("session x\n2026-01-01T00:00:00Z SEVERE forged\r"))
                .isEqualTo("session x\\n2026-01-01T00:00:00Z SEVERE forged\\r");
        assertThat(LogSetup.oneLine("a\u0085b\u2028c\u2029d\u202Ee\u0000f"))
                .isEqualTo("a\\u0085b\\u2028c\\u2029d\\u202ee\\u0000f");
        assertThat(LogSetup.oneLine("hidden\uDB40\uDC41\uDB40\uDC7F tags"))
                .as("invisible tag characters, outside the basic plane")
                .isEqualTo("hidden\\U000e0041\\U000e007f tags");
        assertThat(LogSetup.oneLine("什么是逆否命题\t(oral-explanation) ✅ 😀"))
                .as("text and tabs stay as they are")
                .isEqualTo("什么是逆否命题\t(oral-explanation) ✅ 😀");
    }

    @Test
    void aThrowablesMessageKeepsToItsLineAndItsTraceStaysWhole() {
        LogSetup.configure(Level.INFO, Level.WARNING);
        java.util.logging.Formatter oneLine =
                Logger.getLogger("").getHandlers()[0].getFormatter();
        var record = new java.util.logging.LogRecord(Level.WARNING, "a request failed");
        record.setThrown(new IllegalStateException(
                "bad header\n2026-01-01T00:00:00Z SEVERE forged", new java.io.IOException("cause\r\nforged too")));

        String[] lines = oneLine.format(record).split("\\R");

        assertThat(lines[0]).endsWith("a request failed");
        assertThat(lines[1])
                .isEqualTo("java.lang.IllegalStateException: bad header\\n2026-01-01T00:00:00Z SEVERE forged");
        assertThat(lines).anyMatch(l -> l.startsWith("\tat org.canvasbatch.bootstrap.LogSetupTest."));
        assertThat(lines).contains("Caused by: java.io.IOException: cause\\r\\nforged too");
        assertThat(lines).noneMatch(l -> l.startsWith("2026-01-01") || l.startsWith("forged"));
    }
}
