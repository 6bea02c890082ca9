package org.canvasbatch.adapters.vault;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Markdown cut into the passages a search finds and a note quotes: paragraphs, list items and table rows, each with the
 * heading it sits under, as plain text on one line (links shown as their words, emphasis and tags of HTML dropped).
 * Code, math and comments are not prose and are left out. A passage longer than {@value #MAX_PASSAGE_CHARS} characters
 * is cut at sentence ends, so that a wall of text without blank lines still gives passages a quote can come from.
 */
final class NotePassages {

    /**
     * A passage and the heading above it ({@code ""} before the first heading).
     *
     * @param heading          the heading as words to read and search (links as their words, no emphasis)
     * @param headingAsWritten the heading's text as the note writes it: what a link to the heading must name; when the
     *                         note has another heading of the same words, the headings it is under and it, one per
     *                         line, since a link to the words alone would open the first of them
     */
    record Passage(String heading, String headingAsWritten, String text) {

        Passage(String heading, String text) {
            this(heading, heading, text);
        }
    }

    static final int MAX_PASSAGE_CHARS = 1200;
    /**
     * Lines longer than this are read as plain words, their link, HTML and emphasis syntax left as it is: no note a
     * person writes has such a line, and a hostile one costs the reading no more than its length.
     */
    static final int MAX_MARKUP_LINE_CHARS = 20_000;

    // Every pattern below runs in time linear in the line: bracket classes never accept the bracket that opens the
    // next try, and the quantifiers are possessive where giving back could not help a match.
    // What Obsidian reads as spaces in a link to a heading (adapters/agents' VaultLink writes them so).
    private static final Pattern HEADING_LINK_SYNTAX = Pattern.compile("[|\\[\\]#^:%\\\\]");
    private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}+(?:=++|-++)[ \\t]*+$");
    private static final Pattern THEMATIC_BREAK = Pattern.compile("^ {0,3}+([-*_])(?:[ \\t]*+\\1){2,}+[ \\t]*+$");
    private static final Pattern LIST_ITEM =
            Pattern.compile("^[ \\t]*+(?:[-*+]|\\d{1,9}+[.)])[ \\t]++(?:\\[[ xX/\\-]\\][ \\t]++)?+(.*+)$");
    private static final Pattern CALLOUT = Pattern.compile("^\\[![^\\[\\]]++\\][-+]?+[ \\t]*+(.*+)$");
    private static final Pattern TABLE_SEPARATOR =
            Pattern.compile("^[ \\t]*+\\|?+[ \\t]*+:?+-++:?+[ \\t]*+(?:\\|[ \\t]*+:?+-++:?+[ \\t]*+)*+\\|?+[ \\t]*+$");
    private static final Pattern EMBED_ONLY = Pattern.compile("^!\\[\\[[^\\[\\]]*+\\]\\]$");
    /** The first characters of every line that is more than prose: headings, quotes, lists, rules, tables, embeds. */
    private static final Set<Character> MARKUP_STARTS =
            Set.of('#', '>', '-', '*', '+', '_', '=', '|', '!', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9');

    private static final Pattern EMBED = Pattern.compile("!\\[\\[[^\\[\\]\\n]*+\\]\\]");
    private static final Pattern WIKILINK = Pattern.compile("\\[\\[([^\\[\\]|\\n]*+)(?:\\|([^\\[\\]\\n]*+))?+\\]\\]");
    private static final Pattern IMAGE = Pattern.compile("!\\[[^\\[\\]\\n]*+\\]\\([^()\\n]*+\\)");
    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\[([^\\[\\]\\n]*+)\\]\\([^()\\n]*+\\)");
    private static final Pattern FOOTNOTE_REFERENCE = Pattern.compile("\\[\\^[^\\[\\]\\n]*+\\]");
    private static final Pattern HTML_TAG = Pattern.compile("</?[A-Za-z][^<>\\n]{0,300}+>");
    private static final Pattern BLOCK_ID = Pattern.compile("\\s\\^[A-Za-z0-9-]++$");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`\\n]++)`");
    /**
     * A pair of emphasis marks around words: {@code **bold**}, {@code *it*}, {@code ~~gone~~}, {@code ==marked==},
     * {@code __bold__}, {@code _it_}. The words neither start nor end with a space and hold no mark (an inner pair is
     * taken first, the outer one on the next pass); a lone mark ("2*3=6") is the learner's text.
     */
    private static final Pattern EMPHASIS_PAIR =
            Pattern.compile("(\\*\\*|__|~~|==|\\*|_)(?=[^\\s*_~=])([^*_~=\\n]*+)(?<=[^\\s*_~=])\\1");

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_]++");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[。！？；!?;])|(?<=[.](?=\\s))");
    private static final String COMMENT_MARK = "%%";

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
        if (text.length() <= MAX_MARKUP_LINE_CHARS) {
            if (text.indexOf('[') >= 0) {
                text = EMBED.matcher(text).replaceAll("");
                text = WIKILINK.matcher(text).replaceAll(link -> Matcher.quoteReplacement(linkWords(link)));
                text = IMAGE.matcher(text).replaceAll("");
                text = MARKDOWN_LINK.matcher(text).replaceAll("$1");
                text = FOOTNOTE_REFERENCE.matcher(text).replaceAll("");
            }
            if (text.indexOf('<') >= 0) {
                text = HTML_TAG.matcher(text).replaceAll(" ");
            }
            if (text.indexOf('`') >= 0) {
                text = CODE_SPAN.matcher(text).replaceAll("$1");
            }
            text = withoutEmphasis(text);
        }
        text = oneSpaced(text);
        return text.indexOf('^') >= 0 ? BLOCK_ID.matcher(text).replaceAll("") : text;
    }

    /** The text without its pairs of emphasis marks; an inner pair goes first, then the one around it. */
    private static String withoutEmphasis(String text) {
        String before;
        String after = text;
        int passes = 0;
        do {
            before = after;
            if (!hasAny(before, "*_~=")) {
                return before;
            }
            String line = before;
            after = EMPHASIS_PAIR.matcher(line).replaceAll(pair -> Matcher.quoteReplacement(emphasised(line, pair)));
        } while (!after.equals(before) && ++passes < 3);
        return after;
    }

    /**
     * The words of a pair of emphasis marks, or the pair as written where underscores are not emphasis: inside a word
     * ({@code snake_case_name}) and around one identifier ({@code __init__}, which a note about Python means as code).
     */
    private static String emphasised(String line, MatchResult pair) {
        String mark = pair.group(1);
        String words = pair.group(2);
        if (mark.charAt(0) == '_') {
            boolean insideAWord = (pair.start() > 0 && Character.isLetterOrDigit(line.charAt(pair.start() - 1)))
                    || (pair.end() < line.length() && Character.isLetterOrDigit(line.charAt(pair.end())));
            if (insideAWord || (mark.length() == 2 && IDENTIFIER.matcher(words).matches())) {
                return pair.group();
            }
        }
        return words;
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
    private static String linkWords(MatchResult link) {
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
        private String headingAsWritten = "";
        /** The headings above the passage being read, the outermost first, each with its level. */
        private final List<Map.Entry<Integer, String>> outline = new ArrayList<>();
        /** How many headings of the note have the words of each (as a link matches them). */
        private final Map<String, Integer> headingsByWords = new HashMap<>();
        /** For each passage, the outline it is under, in the passages' order. */
        private final List<String> outlines = new ArrayList<>();
        /** Inside an Obsidian comment ({@code %%}), which hides everything up to the next {@code %%}. */
        private boolean inComment;

        Reading(String markdown) {
            this.lines = markdown.lines().toArray(String[]::new);
        }

        List<Passage> passages() {
            int i = afterFrontMatter();
            String fence = null;
            String closing = null;
            for (; i < lines.length; i++) {
                String line = lines[i];
                if (closing != null) {
                    String trimmed = line.strip();
                    if (fence != null ? trimmed.startsWith(fence) : trimmed.contains(closing)) {
                        fence = null;
                        closing = null;
                    }
                    continue;
                }
                if (inComment || line.contains(COMMENT_MARK)) {
                    line = outsideComments(line);
                    if (line.isBlank()) {
                        // what a comment hides stands between blocks, like the blank line it shows as
                        flush();
                        continue;
                    }
                }
                String trimmed = line.strip();
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
            for (int p = 0; p < passages.size(); p++) {
                Passage passage = passages.get(p);
                if (headingsByWords.getOrDefault(linkWords(passage.headingAsWritten()), 0) > 1) {
                    passages.set(p, new Passage(passage.heading(), outlines.get(p), passage.text()));
                }
            }
            return passages;
        }

        /** A heading of the note, at its level (1 for {@code #}): it ends every heading at its level or below. */
        private void heading(int level, String asWritten) {
            headingAsWritten = asWritten;
            heading = plain(asWritten);
            outline.removeIf(above -> above.getKey() >= level);
            outline.add(Map.entry(level, asWritten));
            headingsByWords.merge(linkWords(asWritten), 1, Integer::sum);
        }

        /** A heading's words as Obsidian compares them to a link's: its link syntax as spaces, case not counted. */
        private static String linkWords(String heading) {
            return oneSpaced(HEADING_LINK_SYNTAX.matcher(heading).replaceAll(" "))
                    .toLowerCase(Locale.ROOT);
        }

        /**
         * The line without what Obsidian comments hide. A comment opens at any {@code %%}, on any line, and hides
         * everything up to the next one; one that never closes hides the rest of the note, as Obsidian shows it.
         */
        private String outsideComments(String line) {
            StringBuilder shown = new StringBuilder();
            int at = 0;
            while (at <= line.length()) {
                int mark = line.indexOf(COMMENT_MARK, at);
                if (!inComment) {
                    shown.append(line, at, mark < 0 ? line.length() : mark);
                }
                if (mark < 0) {
                    break;
                }
                inComment = !inComment;
                at = mark + COMMENT_MARK.length();
            }
            return shown.toString();
        }

        /** The closing mark of a math block or HTML comment this line opens ({@code ""} when it closes on it too). */
        private static String unclosedBlockStart(String trimmed) {
            for (String[] marks : new String[][] {{"$$", "$$"}, {"<!--", "-->"}}) {
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
                int text = afterQuoteMarks(line);
                quoted = text > 0;
                line = line.substring(text);
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
                String atx = atxHeading(line);
                if (atx != null) {
                    flush();
                    heading(hashesOf(trimmed), atx);
                    return;
                }
            }
            if ((first == '=' || first == '-')
                    && blockLines == 1
                    && !quoted
                    && !isItem
                    && SETEXT_UNDERLINE.matcher(line).matches()) {
                heading(first == '=' ? 1 : 2, block.toString());
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

        /** Where the text of a quote starts: after every {@code >} that opens the line, each with one space after it. */
        private static int afterQuoteMarks(String line) {
            int at = 0;
            while (true) {
                int mark = at;
                while (mark < line.length() && mark - at < 3 && isSpaceOrTab(line.charAt(mark))) {
                    mark++;
                }
                if (mark == line.length() || line.charAt(mark) != '>') {
                    return at;
                }
                at = mark + 1;
                if (at < line.length() && line.charAt(at) == ' ') {
                    at++;
                }
            }
        }

        /**
         * The text of an ATX heading ({@code ## Title ##}), as written, without the marks around it; null when the
         * line is not one. Read by hand rather than by a pattern, so that a line of spaces costs its length only.
         */
        static String atxHeading(String line) {
            int start = 0;
            while (start < line.length() && start < 3 && line.charAt(start) == ' ') {
                start++;
            }
            int hashes = 0;
            while (start + hashes < line.length() && line.charAt(start + hashes) == '#') {
                hashes++;
            }
            if (hashes == 0 || hashes > 6) {
                return null;
            }
            start += hashes;
            if (start < line.length() && !isSpaceOrTab(line.charAt(start))) {
                return null;
            }
            int end = line.length();
            while (end > start && isSpaceOrTab(line.charAt(end - 1))) {
                end--;
            }
            int closing = end;
            while (closing > start && line.charAt(closing - 1) == '#') {
                closing--;
            }
            if (closing < end && (closing == start || isSpaceOrTab(line.charAt(closing - 1)))) {
                // a closing run of #, after a space or alone
                end = closing;
            }
            while (end > start && isSpaceOrTab(line.charAt(end - 1))) {
                end--;
            }
            while (start < end && isSpaceOrTab(line.charAt(start))) {
                start++;
            }
            return line.substring(start, end);
        }

        private static int hashesOf(String trimmed) {
            int hashes = 0;
            while (hashes < trimmed.length() && trimmed.charAt(hashes) == '#') {
                hashes++;
            }
            return hashes;
        }

        private static boolean isSpaceOrTab(char c) {
            return c == ' ' || c == '\t';
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
            String under = outline.stream().map(Map.Entry::getValue).collect(Collectors.joining("\n"));
            for (String piece : pieces(text)) {
                passages.add(new Passage(heading, headingAsWritten, piece));
                outlines.add(under);
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
            // a sentence longer than a passage is cut where it must be, in one pass over it
            int from = 0;
            while (piece.length() + sentence.length() - from > MAX_PASSAGE_CHARS) {
                int cut = from + MAX_PASSAGE_CHARS - piece.length();
                if (Character.isLowSurrogate(sentence.charAt(cut))) {
                    cut--;
                }
                piece.append(sentence, from, cut);
                pieces.add(piece.toString().strip());
                piece.setLength(0);
                from = cut;
            }
            piece.append(sentence, from, sentence.length());
        }
        if (!piece.toString().isBlank()) {
            pieces.add(piece.toString().strip());
        }
        return pieces;
    }
}
