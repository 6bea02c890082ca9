package org.canvasbatch.adapters.agents;

import java.util.regex.Pattern;
import org.canvasbatch.domain.agent.AgentId;

/**
 * Wiki links to the notes of related questions. CONTRACT §6 names a note
 * {@code {node text, sanitised, ≤ 60 chars} ({agent id}).md}; this mirrors that rule so a link resolves once the
 * related question's note (written by the same agent as its group) exists.
 */
final class NoteNames {

    static final int MAX_NAME = 60;
    // Characters a file name or an Obsidian link target cannot hold on some platform.
    private static final Pattern UNSAFE = Pattern.compile("[\\\\/:*?\"<>|#^\\[\\]\\p{Cntrl}]");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private NoteNames() {
    }

    static String baseName(String nodeText) {
        String name = SPACES.matcher(UNSAFE.matcher(nodeText).replaceAll(" ")).replaceAll(" ").strip();
        if (name.codePointCount(0, name.length()) > MAX_NAME) {
            name = name.substring(0, name.offsetByCodePoints(0, MAX_NAME)).strip();
        }
        name = name.replaceAll("^[. ]+|[. ]+$", "");
        return name.isEmpty() ? "note" : name;
    }

    /** {@code [[逆否命题和否命题的区别是什么 (comparison-table)|逆否命题和否命题的区别是什么？]]} */
    static String link(String questionText, AgentId agent) {
        String shown = SPACES.matcher(questionText.replaceAll("[|\\[\\]]", " ")).replaceAll(" ").strip();
        return "[[" + baseName(questionText) + " (" + agent.wireName() + ")|" + shown + "]]";
    }
}
