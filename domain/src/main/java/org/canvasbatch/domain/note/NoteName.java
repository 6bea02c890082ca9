package org.canvasbatch.domain.note;

import java.nio.charset.StandardCharsets;
import org.canvasbatch.domain.agent.AgentId;

/**
 * The one rule that names a node's note (CONTRACT §6): {@code {node text, sanitised, ≤ 60 code points} ({agent}).md}.
 * The vault writes notes under these names and agents link to them, so both must read it from here.
 *
 * <p>Sanitising removes what Windows, macOS or Linux refuse in a file name and what Obsidian reads as link syntax
 * ({@code []#^|\/:*?"<>}), control characters and leading dots (a dot file is hidden from Obsidian), folds every run
 * of white space (line breaks, ideographic spaces) into one space and cuts at 60 code points, so CJK text and emoji
 * are never split in half. A name that would exceed 255 UTF-8 bytes, the limit of common file systems, is cut
 * further. A text that leaves nothing falls back to the node's id, else to {@value #FALLBACK}.
 */
public final class NoteName {

    public static final int MAX_CODE_POINTS = 60;
    public static final int MAX_FILE_NAME_BYTES = 255;
    static final String FALLBACK = "note";
    private static final String FORBIDDEN = "[]#^|\\/:*?\"<>";

    private NoteName() {}

    /** The base of the note's name: the sanitised node text, or {@value #FALLBACK} when it leaves nothing. */
    public static String baseName(String nodeText) {
        return baseName(nodeText, null);
    }

    /**
     * The base of the note's name as the vault chooses it: the sanitised node text, else the sanitised node id (so that
     * two nodes without a usable text still get names of their own), else {@value #FALLBACK}.
     */
    public static String baseName(String nodeText, String nodeId) {
        String fromText = sanitise(nodeText);
        if (!fromText.isEmpty()) {
            return fromText;
        }
        String fromId = sanitise(nodeId);
        return fromId.isEmpty() ? FALLBACK : fromId;
    }

    /**
     * Whether the node's text alone names its note. When it does not, the note is named after the node's id, which
     * only the vault knows: a link made from the text cannot reach it.
     */
    public static boolean textNamesTheNote(String nodeText) {
        return !sanitise(nodeText).isEmpty();
    }

    /** {@code 逆否命题和否命题的区别是什么？} with comparison-table → {@code 逆否命题和否命题的区别是什么 (comparison-table).md}. */
    public static String fileName(String nodeText, AgentId agent) {
        return fileNameFor(baseName(nodeText), "", agent);
    }

    /**
     * The file name for a base already chosen by {@link #baseName}, with an optional tag between base and agent
     * ({@code what is X ~1a2b3c4d (memory-anchor).md}); the base is shortened so that the whole stays within
     * {@value #MAX_FILE_NAME_BYTES} UTF-8 bytes.
     *
     * @param tag empty for the plain name
     */
    public static String fileNameFor(String base, String tag, AgentId agent) {
        String suffix = (tag.isEmpty() ? "" : " " + tag) + " (" + agent.wireName() + ").md";
        String name = base;
        while (utf8Bytes(name + suffix) > MAX_FILE_NAME_BYTES && !name.isEmpty()) {
            name = trimEnd(name.substring(0, name.offsetByCodePoints(name.length(), -1)));
        }
        return name + suffix;
    }

    static String sanitise(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), 4 * MAX_CODE_POINTS));
        boolean pendingSpace = false;
        int kept = 0;
        for (int i = 0; i < text.length() && kept < MAX_CODE_POINTS; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (isSpace(cp) || FORBIDDEN.indexOf(cp) >= 0 || Character.isISOControl(cp)) {
                pendingSpace = out.length() > 0;
                continue;
            }
            if (cp == '.' && out.length() == 0) {
                continue;
            }
            if (pendingSpace) {
                out.append(' ');
                kept++;
                pendingSpace = false;
                if (kept == MAX_CODE_POINTS) {
                    break;
                }
            }
            out.appendCodePoint(cp);
            kept++;
        }
        return trimEnd(out.toString());
    }

    /**
     * Windows drops trailing dots and spaces from names; removing them here keeps names equal everywhere. A joiner
     * left by the cut inside an emoji sequence goes too.
     */
    private static String trimEnd(String name) {
        int end = name.length();
        while (end > 0 && " .\u200D".indexOf(name.charAt(end - 1)) >= 0) {
            end--;
        }
        return name.substring(0, end);
    }

    private static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    private static int utf8Bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
