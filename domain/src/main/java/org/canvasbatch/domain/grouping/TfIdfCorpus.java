package org.canvasbatch.domain.grouping;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The texts as TF-IDF vectors. Term frequency is sublinear (1 + ln tf) because a question that repeats a word is
 * not twice as much about it; idf is smoothed, ln((1 + n) / (1 + df)) + 1, so a term found in every text keeps a
 * small positive weight instead of vanishing or dividing by zero. Vectors are L2-normalised so that a dot product
 * is the cosine similarity.
 */
final class TfIdfCorpus {

    final List<SparseVector> vectors;
    /** Term text by id; ids are given in order of first appearance, which keeps everything deterministic. */
    final List<String> terms;
    /** Number of texts that contain each term. */
    final int[] documentFrequency;
    /** Whether a term may name a group: a Latin word, a CJK word or edge bigram, never an inner character. */
    final boolean[] readable;
    /** Each text's CJK pieces, kept so that a group name can show the word a bigram came from. */
    final List<List<String>> cjkPieces;

    private TfIdfCorpus(
            List<SparseVector> vectors,
            List<String> terms,
            int[] documentFrequency,
            boolean[] readable,
            List<List<String>> cjkPieces) {
        this.vectors = vectors;
        this.terms = terms;
        this.documentFrequency = documentFrequency;
        this.readable = readable;
        this.cjkPieces = cjkPieces;
    }

    int vocabularySize() {
        return terms.size();
    }

    static TfIdfCorpus of(List<String> texts) {
        Map<String, Integer> ids = new HashMap<>();
        List<String> terms = new ArrayList<>();
        List<Boolean> readable = new ArrayList<>();
        List<Map<Integer, Double>> counts = new ArrayList<>(texts.size());
        List<List<String>> pieces = new ArrayList<>(texts.size());
        for (String text : texts) {
            Map<Integer, Double> tf = new LinkedHashMap<>();
            TermExtractor.Extraction extraction = TermExtractor.extract(text);
            pieces.add(extraction.cjkPieces());
            for (TermExtractor.Term term : extraction.terms()) {
                Integer id = ids.get(term.text());
                if (id == null) {
                    id = terms.size();
                    ids.put(term.text(), id);
                    terms.add(term.text());
                    readable.add(false);
                }
                if (term.kind().readable) {
                    readable.set(id, true);
                }
                tf.merge(id, term.kind().weight, Double::sum);
            }
            counts.add(tf);
        }
        int[] df = new int[terms.size()];
        for (Map<Integer, Double> tf : counts) {
            for (int id : tf.keySet()) {
                df[id]++;
            }
        }
        int n = texts.size();
        double[] idf = new double[df.length];
        for (int id = 0; id < df.length; id++) {
            idf[id] = Math.log((1.0 + n) / (1.0 + df[id])) + 1.0;
        }
        List<SparseVector> vectors = new ArrayList<>(n);
        for (Map<Integer, Double> tf : counts) {
            vectors.add(vector(tf, idf));
        }
        boolean[] readableArray = new boolean[readable.size()];
        for (int id = 0; id < readableArray.length; id++) {
            readableArray[id] = readable.get(id);
        }
        return new TfIdfCorpus(List.copyOf(vectors), List.copyOf(terms), df, readableArray, List.copyOf(pieces));
    }

    private static SparseVector vector(Map<Integer, Double> tf, double[] idf) {
        if (tf.isEmpty()) {
            return SparseVector.EMPTY;
        }
        int[] ids = tf.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        double[] weights = new double[ids.length];
        double norm = 0;
        for (int p = 0; p < ids.length; p++) {
            double weight = sublinear(tf.get(ids[p])) * idf[ids[p]];
            weights[p] = weight;
            norm += weight * weight;
        }
        norm = Math.sqrt(norm);
        for (int p = 0; p < weights.length; p++) {
            weights[p] /= norm;
        }
        return new SparseVector(ids, weights);
    }

    /** 1 + ln(tf), continued linearly below 1 so that a lightly weighted term keeps a proportionally small weight. */
    private static double sublinear(double tf) {
        return tf <= 1.0 ? tf : 1.0 + Math.log(tf);
    }
}
