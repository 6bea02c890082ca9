package org.canvasbatch.adapters.vault;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.canvasbatch.domain.grouping.SearchTerms;

/**
 * A passage cut to a short quote: the sentence that holds most of what was searched for, with its neighbours while they
 * fit, "…" where it was cut. A sentence too long on its own is cut around the first searched word in it, at a word's
 * edge.
 */
final class Excerpt {

    static final int MAX_CHARS = 200;
    static final String ELLIPSIS = "…";
    /** How much of a long sentence is kept before its first searched word, so the quote does not start on it. */
    private static final int LEAD_IN = 40;

    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[。！？；!?;])|(?<=[.:](?=\\s))");

    private Excerpt() {}

    /**
     * @param text        the passage, plain text on one line
     * @param termWeights the searched terms, each with its weight
     */
    static String of(String text, Map<String, Double> termWeights) {
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        List<String> sentences = List.of(SENTENCE_END.split(text));
        int best = 0;
        double bestScore = -1;
        for (int i = 0; i < sentences.size(); i++) {
            double score = score(sentences.get(i), termWeights);
            if (score > bestScore) {
                best = i;
                bestScore = score;
            }
        }
        String sentence = sentences.get(best);
        if (sentence.strip().length() > MAX_CHARS) {
            int start = offsetOf(sentences, best);
            return around(text, start + firstMatch(sentence, termWeights), start);
        }
        int first = best;
        int last = best;
        int length = sentence.length();
        boolean grew = true;
        while (grew) {
            grew = false;
            if (last + 1 < sentences.size() && length + sentences.get(last + 1).length() <= MAX_CHARS) {
                length += sentences.get(++last).length();
                grew = true;
            }
            if (first > 0 && length + sentences.get(first - 1).length() <= MAX_CHARS) {
                length += sentences.get(--first).length();
                grew = true;
            }
        }
        String quote = String.join("", sentences.subList(first, last + 1)).strip();
        return (first > 0 ? ELLIPSIS : "") + quote + (last + 1 < sentences.size() ? ELLIPSIS : "");
    }

    private static double score(String sentence, Map<String, Double> termWeights) {
        double score = 0;
        for (String term : SearchTerms.occurrences(sentence).keySet()) {
            score += termWeights.getOrDefault(term, 0.0);
        }
        return score;
    }

    private static int offsetOf(List<String> sentences, int index) {
        int offset = 0;
        for (int i = 0; i < index; i++) {
            offset += sentences.get(i).length();
        }
        return offset;
    }

    /**
     * Where the first searched term shows in the sentence: a Chinese term as written, an English stem as the start of
     * a word (a stem may end differently from the word: "energi" of "energy"); 0 when none is found.
     */
    private static int firstMatch(String sentence, Map<String, Double> termWeights) {
        String lower = sentence.toLowerCase(Locale.ROOT);
        if (lower.length() != sentence.length()) {
            return 0;
        }
        int first = Integer.MAX_VALUE;
        for (String term : termWeights.keySet()) {
            int at = lower.indexOf(term);
            if (at < 0 && term.length() > 3) {
                at = lower.indexOf(term.substring(0, term.length() - 1));
            }
            if (at >= 0) {
                first = Math.min(first, at);
            }
        }
        return first == Integer.MAX_VALUE ? 0 : first;
    }

    /** {@value #MAX_CHARS} characters of the text from a little before {@code anchor}, never before {@code floor}. */
    private static String around(String text, int anchor, int floor) {
        int start = Math.max(floor, anchor - LEAD_IN);
        start = wordStart(text, start, floor);
        int end = Math.min(text.length(), start + MAX_CHARS);
        end = wordEnd(text, end, start);
        String quote = text.substring(start, end).strip();
        return (start > 0 ? ELLIPSIS : "") + quote + (end < text.length() ? ELLIPSIS : "");
    }

    /** Moves a cut back to the start of the Latin word it falls in; a cut between CJK characters stays. */
    private static int wordStart(String text, int at, int floor) {
        int start = at;
        while (start > floor && isWordChar(text, start) && isWordChar(text, start - 1)) {
            start--;
        }
        if (Character.isLowSurrogate(text.charAt(start)) && start > floor) {
            start--;
        }
        return start;
    }

    private static int wordEnd(String text, int at, int start) {
        int end = at;
        if (end < text.length() && Character.isLowSurrogate(text.charAt(end))) {
            end--;
        }
        int cut = end;
        while (cut > start && cut < text.length() && isWordChar(text, cut) && isWordChar(text, cut - 1)) {
            cut--;
        }
        // a single word longer than the whole quote is cut where it must be
        return cut > start ? cut : end;
    }

    private static boolean isWordChar(String text, int at) {
        char c = text.charAt(at);
        return Character.isLetterOrDigit(c) && Character.UnicodeScript.of(c) != Character.UnicodeScript.HAN;
    }
}
