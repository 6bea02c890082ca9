package org.canvasbatch.domain.grouping;

import java.util.HashMap;
import java.util.Map;

/**
 * The words of a text as a full-text search counts them, read exactly as grouping reads a question
 * ({@link TermExtractor}): Chinese segmented with the subject lexicon as dictionary, what it does not know as character
 * bigrams and single characters; English Porter-stemmed; question phrases ("什么是", "what is", "explain") left out. So a
 * question and the learner's notes meet on the same words whichever of them mentions 线粒体 or "mitochondria" first.
 *
 * <p>Subject fields and the script marker are not words and are left out: a search looks for where the words
 * themselves are written. So are the single characters of an unknown Chinese stretch, unless the character is a word
 * of the lexicon on its own (秩, 酶, 苯): the bigrams already hold them, and every character of every sentence would
 * make the index several times larger for nothing.
 */
public final class SearchTerms {

    private SearchTerms() {}

    /** How often each term occurs in the text: what an index counts for a passage. */
    public static Map<String, Integer> occurrences(String text) {
        Map<String, Integer> counts = new HashMap<>();
        for (TermExtractor.Term term : TermExtractor.forSearch(text).terms()) {
            if (searched(term)) {
                counts.merge(term.text(), 1, Integer::sum);
            }
        }
        return counts;
    }

    /**
     * Each term of a query with the weight grouping gives its kind: a lexicon term of a Chinese text 1.5, a word or a
     * bigram 1, a bigram inside a lexicon term or an unknown stretch of several characters 0.5, a one-character
     * lexicon word inside an unknown stretch 0.3. A term found more than one way keeps its largest weight.
     */
    public static Map<String, Double> queryWeights(String text) {
        Map<String, Double> weights = new HashMap<>();
        for (TermExtractor.Term term : TermExtractor.forSearch(text).terms()) {
            if (searched(term)) {
                weights.merge(term.text(), term.kind().weight, Math::max);
            }
        }
        return weights;
    }

    private static boolean searched(TermExtractor.Term term) {
        return switch (term.kind()) {
            case SCRIPT, FIELD, SUBJECT -> false;
            case CJK_CHAR -> SubjectLexicon.shared().cjkFields(term.text()) != null;
            default -> true;
        };
    }
}
