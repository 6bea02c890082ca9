package org.canvasbatch.adapters.agents;

import java.util.regex.Pattern;
import org.canvasbatch.application.port.out.AgentRequest.RelatedQuestion;
import org.canvasbatch.domain.note.NoteName;

/**
 * Obsidian wiki links from one note to the notes of its group's other questions. The target is the file name the
 * vault gives the related question's note: the name it reports ({@link RelatedQuestion#noteName()}), which differs from
 * the question's text when a file of the learner's already had that name; failing that, the domain's {@link NoteName}
 * with that question's own agent.
 */
final class NoteLink {

    // What would end the link or its alias early, or start another one.
    private static final Pattern LINK_SYNTAX = Pattern.compile("[|\\[\\]]");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final String EXTENSION = ".md";

    private NoteLink() {}

    /**
     * {@code [[什么是逆否命题 (oral-explanation)|什么是逆否命题]]}; only the question's text when the text does not name
     * its note and the vault did not say the name (it then names it after the node's id, which an agent is not told).
     */
    static String to(RelatedQuestion question) {
        String shown = shown(question.text());
        if (!question.noteName().isBlank()
                && !LINK_SYNTAX.matcher(question.noteName()).find()) {
            return "[[" + question.noteName() + "|" + shown + "]]";
        }
        if (!NoteName.textNamesTheNote(question.text())) {
            return shown;
        }
        String file = NoteName.fileName(question.text(), question.agent());
        return "[[" + file.substring(0, file.length() - EXTENSION.length()) + "|" + shown + "]]";
    }

    /** The question as a link alias shows it: on one line, without link syntax; empty when nothing else is left. */
    static String shown(String questionText) {
        return SPACES.matcher(LINK_SYNTAX.matcher(questionText).replaceAll(" "))
                .replaceAll(" ")
                .strip();
    }
}
