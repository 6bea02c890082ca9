package org.canvasbatch.domain.grouping;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Cuts a question into the terms TF-IDF counts and the subject fields it mentions, for Chinese and English alike.
 *
 * <p>Latin text (and any other script written with spaces) splits on anything that is not a letter, a digit or a
 * combining mark following one; question words ("what", "explain", "difference")
 * are dropped and the rest Porter-stemmed. Chinese has no spaces: a CJK run is segmented with the subject lexicon as
 * its dictionary (longest term first, so 三羧酸循环 stays one word) and cut at question phrases (什么是, 如何理解,
 * 举例说明 …). A lexicon term is a whole word; what the lexicon does not know falls back to the older dictionary-free
 * reading: character bigrams, the piece itself when short, and its single characters at a low weight.
 *
 * <p>Every lexicon term found, Latin or CJK, also yields its subject fields ({@code bio.cell}) and subjects
 * ({@code bio}): the features that let 核糖体 meet 线粒体 although they share no character.
 */
final class TermExtractor {

    /** How a term was found; decides its weight in the vector and whether it may name a group. */
    enum Kind {
        LATIN_WORD(1.0, true),
        /** A multi-word lexicon term ("cell membrane", "law of large numbers"), on top of its single words. */
        LATIN_PHRASE(1.0, true),
        /** A lexicon term found in a CJK run: a word for certain. */
        CJK_TERM(1.5, true),
        /** A bigram inside a lexicon term of three or more characters, so 细胞膜 still meets 细胞壁 lexically. */
        CJK_TERM_BIGRAM(0.5, false),
        /** A bigram at the start or end of an unknown piece: one side borders a stop phrase, so it likely ends a word. */
        CJK_BIGRAM(1.0, true),
        /**
         * A bigram inside an unknown piece, as likely to straddle two words (拉回 of 欧拉回路) as to be one; it counts
         * for similarity like any bigram but names a group only if it also turns up at a piece's edge somewhere.
         */
        CJK_INNER_BIGRAM(1.0, false),
        /** An unknown piece of three to six characters: likely one word or compound, already counted by its bigrams. */
        CJK_WORD(0.5, true),
        /** A single character standing between stop phrases (图 in 图的着色, 秩 in 矩阵的秩): a word in its own right. */
        CJK_SINGLE(1.0, true),
        CJK_CHAR(0.3, false),
        /**
         * One per text that has any topic term, saying whether it is written in Latin or CJK script. Two questions in
         * different languages rarely share a word, so without it a mixed canvas dumps its leftover questions of both
         * languages into one grab-bag group; with it they at least part by language.
         */
        SCRIPT(0.3, false),
        /** A subject field of a lexicon term, e.g. {@code bio.cell}. */
        FIELD(1.0, false),
        /** The subject of that field, e.g. {@code bio}: fields of one subject are closer than fields of two. */
        SUBJECT(0.5, false);

        final double weight;
        final boolean readable;

        Kind(double weight, boolean readable) {
            this.weight = weight;
            this.readable = readable;
        }
    }

    /**
     * @param text    what is counted (a stem for Latin words)
     * @param display what a person reads when the term names a group (a word as written in the canvas)
     */
    record Term(String text, Kind kind, String display) {
        Term(String text, Kind kind) {
            this(text, kind, text);
        }
    }

    /**
     * The terms of one text, its subject features, and the CJK pieces (runs between stop phrases) they were cut from.
     */
    record Extraction(List<Term> terms, List<Term> subjects, List<String> cjkPieces) {}

    private static final Term LATIN_SCRIPT = new Term("\u0000latin", Kind.SCRIPT);
    private static final Term CJK_SCRIPT = new Term("\u0000cjk", Kind.SCRIPT);

    /** A CJK piece longer than this is a run of several words, not one worth showing as a name. */
    private static final int LONGEST_CJK_WORD = 6;

    /** The first characters of the kept words, so that most characters of a run are passed over at once. */
    private static final String KEPT_WORD_STARTS = StopWords.CJK_KEEP.stream()
            .map(word -> word.substring(0, 1))
            .distinct()
            .reduce("", String::concat);

    private TermExtractor() {}

    static Extraction extract(String text) {
        return read(text, SubjectLexicon.shared());
    }

    /**
     * The terms of a text as a search counts them ({@link SearchTerms}): the same words, without what only grouping
     * uses (subject fields, and the single characters of unknown stretches that are not lexicon words). Read once per
     * passage of a whole vault, so nothing is made that would be thrown away.
     */
    static Extraction forSearch(String text) {
        return read(text, SubjectLexicon.shared(), true);
    }

    /** NFKC folds full-width letters and digits (ＡＢＣ１２), common in Chinese input methods, into ASCII; then lower case. */
    static String normalise(String text) {
        // a coloured terminal's text pasted into a card keeps its escapes: "\e[31mStack\e[0m" is the word stack
        String plain = text.indexOf('\u001b') < 0
                ? text
                : TERMINAL_ESCAPE.matcher(text).replaceAll(" ");
        // ASCII is its own NFKC form: most English text skips the normaliser's pass
        return (isAscii(plain) ? plain : Normalizer.normalize(plain, Normalizer.Form.NFKC)).toLowerCase(Locale.ROOT);
    }

    /** ECMA-48 control sequences (CSI: colours, cursor, clearing) and operating-system commands (a window's title). */
    private static final Pattern TERMINAL_ESCAPE =
            Pattern.compile("\u001b(?:\\[[0-?]*[ -/]*[@-~]|\\][^\u0007\u001b]*(?:\u0007|\u001b\\\\)?|.?)");

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The Latin words of a text, lower-cased but neither stemmed nor filtered: what whole-word rules look at. */
    static List<String> rawWords(String text) {
        List<String> words = new ArrayList<>();
        if (text == null) {
            return words;
        }
        String normalised = normalise(text);
        StringBuilder word = new StringBuilder();
        normalised.codePoints().forEach(cp -> {
            if (!isCjk(cp) && (Character.isLetterOrDigit(cp) || (!word.isEmpty() && isMark(cp)))) {
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

    /** The Latin words of an already normalised text, stemmed, stop words kept: how lexicon terms are matched. */
    static List<String> stemmedWords(String normalised) {
        return rawWords(normalised).stream().map(PorterStemmer::stem).toList();
    }

    static String stem(String word) {
        return PorterStemmer.stem(word);
    }

    /**
     * A combining mark: part of the word it follows. Thai, Hindi and their neighbours write most vowels this way
     * (ไมโทคอนเดรีย, माइटोकॉन्ड्रिया), and a word cut at each of them leaves syllables that name nothing.
     */
    static boolean isMark(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    static boolean isCjk(int codePoint) {
        // Nothing below the Hangul Jamo block is CJK: Latin text is answered without the script table's search.
        if (codePoint < 0x1100) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(codePoint);
        return script == Character.UnicodeScript.HAN
                || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA
                || script == Character.UnicodeScript.HANGUL;
    }

    static boolean containsCjk(String text) {
        return text.codePoints().anyMatch(TermExtractor::isCjk);
    }

    /** Punctuation that ends a phrase: "cell, membrane" is not the term "cell membrane". */
    private static boolean breaksPhrase(int codePoint) {
        return switch (codePoint) {
            case '.', ',', ';', ':', '?', '!', '(', ')', '[', ']', '{', '}', '"', '\n', '\r', '\t', '|', '<', '>' ->
                true;
            default -> false;
        };
    }

    /** One Latin word as written, and its stem. */
    private record Word(String surface, String stem) {}

    /** One piece of a CJK run between stop phrases: lexicon terms and the unknown stretches between them. */
    private record PiecePart(String text, boolean known) {}

    /** Collects the terms of one text. */
    private static final class Collector {
        final SubjectLexicon lexicon;
        final List<Term> terms = new ArrayList<>();
        final List<Term> subjects = new ArrayList<>();
        final List<String> pieces = new ArrayList<>();
        boolean latin;

        /** Whether the terms are for a search: no subject fields, no character that is not a word on its own. */
        final boolean searching;

        Collector(SubjectLexicon lexicon, boolean searching) {
            this.lexicon = lexicon;
            this.searching = searching;
        }

        void addFields(int[] fields) {
            if (searching) {
                return;
            }
            for (int field : fields) {
                subjects.add(new Term(lexicon.fieldFeature(field), Kind.FIELD));
                subjects.add(new Term(lexicon.subjectFeature(field), Kind.SUBJECT));
            }
        }

        /** A stretch of Latin words between CJK runs and phrase-ending punctuation. */
        void latinPhrase(List<Word> words) {
            if (words.isEmpty()) {
                return;
            }
            for (Word word : words) {
                addLatinWord(word);
            }
            int i = 0;
            while (i < words.size()) {
                int matched = 0;
                int longest = lexicon.longestLatinTermStartingWith(words.get(i).stem());
                for (int length = Math.min(longest, words.size() - i); length >= 1; length--) {
                    StringBuilder key = new StringBuilder();
                    StringBuilder surface = new StringBuilder();
                    for (int w = i; w < i + length; w++) {
                        if (w > i) {
                            key.append(' ');
                            surface.append(' ');
                        }
                        key.append(words.get(w).stem());
                        surface.append(words.get(w).surface());
                    }
                    int[] fields = lexicon.latinFields(key.toString());
                    if (fields != null) {
                        addFields(fields);
                        if (length > 1) {
                            terms.add(new Term(key.toString(), Kind.LATIN_PHRASE, surface.toString()));
                        }
                        matched = length;
                        break;
                    }
                }
                i += Math.max(1, matched);
            }
        }

        private void addLatinWord(Word word) {
            String surface = word.surface();
            // Single letters (the "a" of "a stack", the "p" of "p值") and bare numbers say nothing about a topic.
            if (surface.codePoints().filter(Character::isLetterOrDigit).count() < 2
                    || surface.chars().noneMatch(Character::isLetter)) {
                return;
            }
            if (StopWords.isLatin(surface) || StopWords.isLatin(word.stem())) {
                return;
            }
            latin = true;
            terms.add(new Term(word.stem(), Kind.LATIN_WORD, surface));
        }

        void cjkRun(String run) {
            List<PiecePart> piece = new ArrayList<>();
            StringBuilder unknown = new StringBuilder();
            int i = 0;
            while (i < run.length()) {
                int keepLength = keptWordAt(run, i);
                if (keepLength > 0) {
                    unknown.append(run, i, i + keepLength);
                    i += keepLength;
                    continue;
                }
                int termLength = lexicon.longestCjkTermAt(run, i);
                if (termLength > 0) {
                    flushUnknown(unknown, piece);
                    piece.add(new PiecePart(run.substring(i, i + termLength), true));
                    i += termLength;
                    continue;
                }
                int stopLength = stopPhraseAt(run, i);
                if (stopLength > 0) {
                    flushUnknown(unknown, piece);
                    cjkPiece(piece);
                    piece.clear();
                    i += stopLength;
                    continue;
                }
                int cp = run.codePointAt(i);
                unknown.appendCodePoint(cp);
                i += Character.charCount(cp);
            }
            flushUnknown(unknown, piece);
            cjkPiece(piece);
        }

        private static void flushUnknown(StringBuilder unknown, List<PiecePart> piece) {
            if (!unknown.isEmpty()) {
                piece.add(new PiecePart(unknown.toString(), false));
                unknown.setLength(0);
            }
        }

        private void cjkPiece(List<PiecePart> parts) {
            if (parts.isEmpty()) {
                return;
            }
            boolean alone = parts.size() == 1;
            StringBuilder whole = new StringBuilder();
            for (PiecePart part : parts) {
                whole.append(part.text());
                if (part.known()) {
                    knownTerm(part.text());
                } else {
                    unknownStretch(part.text(), alone);
                }
            }
            if (!(alone
                    && !parts.get(0).known()
                    && isLoneFunctionCharacter(parts.get(0).text()))) {
                pieces.add(whole.toString());
            }
        }

        private void knownTerm(String term) {
            terms.add(new Term(term, Kind.CJK_TERM));
            int[] chars = term.codePoints().toArray();
            if (chars.length > 2) {
                for (int k = 0; k + 1 < chars.length; k++) {
                    String bigram = new String(chars, k, 2);
                    // 物质的量 is one term, but 的量 is nothing
                    if (bigram.indexOf('的') < 0) {
                        terms.add(new Term(bigram, Kind.CJK_TERM_BIGRAM));
                    }
                }
            }
            addFields(lexicon.cjkFields(term));
        }

        /**
         * What the lexicon does not know. A single character is a word when it stands alone between stop phrases,
         * or is a lexicon term (酶 in 消化酶, 苯 in 苯的结构); inside a longer stretch it is only a character.
         */
        private void unknownStretch(String stretch, boolean aloneInPiece) {
            int[] chars = stretch.codePoints().toArray();
            if (chars.length == 1) {
                int[] fields = lexicon.cjkFields(stretch);
                if (fields != null) {
                    terms.add(new Term(stretch, Kind.CJK_TERM));
                    addFields(fields);
                } else if (aloneInPiece && !StopWords.CJK_LONE.contains(stretch)) {
                    terms.add(new Term(stretch, Kind.CJK_SINGLE));
                } else if (!searching && !StopWords.CJK_LONE.contains(stretch)) {
                    terms.add(new Term(stretch, Kind.CJK_CHAR));
                }
                return;
            }
            if (chars.length > 2 && chars.length <= LONGEST_CJK_WORD) {
                terms.add(new Term(stretch, Kind.CJK_WORD));
            }
            for (int k = 0; k + 1 < chars.length; k++) {
                boolean edge = k == 0 || k + 2 == chars.length;
                terms.add(new Term(new String(chars, k, 2), edge ? Kind.CJK_BIGRAM : Kind.CJK_INNER_BIGRAM));
            }
            for (int c : chars) {
                String character = Character.toString(c);
                if (!searching || lexicon.cjkFields(character) != null) {
                    terms.add(new Term(character, Kind.CJK_CHAR));
                }
            }
        }

        private static boolean isLoneFunctionCharacter(String text) {
            return text.codePointCount(0, text.length()) == 1 && StopWords.CJK_LONE.contains(text);
        }

        Extraction finish() {
            boolean cjk = !pieces.isEmpty();
            if (latin || cjk) {
                terms.add(latin && !cjk ? LATIN_SCRIPT : CJK_SCRIPT);
            }
            return new Extraction(List.copyOf(terms), List.copyOf(subjects), List.copyOf(pieces));
        }
    }

    private static int keptWordAt(String run, int start) {
        if (KEPT_WORD_STARTS.indexOf(run.charAt(start)) < 0) {
            return 0;
        }
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

    static Extraction read(String text, SubjectLexicon lexicon) {
        return read(text, lexicon, false);
    }

    private static Extraction read(String text, SubjectLexicon lexicon, boolean searching) {
        Collector collector = new Collector(lexicon, searching);
        if (text == null || text.isEmpty()) {
            return collector.finish();
        }
        String normalised = normalise(text);
        List<Word> phrase = new ArrayList<>();
        int length = normalised.length();
        int i = 0;
        while (i < length) {
            int cp = normalised.codePointAt(i);
            if (isCjk(cp)) {
                collector.latinPhrase(phrase);
                phrase.clear();
                int end = i;
                while (end < length && isCjk(normalised.codePointAt(end))) {
                    end += Character.charCount(normalised.codePointAt(end));
                }
                collector.cjkRun(normalised.substring(i, end));
                i = end;
            } else if (Character.isLetterOrDigit(cp)) {
                int end = i;
                while (end < length) {
                    int c = normalised.codePointAt(end);
                    if (isCjk(c) || !(Character.isLetterOrDigit(c) || isMark(c))) {
                        break;
                    }
                    end += Character.charCount(c);
                }
                String surface = normalised.substring(i, end);
                phrase.add(new Word(surface, PorterStemmer.stem(surface)));
                i = end;
            } else {
                if (breaksPhrase(cp)) {
                    collector.latinPhrase(phrase);
                    phrase.clear();
                }
                i += Character.charCount(cp);
            }
        }
        collector.latinPhrase(phrase);
        return collector.finish();
    }
}
