package org.canvasbatch.benchmarks.load;

import java.util.List;
import java.util.Locale;

/** One measured figure: its lines in the summary table and a paragraph of detail for the docs. */
interface Figure {

    /** A line of the summary table. */
    record Row(String figure, String measured, String target, Verdict verdict) {}

    enum Verdict {
        MET("met"),
        MISSED("**missed**"),
        NONE("—");

        final String label;

        Verdict(String label) {
            this.label = label;
        }

        static Verdict of(boolean met) {
            return met ? MET : MISSED;
        }
    }

    List<Row> rows();

    /** Markdown: how it was measured and what else was seen. */
    String details();

    static String ms(double millis) {
        if (millis >= 1000 && millis % 1000 == 0) {
            return String.format(Locale.ROOT, "%.0f s", millis / 1000);
        }
        return millis >= 100
                ? String.format(Locale.ROOT, "%.0f ms", millis)
                : String.format(Locale.ROOT, "%.1f ms", millis);
    }

    static String fromMicros(long micros) {
        return micros < 0 ? "n/a" : ms(micros / 1000.0);
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
