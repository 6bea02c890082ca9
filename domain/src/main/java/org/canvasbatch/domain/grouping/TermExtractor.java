package org.canvasbatch.domain.grouping;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cuts a question into the terms TF-IDF counts, for Chinese and English alike and without a dictionary.
 * Latin text splits on anything that is not a letter or digit. Chinese has no spaces, so a CJK run is first cut
 * at stop phrases (what is left is usually a content word or a short compound), then each piece yields its
 * character bigrams, the piece itself when it is short enough to read as one word, and its single characters
 * at a low weight so that 图 in 二部图 still meets 图 in 图的着色.
 */
final class TermExtractor {

    /** How a term was found; decides its weight in the vector and whether it may name a group. */
    enum Kind {
        LATIN_WORD(1.0, true),
        /** A bigram at the start or end of a piece: one side borders a stop phrase, so it likely ends a word. */
        CJK_BIGRAM(1.0, true),
        /**
         * A bigram inside a piece, as likely to straddle two words (拉回 of 欧拉回路) as to be one; it counts for
         * similarity like any bigram but names a group only if it also turns up at a piece's edge somewhere.
         */
        CJK_INNER_BIGRAM(1.0, false),
        /** A piece of three to six characters: likely one word or compound, already counted by its bigrams. */
        CJK_WORD(0.5, true),
        /** A single character standing between stop phrases (图 in 图的着色, 秩 in 矩阵的秩): a word in its own right. */
        CJK_SINGLE(1.0, true),
        CJK_CHAR(0.3, false),
        /**
         * One per text that has any topic term, saying whether it is written in Latin or CJK script. Two
         * questions in different languages rarely share a word, so without it a mixed canvas dumps its
         * leftover questions of both languages into one grab-bag group; with it they at least part by language.
         */
        SCRIPT(0.3, false);

        final double weight;
        final boolean readable;

        Kind(double weight, boolean readable) {
            this.weight = weight;
            this.readable = readable;
        }
    }

    record Term(String text, Kind kind) {}

    /** The terms of one text, and the CJK pieces (runs between stop phrases) they were cut from. */
    record Extraction(List<Term> terms, List<String> cjkPieces) {}

    private static final Term LATIN_SCRIPT = new Term("\u0000latin", Kind.SCRIPT);
    private static final Term CJK_SCRIPT = new Term("\u0000cjk", Kind.SCRIPT);

    /** A CJK piece longer than this is a run of several words, not one worth showing as a name. */
    private static final int LONGEST_CJK_WORD = 6;

    private TermExtractor() {}

    static Extraction extract(String text) {
        List<Term> terms = new ArrayList<>();
        List<String> pieces = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return new Extraction(terms, pieces);
        }
        // NFKC folds full-width letters and digits (ＡＢＣ１２) into ASCII, common in Chinese input methods.
        String normalised = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        int length = normalised.length();
        int i = 0;
        while (i < length) {
            int cp = normalised.codePointAt(i);
            if (isCjk(cp)) {
                int end = i;
                while (end < length && isCjk(normalised.codePointAt(end))) {
                    end += Character.charCount(normalised.codePointAt(end));
                }
                addCjkRun(normalised.substring(i, end), terms, pieces);
                i = end;
            } else if (Character.isLetterOrDigit(cp)) {
                int end = i;
                while (end < length) {
                    int c = normalised.codePointAt(end);
                    if (isCjk(c) || !Character.isLetterOrDigit(c)) {
                        break;
                    }
                    end += Character.charCount(c);
                }
                addLatinWord(normalised.substring(i, end), terms);
                i = end;
            } else {
                i += Character.charCount(cp);
            }
        }
        boolean latin = terms.stream().anyMatch(t -> t.kind() == Kind.LATIN_WORD);
        if (latin || !pieces.isEmpty()) {
            terms.add(latin && pieces.isEmpty() ? LATIN_SCRIPT : CJK_SCRIPT);
        }
        return new Extraction(terms, pieces);
    }

    /** The Latin words of a text, lower-cased but neither stemmed nor filtered: what whole-word rules look at. */
    static List<String> rawWords(String text) {
        List<String> words = new ArrayList<>();
        if (text == null) {
            return words;
        }
        String normalised = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder word = new StringBuilder();
        normalised.codePoints().forEach(cp -> {
            if (!isCjk(cp) && Character.isLetterOrDigit(cp)) {
                word.appendCodePoint(cp);
            } else if (!word.isEmpty()) {
                words.add(word.toString());
                word.setLength(0);
            }
        });
        if (!word.isEmpty()) {
            words.add(word.toString());
        }
        return words;
    }

    static boolean isCjk(int codePoint) {
        Character.UnicodeScript script = Character.UnicodeScript.of(codePoint);
        return script == Character.UnicodeScript.HAN
                || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA
                || script == Character.UnicodeScript.HANGUL;
    }

    static boolean containsCjk(String text) {
        return text.codePoints().anyMatch(TermExtractor::isCjk);
    }

    private static void addLatinWord(String word, List<Term> terms) {
        // Single letters (the "a" of "a stack", the "p" of "p值") and bare numbers say nothing about a topic.
        if (word.codePointCount(0, word.length()) < 2 || word.chars().noneMatch(Character::isLetter)) {
            return;
        }
        if (StopWords.isLatin(word)) {
            return;
        }
        String stem = stem(word);
        if (!StopWords.isLatin(stem)) {
            terms.add(new Term(stem, Kind.LATIN_WORD));
        }
    }

    /**
     * Folds the common English plurals onto their singular so "trees" meets "tree"; deliberately crude
     * (no dictionary), and careful with words that merely end in s: analysis, status, class.
     */
    static String stem(String word) {
        int n = word.length();
        if (n > 4 && word.endsWith("ies")) {
            return word.substring(0, n - 3) + "y";
        }
        if (n > 4
                && (word.endsWith("sses")
                        || word.endsWith("ches")
                        || word.endsWith("shes")
                        || word.endsWith("xes")
                        || word.endsWith("zes"))) {
            return word.substring(0, n - 2);
        }
        if (n > 3 && word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us") && !word.endsWith("is")) {
            return word.substring(0, n - 1);
        }
        return word;
    }

    private static void addCjkRun(String run, List<Term> terms, List<String> pieces) {
        StringBuilder piece = new StringBuilder();
        int i = 0;
        while (i < run.length()) {
            int keepLength = keptWordAt(run, i);
            if (keepLength > 0) {
                piece.append(run, i, i + keepLength);
                i += keepLength;
                continue;
            }
            int stopLength = stopPhraseAt(run, i);
            if (stopLength > 0) {
                addCjkPiece(piece.toString(), terms, pieces);
                piece.setLength(0);
                i += stopLength;
            } else {
                int cp = run.codePointAt(i);
                piece.appendCodePoint(cp);
                i += Character.charCount(cp);
            }
        }
        addCjkPiece(piece.toString(), terms, pieces);
    }

    private static int keptWordAt(String run, int start) {
        for (String word : StopWords.CJK_KEEP) {
            if (run.startsWith(word, start)) {
                return word.length();
            }
        }
        return 0;
    }

    private static int stopPhraseAt(String run, int start) {
        for (String phrase : StopWords.cjkStartingWith(run.charAt(start))) {
            if (run.startsWith(phrase, start)) {
                return phrase.length();
            }
        }
        return 0;
    }

    private static void addCjkPiece(String piece, List<Term> terms, List<String> pieces) {
        int[] chars = piece.codePoints().toArray();
        if (chars.length == 0 || (chars.length == 1 && StopWords.CJK_LONE.contains(piece))) {
            return;
        }
        pieces.add(piece);
        if (chars.length == 1) {
            terms.add(new Term(piece, Kind.CJK_SINGLE));
            return;
        }
        if (chars.length > 2 && chars.length <= LONGEST_CJK_WORD) {
            terms.add(new Term(piece, Kind.CJK_WORD));
        }
        for (int k = 0; k + 1 < chars.length; k++) {
            boolean edge = k == 0 || k + 2 == chars.length;
            terms.add(new Term(new String(chars, k, 2), edge ? Kind.CJK_BIGRAM : Kind.CJK_INNER_BIGRAM));
        }
        for (int c : chars) {
            terms.add(new Term(Character.toString(c), Kind.CJK_CHAR));
        }
    }
}
