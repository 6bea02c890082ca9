package org.canvasbatch.domain.note;

import java.nio.charset.StandardCharsets;
import java.text.BreakIterator;
import java.text.Normalizer;
import java.util.regex.Pattern;
import org.canvasbatch.domain.agent.AgentId;

/**
 * The one rule that names a node's note (CONTRACT §6): {@code {node text, sanitised, ≤ 60 code points} ({agent}).md},
 * and the notes folder beside a canvas, {@code {canvas name, sanitised}-notes}. The vault writes notes under these
 * names and agents link to them, so both must read it from here.
 *
 * <p>Sanitising first drops what no one can see but could use to fake a name: lone surrogates (which no file system
 * can store), format characters (Unicode category Cf: bidi overrides and isolates such as U+202E, zero-width
 * characters, the BOM, soft hyphens, tag characters; only the joiner inside an emoji sequence stays), then normalises to NFC, so that one text gives one name however
 * its accents were typed. It then removes what Windows, macOS or Linux refuse in a file name and what Obsidian reads
 * as link syntax ({@code []#^|\/:*?"<>}), control characters, leading dots (a dot file is hidden from Obsidian) and
 * the dot after a name Windows reserves for a device ({@code AUX.md} is the device {@code AUX} there),
 * folds every run of white space (line breaks, ideographic spaces) into one space and cuts at 60 code points, at the end
 * of the word before when the cut falls inside a word of a script with spaces and that word ends within the last 15
 * characters ({@code … outputs and}, not {@code … outputs and regulat}). A cut
 * falls only between what a reader sees as one character (a grapheme cluster): half a flag shows as a letter in a
 * box, half an emoji sequence as another picture, half a Hindi syllable as a dangling consonant. A name that would
 * exceed 255 UTF-8 bytes, the limit of common file systems, is cut further, by the same rule. A text that leaves nothing falls back to the node's id, else to {@value #FALLBACK}.
 */
public final class NoteName {

    public static final int MAX_CODE_POINTS = 60;
    public static final int MAX_FILE_NAME_BYTES = 255;
    /** How far back from a cut inside a word the end of the word before it is looked for. */
    static final int WORD_CUT_REACH = 15;

    static final String FALLBACK = "note";
    static final String FOLDER_FALLBACK = "canvas";
    static final String FOLDER_SUFFIX = "-notes";
    private static final char ZERO_WIDTH_JOINER = '\u200D';
    private static final int EMOJI_PRESENTATION = 0xFE0F;
    private static final String FORBIDDEN = "[]#^|\\/:*?\"<>";
    /** What a file name cannot hold on Windows, macOS or Linux; a folder name needs nothing more. */
    private static final String FORBIDDEN_IN_FILE_NAMES = "|\\/:*?\"<>";

    private static final Pattern WINDOWS_DEVICE =
            Pattern.compile("(?i)CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3]");

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
            name = trimEnd(name.substring(0, lastCharacterStart(name)));
        }
        return name + suffix;
    }

    /**
     * The folder that holds a canvas's notes: {@code 离散数学} → {@code 离散数学-notes}. The same rule as note names,
     * except that it keeps {@code []#^} (legal in file names everywhere, so a canvas named {@code C# basics} keeps the
     * folder earlier runs wrote into; links name notes, not folders) and is not cut at 60 code points, only to fit in
     * {@value #MAX_FILE_NAME_BYTES} bytes. A name that leaves nothing becomes {@value #FOLDER_FALLBACK}.
     */
    public static String notesFolder(String canvasBaseName) {
        String base = clean(canvasBaseName, FORBIDDEN_IN_FILE_NAMES, Integer.MAX_VALUE);
        if (base.isEmpty()) {
            base = FOLDER_FALLBACK;
        }
        while (utf8Bytes(base + FOLDER_SUFFIX) > MAX_FILE_NAME_BYTES) {
            base = trimEnd(base.substring(0, lastCharacterStart(base)));
        }
        return base + FOLDER_SUFFIX;
    }

    static String sanitise(String text) {
        return clean(text, FORBIDDEN, MAX_CODE_POINTS);
    }

    private static String clean(String text, String forbidden, int maxCodePoints) {
        if (text == null) {
            return "";
        }
        String visible = Normalizer.normalize(withoutInvisibles(text), Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(Math.min(visible.length(), 4 * MAX_CODE_POINTS));
        int usedUpTo = keepVisible(visible, forbidden, maxCodePoints, out);
        int keptUpTo = usedUpTo;
        if (usedUpTo < visible.length()) {
            int characterEnd = characterBoundaryAtOrBefore(visible, usedUpTo);
            if (characterEnd > 0 && characterEnd < usedUpTo) {
                StringBuilder whole = new StringBuilder(out.length());
                keepVisible(visible.substring(0, characterEnd), forbidden, maxCodePoints, whole);
                // a first character longer than the whole name (a letter stacked with marks) is cut within, as a
                // character alone in a name is: what comes before it (spaces, leading dots) names nothing
                if (!trimEnd(notADevice(whole.toString())).isEmpty()) {
                    out = whole;
                    keptUpTo = characterEnd;
                }
            }
        }
        String name = trimEnd(notADevice(out.toString()));
        if (keptUpTo < visible.length() && !name.isEmpty()) {
            name = atWordEnd(name, visible.codePointAt(keptUpTo));
        }
        return name;
    }

    /**
     * A name cut inside a word ("… outputs and regulat") ends at the word before it instead, when that one ends within
     * the last {@value #WORD_CUT_REACH} characters, in scripts that put spaces between words; Chinese, Japanese, Thai
     * … have no such place and are cut where they were.
     *
     * @param next the first code point the cut left out
     */
    private static String atWordEnd(String name, int next) {
        int last = name.codePointBefore(name.length());
        if (!inWord(last) || !inWord(next) || !spacedScript(last)) {
            return name;
        }
        int reach = 0;
        for (int i = name.length(); i > 0 && reach < WORD_CUT_REACH; reach++) {
            int cp = name.codePointBefore(i);
            if (!inWord(cp)) {
                String shorter = trimEnd(notADevice(name.substring(0, i - Character.charCount(cp))));
                while (!shorter.isEmpty()
                        && !inWord(shorter.codePointBefore(shorter.length()))
                        && Character.getType(shorter.codePointBefore(shorter.length())) != Character.END_PUNCTUATION
                        && !Character.isExtendedPictographic(shorter.codePointBefore(shorter.length()))) {
                    shorter = trimEnd(shorter.substring(
                            0, shorter.length() - Character.charCount(shorter.codePointBefore(shorter.length()))));
                }
                return shorter.isEmpty() ? name : shorter;
            }
            i -= Character.charCount(cp);
        }
        return name;
    }

    private static boolean inWord(int cp) {
        return Character.isLetterOrDigit(cp)
                || Character.getType(cp) == Character.NON_SPACING_MARK
                || Character.getType(cp) == Character.COMBINING_SPACING_MARK;
    }

    private static boolean spacedScript(int cp) {
        return switch (Character.UnicodeScript.of(cp)) {
            case HAN, HIRAGANA, KATAKANA, THAI, LAO, KHMER, MYANMAR, TIBETAN, YI, BOPOMOFO -> false;
            default -> true;
        };
    }

    /**
     * Appends to {@code out} what a name keeps of {@code visible}, at most {@code maxCodePoints} code points, and
     * answers where in {@code visible} the last code point kept ends.
     */
    private static int keepVisible(String visible, String forbidden, int maxCodePoints, StringBuilder out) {
        boolean pendingSpace = false;
        int kept = 0;
        int usedUpTo = 0;
        for (int i = 0; i < visible.length() && kept < maxCodePoints; ) {
            int cp = visible.codePointAt(i);
            int start = i;
            i += Character.charCount(cp);
            if (isSpace(cp) || forbidden.indexOf(cp) >= 0 || Character.isISOControl(cp)) {
                pendingSpace = out.length() > 0;
                usedUpTo = i;
                continue;
            }
            if (cp == '.' && out.length() == 0) {
                usedUpTo = i;
                continue;
            }
            if (pendingSpace) {
                out.append(' ');
                kept++;
                pendingSpace = false;
                if (kept == maxCodePoints) {
                    return start;
                }
            }
            out.appendCodePoint(cp);
            kept++;
            usedUpTo = i;
        }
        return usedUpTo;
    }

    /** Where the last character (grapheme cluster) of {@code name} begins; within it if it is the only one. */
    private static int lastCharacterStart(String name) {
        int start = characterBoundaryAtOrBefore(name, name.length() - 1);
        return start > 0 ? start : name.offsetByCodePoints(name.length(), -1);
    }

    /**
     * The last boundary between characters as a reader sees them at or before {@code index}. A consonant and its
     * virama join the consonant after them into one syllable (स्ते), which JDKs before Unicode 15.1's rule GB9c split,
     * so a boundary right after a virama does not count.
     */
    private static int characterBoundaryAtOrBefore(String text, int index) {
        BreakIterator characters = BreakIterator.getCharacterInstance();
        characters.setText(text);
        int boundary = characters.isBoundary(index) ? index : characters.preceding(index);
        while (boundary > 0 && isVirama(text.codePointBefore(boundary))) {
            boundary = characters.preceding(boundary);
        }
        return Math.max(boundary, 0);
    }

    private static boolean isVirama(int cp) {
        return Character.getType(cp) == Character.NON_SPACING_MARK
                && String.valueOf(Character.getName(cp)).endsWith(" VIRAMA");
    }

    /**
     * Windows takes a device name followed by an extension for the device ({@code NUL.txt} and {@code nul .tar.gz}
     * are {@code NUL}), so the dot after one becomes a space, as a character no file name can hold does.
     */
    private static String notADevice(String name) {
        String result = name;
        for (int dot = result.indexOf('.'); dot >= 0; dot = result.indexOf('.')) {
            String head = result.substring(0, dot).stripTrailing();
            if (!WINDOWS_DEVICE.matcher(head).matches()) {
                break;
            }
            String rest = result.substring(dot + 1).stripLeading();
            result = rest.isEmpty() ? head : head + " " + rest;
        }
        return result;
    }

    /**
     * The text without lone surrogates (half a character: no file system stores it, and Java refuses it in a path) and
     * without format characters (Cf), which are invisible: a right-to-left override makes {@code invoice\u202Egpj.exe}
     * show as {@code invoiceexe.jpg}. Only a joiner inside an emoji sequence is kept.
     */
    private static String withoutInvisibles(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pairStart = Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            int cp = pairStart ? Character.toCodePoint(c, text.charAt(i + 1)) : c;
            boolean drop = Character.isSurrogate(c) && !pairStart
                    || Character.getType(cp) == Character.FORMAT && !joinsAnEmoji(text, i);
            if (drop && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (!drop && out != null) {
                out.appendCodePoint(cp);
            }
            if (pairStart) {
                i++;
            }
        }
        return out == null ? text : out.toString();
    }

    /** A zero-width joiner inside an emoji sequence (👩‍💻) is part of the picture, so it stays. */
    private static boolean joinsAnEmoji(String text, int i) {
        if (text.charAt(i) != ZERO_WIDTH_JOINER || i == 0 || i + 1 >= text.length()) {
            return false;
        }
        int before = text.codePointBefore(i);
        int after = text.codePointAt(i + 1);
        boolean emojiBefore = Character.isExtendedPictographic(before)
                || Character.isEmojiModifier(before)
                || before == EMOJI_PRESENTATION;
        return emojiBefore && Character.isExtendedPictographic(after);
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
