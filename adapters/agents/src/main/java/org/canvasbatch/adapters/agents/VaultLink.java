package org.canvasbatch.adapters.agents;

import java.util.Locale;
import java.util.regex.Pattern;
import org.canvasbatch.application.port.out.VaultPassage;

/**
 * Obsidian wiki links to where a passage of the learner's vault was quoted from: {@code [[Biology/Organelles#线粒体|
 * Organelles › 线粒体]]} for a note and its heading, {@code [[Biology/Cell Biology.canvas|Cell Biology]]} for a canvas.
 * The full vault path keeps two notes of one name apart.
 */
final class VaultLink {

    // What ends a link or its alias early, or starts another one; a path holding one of them cannot be linked.
    private static final Pattern LINK_SYNTAX = Pattern.compile("[|\\[\\]#^]");
    // Obsidian matches a heading link with these characters written as spaces.
    private static final Pattern HEADING_SYNTAX = Pattern.compile("[|\\[\\]#^:%\\\\]");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final String NOTE_EXTENSION = ".md";

    private VaultLink() {}

    static String to(VaultPassage passage) {
        String path = passage.path();
        boolean note = path.toLowerCase(Locale.ROOT).endsWith(NOTE_EXTENSION);
        String file = path.substring(path.lastIndexOf('/') + 1);
        String name = note || path.endsWith(".canvas") ? file.substring(0, file.lastIndexOf('.')) : file;
        String heading = note ? words(HEADING_SYNTAX, passage.heading()) : "";
        if (heading.equalsIgnoreCase(name.strip())) {
            // a note whose first heading repeats its name: the note itself is the place
            heading = "";
        }
        String shown = words(LINK_SYNTAX, name) + (heading.isEmpty() ? "" : " › " + heading);
        if (LINK_SYNTAX.matcher(path).find() || path.contains("\n")) {
            return shown;
        }
        String target = note ? path.substring(0, path.length() - NOTE_EXTENSION.length()) : path;
        return "[[" + target + (heading.isEmpty() ? "" : "#" + heading) + "|" + shown + "]]";
    }

    /** A passage's excerpt as it may stand in a one-line quote. */
    static String quote(VaultPassage passage) {
        return SPACES.matcher(passage.excerpt()).replaceAll(" ").strip();
    }

    private static String words(Pattern syntax, String text) {
        return SPACES.matcher(syntax.matcher(text).replaceAll(" "))
                .replaceAll(" ")
                .strip();
    }
}
