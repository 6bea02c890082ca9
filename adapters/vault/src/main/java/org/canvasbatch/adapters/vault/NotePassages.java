package org.canvasbatch.adapters.vault;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Markdown cut into the passages a search finds and a note quotes: paragraphs, list items and table rows, each with the
 * heading it sits under, as plain text on one line (links shown as their words, emphasis and tags of HTML dropped).
 * Code, math and comments are not prose and are left out. A passage longer than {@value #MAX_PASSAGE_CHARS} characters
 * is cut at sentence ends, so that a wall of text without blank lines still gives passages a quote can come from.
 */
final class NotePassages {

    /** A passage and the heading above it ({@code ""} before the first heading). */
    record Passage(String heading, String text) {}

    static final int MAX_PASSAGE_CHARS = 1200;

    private static final Pattern ATX_HEADING =
            Pattern.compile("^ {0,3}(#{1,6})(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");
    private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(=+|-+)[ \\t]*$");
    private static final Pattern THEMATIC_BREAK = Pattern.compile("^ {0,3}([-*_])([ \\t]*\\1){2,}[ \\t]*$");
    private static final Pattern LIST_ITEM =
            Pattern.compile("^[ \\t]*(?:[-*+]|\\d{1,9}[.)])[ \\t]+(?:\\[[ xX/\\-]\\][ \\t]+)?(.*)$");
    private static final Pattern QUOTE_MARK = Pattern.compile("^[ \\t]{0,3}>[ ]?");
    private static final Pattern CALLOUT = Pattern.compile("^\\[![^\\]]+\\][-+]?[ \\t]*(.*)$");
    private static final Pattern TABLE_SEPARATOR =
            Pattern.compile("^[ \\t]*\\|?[ \\t]*:?-+:?[ \\t]*(\\|[ \\t]*:?-+:?[ \\t]*)*\\|?[ \\t]*$");
    private static final Pattern EMBED_ONLY = Pattern.compile("^!\\[\\[[^\\]]*\\]\\]$");
    /** The first characters of every line that is more than prose: headings, quotes, lists, rules, tables, embeds. */
    private static final Set<Character> MARKUP_STARTS =
            Set.of('#', '>', '-', '*', '+', '_', '=', '|', '!', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9');

    private static final Pattern EMBED = Pattern.compile("!\\[\\[[^\\]\\n]*\\]\\]");
    private static final Pattern WIKILINK = Pattern.compile("\\[\\[([^\\]|\\n]*)(?:\\|([^\\]\\n]*))?\\]\\]");
    private static final Pattern IMAGE = Pattern.compile("!\\[[^\\]\\n]*\\]\\([^)\\n]*\\)");
    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\[([^\\]\\n]*)\\]\\([^)\\n]*\\)");
    private static final Pattern FOOTNOTE_REFERENCE = Pattern.compile("\\[\\^[^\\]\\n]*\\]");
    private static final Pattern INLINE_COMMENT = Pattern.compile("%%.*?%%");
    private static final Pattern HTML_TAG = Pattern.compile("</?[A-Za-z][^>\\n]{0,300}>");
    private static final Pattern BLOCK_ID = Pattern.compile("\\s\\^[A-Za-z0-9-]+$");
    private static final Pattern EMPHASIS = Pattern.compile("\\*\\*|__|~~|==|`|\\*");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[。！？；!?;])|(?<=[.](?=\\s))");

    private NotePassages() {}

    /**
     * Whether canvas-batch wrote this note: its front matter names the canvas and the agent it came from. Read from the
     * note itself, so a generated note is recognised wherever the learner moved it.
     */
    static boolean writtenByCanvasBatch(String text) {
        if (!text.stripLeading().startsWith("---")) {
            return false;
        }
        Map<String, String> fields = FrontMatter.fieldsOf(text);
        return fields.containsKey(FrontMatter.SOURCE_CANVAS) && fields.containsKey(FrontMatter.AGENT);
    }

    /** The passages of a note, front matter left out. */
    static List<Passage> of(String markdown) {
        return new Reading(markdown).passages();
    }

    /** One line of Markdown source as the words a person reads, with link syntax, emphasis and HTML removed. */
    static String plain(String markdown) {
        // Most text has no markup at all; each pattern runs only where its first character occurs.
        String text = markdown;
        if (text.indexOf('[') >= 0) {
            text = EMBED.matcher(text).replaceAll("");
            text = WIKILINK.matcher(text).replaceAll(link -> Matcher.quoteReplacement(linkWords(link)));
            text = IMAGE.matcher(text).replaceAll("");
            text = MARKDOWN_LINK.matcher(text).replaceAll("$1");
            text = FOOTNOTE_REFERENCE.matcher(text).replaceAll("");
        }
        if (text.contains("%%")) {
            text = INLINE_COMMENT.matcher(text).replaceAll("");
        }
        if (text.indexOf('<') >= 0) {
            text = HTML_TAG.matcher(text).replaceAll(" ");
        }
        if (hasAny(text, "*_~=`")) {
            text = EMPHASIS.matcher(text).replaceAll("");
        }
        text = oneSpaced(text);
        return text.indexOf('^') >= 0 ? BLOCK_ID.matcher(text).replaceAll("") : text;
    }

    /** Every run of white space as one space, none at either end. */
    private static String oneSpaced(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = !out.isEmpty();
            } else {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean hasAny(String text, String characters) {
        for (int i = 0; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code [[Biology/Cell#Membrane|the membrane]]} reads "the membrane"; without an alias, "Cell Membrane". */
    private static String linkWords(java.util.regex.MatchResult link) {
        String alias = link.group(2);
        if (alias != null && !alias.isBlank()) {
            return alias;
        }
        String target = link.group(1);
        target = target.substring(target.lastIndexOf('/') + 1);
        return target.replace('#', ' ').replace('^', ' ');
    }

    private static final class Reading {

        private final String[] lines;
        private final List<Passage> passages = new ArrayList<>();
        private final StringBuilder block = new StringBuilder();
        private int blockLines;
        private boolean isItem;
        private String heading = "";

        Reading(String markdown) {
            this.lines = markdown.lines().toArray(String[]::new);
        }

        List<Passage> passages() {
            int i = afterFrontMatter();
            String fence = null;
            String closing = null;
            for (; i < lines.length; i++) {
                String line = lines[i];
                String trimmed = line.strip();
                if (closing != null) {
                    if (fence != null ? trimmed.startsWith(fence) : trimmed.contains(closing)) {
                        fence = null;
                        closing = null;
                    }
                    continue;
                }
                if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) {
                    flush();
                    fence = trimmed.substring(0, runLength(trimmed));
                    closing = fence;
                    continue;
                }
                String opened = unclosedBlockStart(trimmed);
                if (opened != null) {
                    flush();
                    if (!opened.isEmpty()) {
                        closing = opened;
                    }
                    continue;
                }
                line(line);
            }
            flush();
            return passages;
        }

        /** The closing mark of a math block or comment this line opens ({@code ""} when it closes on the line too). */
        private static String unclosedBlockStart(String trimmed) {
            for (String[] marks : new String[][] {{"$$", "$$"}, {"%%", "%%"}, {"<!--", "-->"}}) {
                if (trimmed.startsWith(marks[0])) {
                    return trimmed.indexOf(marks[1], marks[0].length()) >= 0 ? "" : marks[1];
                }
            }
            return null;
        }

        private int afterFrontMatter() {
            if (lines.length == 0 || !lines[0].strip().equals("---")) {
                return 0;
            }
            for (int i = 1; i < lines.length; i++) {
                String trimmed = lines[i].strip();
                if (trimmed.equals("---") || trimmed.equals("...")) {
                    return i + 1;
                }
            }
            return 0;
        }

        private void line(String raw) {
            String line = raw;
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                flush();
                return;
            }
            if (!MARKUP_STARTS.contains(trimmed.charAt(0))) {
                // a line of prose, the most common kind: none of the patterns below can match it
                append(trimmed);
                return;
            }
            boolean quoted = false;
            if (trimmed.charAt(0) == '>') {
                for (Matcher quote = QUOTE_MARK.matcher(line); quote.find(); quote = QUOTE_MARK.matcher(line)) {
                    line = line.substring(quote.end());
                    quoted = true;
                }
                Matcher callout = CALLOUT.matcher(line.strip());
                if (callout.matches()) {
                    // a callout's title stands on its own above the callout's text
                    flush();
                    append(callout.group(1));
                    flush();
                    return;
                }
                trimmed = line.strip();
                if (trimmed.isEmpty()) {
                    flush();
                    return;
                }
            }
            // each pattern is tried only on a line whose first character it can start with
            char first = trimmed.charAt(0);
            if (first == '#') {
                Matcher atx = ATX_HEADING.matcher(line);
                if (atx.matches()) {
                    flush();
                    heading = atx.group(2) == null ? "" : plain(atx.group(2));
                    return;
                }
            }
            if ((first == '=' || first == '-')
                    && blockLines == 1
                    && !quoted
                    && !isItem
                    && SETEXT_UNDERLINE.matcher(line).matches()) {
                heading = plain(block.toString());
                block.setLength(0);
                blockLines = 0;
                return;
            }
            if ((first == '-' || first == '*' || first == '_')
                    && THEMATIC_BREAK.matcher(line).matches()) {
                flush();
                return;
            }
            if (first == '|') {
                flush();
                if (!TABLE_SEPARATOR.matcher(trimmed).matches()) {
                    add(String.join(" · ", cells(trimmed)));
                }
                return;
            }
            if (first == '!' && EMBED_ONLY.matcher(trimmed).matches()) {
                return;
            }
            if (first == '-' || first == '*' || first == '+' || Character.isDigit(first)) {
                Matcher item = LIST_ITEM.matcher(line);
                if (item.matches()) {
                    flush();
                    isItem = true;
                    append(item.group(1));
                    return;
                }
            }
            append(trimmed);
        }

        private void append(String text) {
            if (!block.isEmpty()) {
                block.append(' ');
            }
            block.append(text);
            blockLines++;
        }

        private void flush() {
            if (!block.isEmpty()) {
                add(plain(block.toString()));
            }
            block.setLength(0);
            blockLines = 0;
            isItem = false;
        }

        private void add(String text) {
            if (!hasLetterOrDigit(text)) {
                return;
            }
            for (String piece : pieces(text)) {
                passages.add(new Passage(heading, piece));
            }
        }

        private static boolean hasLetterOrDigit(String text) {
            for (int i = 0; i < text.length(); i++) {
                if (Character.isLetterOrDigit(text.codePointAt(i))) {
                    return true;
                }
            }
            return false;
        }

        private static List<String> cells(String row) {
            List<String> cells = new ArrayList<>();
            for (String cell : row.split("(?<!\\\\)\\|")) {
                String text = plain(cell.replace("\\|", "|"));
                if (!text.isEmpty()) {
                    cells.add(text);
                }
            }
            return cells;
        }

        private static int runLength(String fence) {
            int length = 0;
            while (length < fence.length() && fence.charAt(length) == fence.charAt(0)) {
                length++;
            }
            return length;
        }
    }

    /** The text in pieces of at most {@value #MAX_PASSAGE_CHARS} characters, cut after a sentence where one ends. */
    static List<String> pieces(String text) {
        if (text.length() <= MAX_PASSAGE_CHARS) {
            return List.of(text);
        }
        List<String> pieces = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        for (String sentence : SENTENCE_END.split(text)) {
            if (piece.length() + sentence.length() > MAX_PASSAGE_CHARS && !piece.isEmpty()) {
                pieces.add(piece.toString().strip());
                piece.setLength(0);
            }
            piece.append(sentence);
            while (piece.length() > MAX_PASSAGE_CHARS) {
                int cut = MAX_PASSAGE_CHARS;
                if (Character.isLowSurrogate(piece.charAt(cut))) {
                    cut--;
                }
                pieces.add(piece.substring(0, cut).strip());
                piece.delete(0, cut);
            }
        }
        if (!piece.toString().isBlank()) {
            pieces.add(piece.toString().strip());
        }
        return pieces;
    }
}
