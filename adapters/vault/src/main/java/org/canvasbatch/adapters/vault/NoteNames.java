package org.canvasbatch.adapters.vault;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.canvasbatch.domain.agent.AgentId;

/**
 * File names of notes: {@code {node text, sanitised, ≤ 60 code points} ({agent id}).md}.
 *
 * <p>Sanitising removes what Windows, macOS or Linux refuse in a file name and what Obsidian reads as link syntax
 * ({@code []#^|\/:*?"<>}), control characters and leading dots (a dot file is hidden from Obsidian), folds every run
 * of white space (line breaks, ideographic spaces) into one space and cuts at 60 code points, so CJK text and emoji
 * are never split in half. A name that would exceed 255 UTF-8 bytes, the limit of common file systems, is cut
 * further. A node whose text leaves nothing falls back to its id.
 */
final class NoteNames {

    static final int MAX_CODE_POINTS = 60;
    private static final int MAX_FILE_NAME_BYTES = 255;
    private static final String FORBIDDEN = "[]#^|\\/:*?\"<>";

    private NoteNames() {
    }

    /** The sanitised base of the note's name: its node text, else its id, else {@code note}. */
    static String base(String nodeText, String nodeId) {
        String fromText = sanitise(nodeText);
        if (!fromText.isEmpty()) {
            return fromText;
        }
        String fromId = sanitise(nodeId);
        return fromId.isEmpty() ? "note" : fromId;
    }

    static String fileName(String base, AgentId agent) {
        return fit(base, " (" + agent.wireName() + ").md");
    }

    /**
     * The name used when another node's note already holds {@link #fileName}: the same with a short hash of the node
     * id, so the choice is the same on every run and every machine.
     */
    static String disambiguatedFileName(String base, String nodeId, AgentId agent, int hashLength) {
        return fit(base, " ~" + shortHash(nodeId, hashLength) + " (" + agent.wireName() + ").md");
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

    private static String fit(String base, String suffix) {
        String name = base;
        while (bytes(name + suffix) > MAX_FILE_NAME_BYTES && !name.isEmpty()) {
            name = trimEnd(name.substring(0, name.offsetByCodePoints(name.length(), -1)));
        }
        return name + suffix;
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The first {@code length} hex digits of SHA-256 over the text. */
    static String shortHash(String text, int length) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, length);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
