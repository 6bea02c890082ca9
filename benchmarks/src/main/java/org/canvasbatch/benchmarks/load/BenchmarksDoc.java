package org.canvasbatch.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The load tool's section of {@code docs/benchmarks.md}: everything between its two markers is replaced, except a
 * hand-written analysis between the notes markers inside it, which is kept from one run to the next. The rest of the
 * file belongs to others and is left as it is.
 */
final class BenchmarksDoc {

    static final String BEGIN = "<!-- load-tool:begin -->";
    static final String END = "<!-- load-tool:end -->";
    static final String NOTES_BEGIN = "<!-- load-tool:notes:begin -->";
    static final String NOTES_END = "<!-- load-tool:notes:end -->";

    private BenchmarksDoc() {}

    /** Writes {@code generated} (and the kept notes) between the markers; creates the file when there is none. */
    static void write(Path file, String generated) throws IOException {
        String text = Files.exists(file)
                ? Files.readString(file, StandardCharsets.UTF_8)
                : "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n";
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IOException(file + " has no " + BEGIN + " … " + END + " section to write into");
        }
        String section = text.substring(begin + BEGIN.length(), end);
        String notes = "";
        int notesBegin = section.indexOf(NOTES_BEGIN);
        int notesEnd = section.indexOf(NOTES_END);
        if (notesBegin >= 0 && notesEnd > notesBegin) {
            notes = section.substring(notesBegin, notesEnd + NOTES_END.length());
        } else {
            notes = NOTES_BEGIN + "\n" + NOTES_END;
        }
        String replaced = text.substring(0, begin + BEGIN.length()) + "\n" + generated.strip() + "\n\n" + notes + "\n"
                + text.substring(end);
        Files.createDirectories(file.getParent());
        Files.writeString(file, replaced, StandardCharsets.UTF_8);
    }
}
