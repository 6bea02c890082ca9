package org.canvasbatch.domain.grouping;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    /** Chinese (and other CJK) terms to the ids of their fields. */
    private final Map<String, int[]> cjkTerms;
    /** Longest CJK term by its first character, so a scan tries only lengths that can match. */
    private final Map<Character, Integer> longestCjkByFirst;
    /** Latin terms as their stemmed words joined by one space, to the ids of their fields. */
    private final Map<String, int[]> latinTerms;

    private final int longestLatinTerm;

    private SubjectLexicon(
            List<String> fields,
            Map<String, int[]> cjkTerms,
            Map<Character, Integer> longestCjkByFirst,
            Map<String, int[]> latinTerms,
            int longestLatinTerm) {
        this.fields = fields;
        this.cjkTerms = cjkTerms;
        this.longestCjkByFirst = longestCjkByFirst;
        this.latinTerms = latinTerms;
        this.longestLatinTerm = longestLatinTerm;
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
        Map<Character, Integer> longestByFirst = new HashMap<>();
        cjk.keySet().forEach(term -> longestByFirst.merge(term.charAt(0), term.length(), Math::max));
        int longestLatin = latin.keySet().stream()
                .mapToInt(term -> term.split(" ").length)
                .max()
                .orElse(0);
        return new SubjectLexicon(
                List.copyOf(fields), frozen(cjk), Map.copyOf(longestByFirst), frozen(latin), longestLatin);
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
        Integer longest = longestCjkByFirst.get(text.charAt(start));
        if (longest == null) {
            return 0;
        }
        for (int length = Math.min(longest, text.length() - start); length >= 2; length--) {
            if (cjkTerms.containsKey(text.substring(start, start + length))) {
                return length;
            }
        }
        return 0;
    }

    /** The fields of a Latin term given as stemmed words joined by one space, or null. */
    int[] latinFields(String stemmedWords) {
        return latinTerms.get(stemmedWords);
    }

    int longestLatinTerm() {
        return longestLatinTerm;
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

    int fieldCount() {
        return fields.size();
    }

    int termCount() {
        return cjkTerms.size() + latinTerms.size();
    }
}
