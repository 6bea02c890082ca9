package org.canvasbatch.domain.grouping;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Terms of school and university subjects, each tagged with the fields it belongs to ({@code bio.cell},
 * {@code chem.organic} …), read once from {@code subject-lexicon.txt} beside this class. Surface overlap cannot tell
 * that 核糖体 and 线粒体 are both organelles; the lexicon can, without a network or a model. It also gives Chinese
 * segmentation its dictionary: a term found here is one word.
 */
final class SubjectLexicon {

    private static final String RESOURCE = "subject-lexicon.txt";

    /** Shared by every grouping: the file is read once, on first use. */
    static SubjectLexicon shared() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final SubjectLexicon INSTANCE = load();
    }

    /** Field names by id, e.g. {@code bio.cell}. */
    private final List<String> fields;
    /** The feature of each field and of its subject, by field id, made once: every lexicon term of a text adds both. */
    private final String[] fieldFeatures;

    private final String[] subjectFeatures;
    /** Chinese (and other CJK) terms to the ids of their fields. */
    private final Map<String, int[]> cjkTerms;
    /**
     * The first two characters of every CJK term of two or more, as {@code first << 16 | second}, sorted: a scan of a
     * long text tries a position only when a term can start there, and then only the lengths that can match.
     */
    private final int[] cjkPairs;
    /** The longest term of at least two characters by its first two: the first two at {@code cjkPairs}'s index. */
    private final int[] longestCjkByPair;
    /** Latin terms as their stemmed words joined by one space, to the ids of their fields. */
    private final Map<String, int[]> latinTerms;

    /**
     * The most words of a Latin term by its first stemmed word, so a scan tries only lengths that can match: most
     * words of a text start no term at all, and a long note is read word by word.
     */
    private final Map<String, Integer> longestLatinByFirst;

    private SubjectLexicon(
            List<String> fields,
            Map<String, int[]> cjkTerms,
            int[] cjkPairs,
            int[] longestCjkByPair,
            Map<String, int[]> latinTerms,
            Map<String, Integer> longestLatinByFirst) {
        this.fields = fields;
        this.fieldFeatures = new String[fields.size()];
        this.subjectFeatures = new String[fields.size()];
        for (int id = 0; id < fields.size(); id++) {
            fieldFeatures[id] = "\u0000" + field(id);
            subjectFeatures[id] = "\u0000" + subjectOf(id);
        }
        this.cjkTerms = cjkTerms;
        this.cjkPairs = cjkPairs;
        this.longestCjkByPair = longestCjkByPair;
        this.latinTerms = latinTerms;
        this.longestLatinByFirst = longestLatinByFirst;
    }

    static SubjectLexicon load() {
        try (InputStream in = SubjectLexicon.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the domain jar");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + RESOURCE, e);
        }
    }

    static SubjectLexicon parse(BufferedReader reader) throws IOException {
        List<String> fields = new ArrayList<>();
        Map<String, List<Integer>> cjk = new LinkedHashMap<>();
        Map<String, List<Integer>> latin = new LinkedHashMap<>();
        int field = -1;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                fields.add(trimmed.substring(1, trimmed.length() - 1).strip());
                field = fields.size() - 1;
                continue;
            }
            if (field < 0) {
                throw new IllegalStateException(RESOURCE + ": terms before the first [field] line: " + trimmed);
            }
            for (String raw : trimmed.split(",")) {
                String term = TermExtractor.normalise(raw.strip());
                if (term.isEmpty()) {
                    continue;
                }
                if (TermExtractor.containsCjk(term) && term.codePoints().allMatch(TermExtractor::isCjk)) {
                    addField(cjk, term, field);
                } else {
                    List<String> words = TermExtractor.stemmedWords(term);
                    // "c++" would become the lone letter c and tag every "c" in any text: a term needs a real word.
                    if (words.isEmpty() || (words.size() == 1 && words.get(0).length() < 2)) {
                        continue;
                    }
                    addField(latin, String.join(" ", words), field);
                }
            }
        }
        TreeMap<Integer, Integer> longestByPair = new TreeMap<>();
        cjk.keySet().stream()
                .filter(term -> term.length() >= 2)
                .forEach(term -> longestByPair.merge(pair(term, 0), term.length(), Math::max));
        Map<String, Integer> longestLatinByFirst = new HashMap<>();
        latin.keySet().forEach(term -> {
            String[] words = term.split(" ");
            longestLatinByFirst.merge(words[0], words.length, Math::max);
        });
        return new SubjectLexicon(
                List.copyOf(fields),
                frozen(cjk),
                longestByPair.keySet().stream().mapToInt(Integer::intValue).toArray(),
                longestByPair.values().stream().mapToInt(Integer::intValue).toArray(),
                frozen(latin),
                Map.copyOf(longestLatinByFirst));
    }

    private static void addField(Map<String, List<Integer>> terms, String term, int field) {
        List<Integer> ids = terms.computeIfAbsent(term, t -> new ArrayList<>());
        if (!ids.contains(field)) {
            ids.add(field);
        }
    }

    private static Map<String, int[]> frozen(Map<String, List<Integer>> terms) {
        Map<String, int[]> result = new HashMap<>();
        terms.forEach((term, ids) ->
                result.put(term, ids.stream().mapToInt(Integer::intValue).toArray()));
        return Map.copyOf(result);
    }

    /** The fields of a CJK term, or null when it is not one. */
    int[] cjkFields(String term) {
        return cjkTerms.get(term);
    }

    /**
     * The longest term of at least two characters that starts at {@code start} of {@code text}, or 0. A single
     * character (酶, 苯, 力) is a term only when it stands alone between stop phrases, never inside a longer word
     * (力 in 权力 is not physics), so it is looked up with {@link #cjkFields} by the caller.
     */
    int longestCjkTermAt(String text, int start) {
        if (start + 1 >= text.length()) {
            return 0;
        }
        int at = Arrays.binarySearch(cjkPairs, pair(text, start));
        if (at < 0) {
            return 0;
        }
        for (int length = Math.min(longestCjkByPair[at], text.length() - start); length >= 2; length--) {
            if (cjkTerms.containsKey(text.substring(start, start + length))) {
                return length;
            }
        }
        return 0;
    }

    private static int pair(String text, int start) {
        return text.charAt(start) << 16 | text.charAt(start + 1);
    }

    /** The fields of a Latin term given as stemmed words joined by one space, or null. */
    int[] latinFields(String stemmedWords) {
        return latinTerms.get(stemmedWords);
    }

    /** The most words of a Latin term whose first stemmed word is {@code firstStem}; 0 when no term starts with it. */
    int longestLatinTermStartingWith(String firstStem) {
        return longestLatinByFirst.getOrDefault(firstStem, 0);
    }

    String field(int id) {
        return fields.get(id);
    }

    /** The subject a field belongs to: {@code bio} for {@code bio.cell}. */
    String subjectOf(int id) {
        String name = fields.get(id);
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** The field as a feature, {@code "\u0000bio.cell"}: set apart from every word by its first character. */
    String fieldFeature(int id) {
        return fieldFeatures[id];
    }

    /** The field's subject as a feature, {@code "\u0000bio"}. */
    String subjectFeature(int id) {
        return subjectFeatures[id];
    }

    int fieldCount() {
        return fields.size();
    }

    int termCount() {
        return cjkTerms.size() + latinTerms.size();
    }
}
