package org.canvasbatch.adapters.agents;

import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
        // the link names the heading as the note writes it (Obsidian matches it with its link syntax as spaces); the
        // alias shows its words
        // a heading whose words another heading of the note shares comes with the headings it is under, one per line:
        // Obsidian's [[note#Outer#Inner]] finds it where [[note#Inner]] would open the first of them
        String heading = note
                ? passage.headingInNote()
                        .lines()
                        .map(line -> words(HEADING_SYNTAX, line))
                        .filter(line -> !line.isEmpty())
                        .collect(Collectors.joining("#"))
                : "";
        String headingShown = note ? words(HEADING_SYNTAX, passage.heading()) : "";
        if (heading.equalsIgnoreCase(name.strip()) || headingShown.equalsIgnoreCase(name.strip())) {
            // a note whose first heading repeats its name: the note itself is the place
            heading = "";
        }
        String shown = words(LINK_SYNTAX, name) + (heading.isEmpty() ? "" : " › " + headingShown);
        if (LINK_SYNTAX.matcher(path).find() || path.contains("\n")) {
            return shown;
        }
        String target = note ? path.substring(0, path.length() - NOTE_EXTENSION.length()) : path;
        return "[[" + target + (heading.isEmpty() ? "" : "#" + heading) + "|" + shown + "]]";
    }

    /**
     * A passage's excerpt as it may stand in a one-line quote of our note: a {@code %%} would open an Obsidian comment
     * that hides the rest of the note, a {@code #word} would make the note carry the learner's tag; both are escaped,
     * so they show as the learner wrote them.
     */
    static String quote(VaultPassage passage) {
        String quote = SPACES.matcher(passage.excerpt()).replaceAll(" ").strip();
        return quote.replace("%%", "\\%\\%").replace("#", "\\#");
    }

    private static String words(Pattern syntax, String text) {
        return SPACES.matcher(syntax.matcher(text).replaceAll(" "))
                .replaceAll(" ")
                .strip();
    }
}
