package org.canvasbatch.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tool's section of {@code docs/benchmarks.md}: everything between its two markers ({@code <!-- name:begin -->} and
 * {@code <!-- name:end -->}) is replaced, except a hand-written analysis between its notes markers inside it, which is
 * kept from one run to the next. The rest of the file belongs to others and is left as it is. The load tool's section is
 * {@code load-tool}, the fan-out benchmark's {@code fanout}.
 */
final class BenchmarksDoc {

    static final String LOAD_TOOL = "load-tool";
    static final String BEGIN = begin(LOAD_TOOL);
    static final String END = end(LOAD_TOOL);
    static final String NOTES_BEGIN = "<!-- load-tool:notes:begin -->";
    static final String NOTES_END = "<!-- load-tool:notes:end -->";

    private BenchmarksDoc() {}

    /** Writes the load tool's section; creates the file when there is none. */
    static void write(Path file, String generated) throws IOException {
        write(file, LOAD_TOOL, generated);
    }

    /**
     * Writes {@code generated} (and the kept notes) between the markers of section {@code name}; a file without that
     * section gets it at its end, a missing file is created.
     */
    static void write(Path file, String name, String generated) throws IOException {
        String begin = begin(name);
        String end = end(name);
        String notesBegin = "<!-- " + name + ":notes:begin -->";
        String notesEnd = "<!-- " + name + ":notes:end -->";
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n";
        if (!text.contains(begin) && !text.contains(end)) {
            text = text.stripTrailing() + "\n\n" + begin + "\n" + end + "\n";
        }
        int beginAt = text.indexOf(begin);
        int endAt = text.indexOf(end);
        if (beginAt < 0 || endAt < beginAt) {
            throw new IOException(file + " has no well-formed " + begin + " … " + end + " section to write into");
        }
        String section = text.substring(beginAt + begin.length(), endAt);
        String notes;
        int notesBeginAt = section.indexOf(notesBegin);
        int notesEndAt = section.indexOf(notesEnd);
        if (notesBeginAt >= 0 && notesEndAt > notesBeginAt) {
            notes = section.substring(notesBeginAt, notesEndAt + notesEnd.length());
        } else {
            notes = notesBegin + "\n" + notesEnd;
        }
        String replaced = text.substring(0, beginAt + begin.length()) + "\n" + generated.strip() + "\n\n" + notes + "\n"
                + text.substring(endAt);
        Files.createDirectories(file.getParent());
        Files.writeString(file, replaced, StandardCharsets.UTF_8);
    }

    private static String begin(String name) {
        return "<!-- " + name + ":begin -->";
    }

    private static String end(String name) {
        return "<!-- " + name + ":end -->";
    }
}
