package org.canvasbatch.domain.grouping;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The texts as TF-IDF vectors, two per text: its words ({@link #vectors}) and the subject fields its lexicon terms
 * belong to ({@link #subjects}), each in its own id space. Term frequency is sublinear (1 + ln tf) because a question
 * that repeats a word is not twice as much about it; idf is smoothed, ln((1 + n) / (1 + df)) + 1, so a term found in
 * every text keeps a small positive weight instead of vanishing or dividing by zero. Vectors are L2-normalised so
 * that a dot product is the cosine similarity.
 */
final class TfIdfCorpus {

    /** How much a yellow note joined to a question by an edge counts, next to the question's own words. */
    static final double ATTACHED_WEIGHT = 0.5;

    final List<SparseVector> vectors;
    final List<SparseVector> subjects;
    /** Term text by id; ids are given in order of first appearance, which keeps everything deterministic. */
    final List<String> terms;
    /** What a person reads for each term: the first surface form met ("eigenvalues" for the stem "eigenvalu"). */
    final List<String> display;
    /** Number of texts that contain each term. */
    final int[] documentFrequency;
    /** Whether a term may name a group: a Latin word, a CJK word or edge bigram, never an inner character. */
    final boolean[] readable;
    /** Each text's CJK pieces, kept so that a group name can show the word a bigram came from. */
    final List<List<String>> cjkPieces;
    /** Whether a term is a word of the subject lexicon in some text: a word for certain, whatever stands beside it. */
    final boolean[] lexiconWord;
    /**
     * Each text's own terms (ids, ascending), without those of the notes attached to it: what its question says, and
     * so what may name its group.
     */
    final List<int[]> ownTerms;

    private final int subjectVocabulary;

    private TfIdfCorpus(
            List<SparseVector> vectors,
            List<SparseVector> subjects,
            List<String> terms,
            List<String> display,
            int[] documentFrequency,
            boolean[] readable,
            List<List<String>> cjkPieces,
            boolean[] lexiconWord,
            List<int[]> ownTerms,
            int subjectVocabulary) {
        this.vectors = vectors;
        this.subjects = subjects;
        this.terms = terms;
        this.display = display;
        this.documentFrequency = documentFrequency;
        this.readable = readable;
        this.cjkPieces = cjkPieces;
        this.lexiconWord = lexiconWord;
        this.ownTerms = ownTerms;
        this.subjectVocabulary = subjectVocabulary;
    }

    int vocabularySize() {
        return terms.size();
    }

    int subjectVocabularySize() {
        return subjectVocabulary;
    }

    static TfIdfCorpus of(List<String> texts) {
        return of(texts, List.of());
    }

    /**
     * @param attached per text, the learner's own notes joined to it (may be shorter than {@code texts}; missing
     *                 entries mean none): their words count at {@link #ATTACHED_WEIGHT}, never for naming
     */
    static TfIdfCorpus of(List<String> texts, List<List<String>> attached) {
        Map<String, Integer> ids = new HashMap<>();
        List<String> terms = new ArrayList<>();
        List<String> display = new ArrayList<>();
        List<Boolean> readable = new ArrayList<>();
        Set<Integer> lexiconWords = new HashSet<>();
        List<int[]> ownTerms = new ArrayList<>(texts.size());
        Map<String, Integer> subjectIds = new HashMap<>();
        List<Map<Integer, Double>> counts = new ArrayList<>(texts.size());
        List<Map<Integer, Double>> subjectCounts = new ArrayList<>(texts.size());
        List<List<String>> pieces = new ArrayList<>(texts.size());
        for (int t = 0; t < texts.size(); t++) {
            Map<Integer, Double> tf = new LinkedHashMap<>();
            Map<Integer, Double> subjectTf = new LinkedHashMap<>();
            TermExtractor.Extraction extraction = TermExtractor.extract(texts.get(t));
            pieces.add(extraction.cjkPieces());
            count(extraction, 1.0, true, tf, subjectTf, ids, terms, display, readable, subjectIds);
            ownTerms.add(
                    tf.keySet().stream().mapToInt(Integer::intValue).sorted().toArray());
            for (TermExtractor.Term term : extraction.terms()) {
                if (term.kind() == TermExtractor.Kind.CJK_TERM) {
                    lexiconWords.add(ids.get(term.text()));
                }
            }
            if (t < attached.size()) {
                for (String note : attached.get(t)) {
                    count(
                            TermExtractor.extract(note),
                            ATTACHED_WEIGHT,
                            false,
                            tf,
                            subjectTf,
                            ids,
                            terms,
                            display,
                            readable,
                            subjectIds);
                }
            }
            counts.add(tf);
            subjectCounts.add(subjectTf);
        }
        int[] df = documentFrequencies(counts, terms.size());
        List<SparseVector> vectors = vectors(counts, df);
        List<SparseVector> subjects = vectors(subjectCounts, documentFrequencies(subjectCounts, subjectIds.size()));
        boolean[] readableArray = new boolean[readable.size()];
        for (int id = 0; id < readableArray.length; id++) {
            readableArray[id] = readable.get(id);
        }
        boolean[] lexiconWordArray = new boolean[readable.size()];
        lexiconWords.forEach(id -> lexiconWordArray[id] = true);
        return new TfIdfCorpus(
                List.copyOf(vectors),
                List.copyOf(subjects),
                List.copyOf(terms),
                List.copyOf(display),
                df,
                readableArray,
                List.copyOf(pieces),
                lexiconWordArray,
                List.copyOf(ownTerms),
                subjectIds.size());
    }

    private static void count(
            TermExtractor.Extraction extraction,
            double scale,
            boolean own,
            Map<Integer, Double> tf,
            Map<Integer, Double> subjectTf,
            Map<String, Integer> ids,
            List<String> terms,
            List<String> display,
            List<Boolean> readable,
            Map<String, Integer> subjectIds) {
        for (TermExtractor.Term term : extraction.terms()) {
            Integer id = ids.get(term.text());
            if (id == null) {
                id = terms.size();
                ids.put(term.text(), id);
                terms.add(term.text());
                display.add(term.display());
                readable.add(false);
            }
            if (own && term.kind().readable) {
                readable.set(id, true);
            }
            tf.merge(id, term.kind().weight * scale, Double::sum);
        }
        for (TermExtractor.Term subject : extraction.subjects()) {
            int id = subjectIds.computeIfAbsent(subject.text(), s -> subjectIds.size());
            subjectTf.merge(id, subject.kind().weight * scale, Double::sum);
        }
    }

    private static int[] documentFrequencies(List<Map<Integer, Double>> counts, int vocabulary) {
        int[] df = new int[vocabulary];
        for (Map<Integer, Double> tf : counts) {
            for (int id : tf.keySet()) {
                df[id]++;
            }
        }
        return df;
    }

    private static List<SparseVector> vectors(List<Map<Integer, Double>> counts, int[] df) {
        int n = counts.size();
        double[] idf = new double[df.length];
        for (int id = 0; id < df.length; id++) {
            idf[id] = Math.log((1.0 + n) / (1.0 + df[id])) + 1.0;
        }
        List<SparseVector> vectors = new ArrayList<>(n);
        for (Map<Integer, Double> tf : counts) {
            vectors.add(vector(tf, idf));
        }
        return vectors;
    }

    private static SparseVector vector(Map<Integer, Double> tf, double[] idf) {
        if (tf.isEmpty()) {
            return SparseVector.EMPTY;
        }
        int[] ids = tf.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        double[] weights = new double[ids.length];
        for (int p = 0; p < ids.length; p++) {
            weights[p] = sublinear(tf.get(ids[p])) * idf[ids[p]];
        }
        return new SparseVector(ids, weights).normalised();
    }

    /** 1 + ln(tf), continued linearly below 1 so that a lightly weighted term keeps a proportionally small weight. */
    private static double sublinear(double tf) {
        return tf <= 1.0 ? tf : 1.0 + Math.log(tf);
    }
}
