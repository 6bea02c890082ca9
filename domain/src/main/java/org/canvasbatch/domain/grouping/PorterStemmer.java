package org.canvasbatch.domain.grouping;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The Porter stemming algorithm (M. F. Porter, "An algorithm for suffix stripping", 1980): folds "connected",
 * "connecting", "connection" and "connections" onto "connect", so that two questions asking about the same thing in
 * different grammatical forms share a term. Stems are not words ("eigenvalu", "differenti"); group names therefore
 * show a surface form seen in the canvas, never a stem.
 */
final class PorterStemmer {

    private char[] b;
    /** End of the word being stemmed (exclusive). */
    private int end;
    /** End of the stem when a suffix is tested (exclusive). */
    private int stemEnd;

    private PorterStemmer(String word) {
        this.b = word.toCharArray();
        this.end = b.length;
    }

    /**
     * Stems already worked out. A vault's notes use the same few thousand words over and over: looking a word up is
     * several times cheaper than stemming it again. Emptied when full, so it never holds more than a bounded number.
     */
    private static final ConcurrentHashMap<String, String> KNOWN = new ConcurrentHashMap<>();

    private static final int MAX_KNOWN = 1 << 16;
    private static final int LONGEST_KNOWN = 32;

    /** The stem of a lower-case word; words of one or two letters and words with non-ASCII letters stay as they are. */
    static String stem(String word) {
        if (word.length() > LONGEST_KNOWN) {
            return stemmed(word);
        }
        String known = KNOWN.get(word);
        if (known == null) {
            if (KNOWN.size() >= MAX_KNOWN) {
                KNOWN.clear();
            }
            known = stemmed(word);
            KNOWN.put(word, known);
        }
        return known;
    }

    private static String stemmed(String word) {
        if (word.length() <= 2 || !isLowerAscii(word)) {
            return word;
        }
        PorterStemmer stemmer = new PorterStemmer(word);
        stemmer.step1ab();
        if (stemmer.end > 2) {
            stemmer.step1c();
            stemmer.step2();
            stemmer.step3();
            stemmer.step4();
            stemmer.step5();
        }
        return new String(stemmer.b, 0, stemmer.end);
    }

    private static boolean isLowerAscii(String word) {
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c < 'a' || c > 'z') {
                return false;
            }
        }
        return true;
    }

    private boolean isConsonant(int i) {
        return switch (b[i]) {
            case 'a', 'e', 'i', 'o', 'u' -> false;
            case 'y' -> i == 0 || !isConsonant(i - 1);
            default -> true;
        };
    }

    /** m in [C](VC)^m[V] of b[0, stemEnd): how many vowel-consonant sequences the stem has. */
    private int measure() {
        int n = 0;
        int i = 0;
        while (i < stemEnd && isConsonant(i)) {
            i++;
        }
        while (i < stemEnd) {
            while (i < stemEnd && !isConsonant(i)) {
                i++;
            }
            if (i >= stemEnd) {
                break;
            }
            n++;
            while (i < stemEnd && isConsonant(i)) {
                i++;
            }
        }
        return n;
    }

    private boolean stemHasVowel() {
        for (int i = 0; i < stemEnd; i++) {
            if (!isConsonant(i)) {
                return true;
            }
        }
        return false;
    }

    private boolean endsWithDoubleConsonant(int at) {
        return at >= 1 && b[at] == b[at - 1] && isConsonant(at);
    }

    /** consonant-vowel-consonant ending at {@code at}, the last consonant not w, x or y: "hop", not "hoop" or "box". */
    private boolean cvc(int at) {
        if (at < 2 || !isConsonant(at) || isConsonant(at - 1) || !isConsonant(at - 2)) {
            return false;
        }
        char c = b[at];
        return c != 'w' && c != 'x' && c != 'y';
    }

    private boolean endsWith(String suffix) {
        int length = suffix.length();
        if (length > end) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (b[end - length + i] != suffix.charAt(i)) {
                return false;
            }
        }
        stemEnd = end - length;
        return true;
    }

    /** Replaces the suffix last matched by {@link #endsWith} with {@code replacement}. */
    private void setTo(String replacement) {
        int length = replacement.length();
        if (stemEnd + length > b.length) {
            char[] longer = new char[stemEnd + length];
            System.arraycopy(b, 0, longer, 0, stemEnd);
            b = longer;
        }
        replacement.getChars(0, length, b, stemEnd);
        end = stemEnd + length;
    }

    private void replaceIfMeasured(String replacement) {
        if (measure() > 0) {
            setTo(replacement);
        }
    }

    /** Plurals and -ed or -ing: caresses → caress, ponies → poni, agreed → agree, hopping → hop, filing → file. */
    private void step1ab() {
        if (b[end - 1] == 's') {
            if (endsWith("sses")) {
                end -= 2;
            } else if (endsWith("ies")) {
                setTo("i");
            } else if (end >= 2 && b[end - 2] != 's') {
                end--;
            }
        }
        if (endsWith("eed")) {
            if (measure() > 0) {
                end--;
            }
        } else if ((endsWith("ed") || endsWith("ing")) && stemHasVowel()) {
            end = stemEnd;
            if (endsWith("at")) {
                setTo("ate");
            } else if (endsWith("bl")) {
                setTo("ble");
            } else if (endsWith("iz")) {
                setTo("ize");
            } else if (endsWithDoubleConsonant(end - 1)) {
                char last = b[end - 1];
                if (last != 'l' && last != 's' && last != 'z') {
                    end--;
                }
            } else {
                stemEnd = end;
                if (measure() == 1 && cvc(end - 1)) {
                    setTo("e");
                }
            }
        }
    }

    /** A final y after a vowel-bearing stem becomes i: happy → happi, so that it meets happiness → happi. */
    private void step1c() {
        if (endsWith("y") && stemHasVowel()) {
            b[end - 1] = 'i';
        }
    }

    private static final String[][] STEP2 = {
        {"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"}, {"izer", "ize"}, {"bli", "ble"},
        {"alli", "al"}, {"entli", "ent"}, {"eli", "e"}, {"ousli", "ous"}, {"ization", "ize"}, {"ation", "ate"},
        {"ator", "ate"}, {"alism", "al"}, {"iveness", "ive"}, {"fulness", "ful"}, {"ousness", "ous"}, {"aliti", "al"},
        {"iviti", "ive"}, {"biliti", "ble"}, {"logi", "log"}
    };

    private static final String[][] STEP3 = {
        {"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"}, {"ical", "ic"}, {"ful", ""}, {"ness", ""}
    };

    private static final String[] STEP4 = {
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate",
        "iti", "ous", "ive", "ize"
    };

    /** Double suffixes to single ones when the stem is long enough: relational → relate, digitizer → digitize. */
    private void step2() {
        for (String[] rule : STEP2) {
            if (endsWith(rule[0])) {
                replaceIfMeasured(rule[1]);
                return;
            }
        }
    }

    private void step3() {
        for (String[] rule : STEP3) {
            if (endsWith(rule[0])) {
                replaceIfMeasured(rule[1]);
                return;
            }
        }
    }

    /** Drops one last suffix from a stem of measure above one: revival → reviv, adoption → adopt. */
    private void step4() {
        for (String suffix : STEP4) {
            if (endsWith(suffix)) {
                if (suffix.equals("ion") && !(stemEnd > 0 && (b[stemEnd - 1] == 's' || b[stemEnd - 1] == 't'))) {
                    return;
                }
                if (measure() > 1) {
                    end = stemEnd;
                }
                return;
            }
        }
    }

    /** A final e of a long stem goes (probate → probat), and a double l of a long stem is halved (controll → control). */
    private void step5() {
        stemEnd = end;
        if (b[end - 1] == 'e') {
            stemEnd = end - 1;
            int m = measure();
            if (m > 1 || (m == 1 && !cvc(end - 2))) {
                end--;
            }
        }
        stemEnd = end;
        if (b[end - 1] == 'l' && endsWithDoubleConsonant(end - 1) && measure() > 1) {
            end--;
        }
    }
}
