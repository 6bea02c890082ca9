package org.canvasbatch.adapters.vault;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * An inverted index of passages ranked by Okapi BM25 (k1 = {@value #K1}, b = {@value #B}). Not thread-safe: its owner
 * reads it under a read lock and changes it under a write lock.
 *
 * <p>A passage's terms count fully in its text and at half weight in the heading above it, so a paragraph under
 * "## 线粒体" that says only "它有两层膜" is still found for 线粒体, after the paragraphs that name it. A removed passage
 * leaves its postings behind until enough have gathered, then they are swept out and the ids reused: a note edited
 * during a batch costs its own passages, not a rebuild.
 *
 * @param <P> what a passage carries besides its terms
 */
final class PassageIndex<P> {

    static final double K1 = 1.2;
    static final double B = 0.75;
    static final float HEADING_WEIGHT = 0.5f;

    /** A passage that matched, with its score and the query's terms weighted by how rare they are. */
    record Hit<P>(int id, P passage, double score) {}

    /** The query's terms that the index holds, each with its weight times its inverse document frequency. */
    record Ranked<P>(List<Hit<P>> hits, Map<String, Double> termWeights) {}

    private final List<P> passages = new ArrayList<>();
    private float[] lengths = new float[64];
    private final Map<String, Postings> postings = new HashMap<>();
    private final Deque<Integer> freeIds = new ArrayDeque<>();
    private final List<Integer> removedSinceSweep = new ArrayList<>();
    private int live;
    private double totalLength;

    /**
     * @param text    how often each term occurs in the passage's text
     * @param heading how often each term occurs in the heading above it
     * @return the passage's id
     */
    int add(P passage, Map<String, Integer> text, Map<String, Integer> heading) {
        int id = freeIds.isEmpty() ? passages.size() : freeIds.pop();
        float length = 0;
        for (Map.Entry<String, Integer> term : text.entrySet()) {
            Integer inHeading = heading.get(term.getKey());
            float frequency = term.getValue() + (inHeading == null ? 0 : HEADING_WEIGHT * inHeading);
            postings.computeIfAbsent(term.getKey(), t -> new Postings()).add(id, frequency);
            length += term.getValue();
        }
        for (Map.Entry<String, Integer> term : heading.entrySet()) {
            if (!text.containsKey(term.getKey())) {
                postings.computeIfAbsent(term.getKey(), t -> new Postings()).add(id, HEADING_WEIGHT * term.getValue());
            }
        }
        if (id == passages.size()) {
            passages.add(passage);
        } else {
            passages.set(id, passage);
        }
        if (id >= lengths.length) {
            lengths = Arrays.copyOf(lengths, Math.max(id + 1, lengths.length * 2));
        }
        lengths[id] = length;
        live++;
        totalLength += length;
        return id;
    }

    void remove(int id) {
        if (passages.get(id) == null) {
            return;
        }
        passages.set(id, null);
        live--;
        totalLength -= lengths[id];
        removedSinceSweep.add(id);
        if (removedSinceSweep.size() > Math.max(1000, live / 4)) {
            sweep();
        }
    }

    /** Drops the postings of removed passages, so that their ids can be given to new ones. */
    private void sweep() {
        postings.values().removeIf(list -> list.retain(id -> passages.get(id) != null) == 0);
        freeIds.addAll(removedSinceSweep);
        removedSinceSweep.clear();
    }

    int size() {
        return live;
    }

    int terms() {
        return postings.size();
    }

    /**
     * The passages that {@code accept} lets through, best first: at most {@code max}, each scoring at least
     * {@code minShare} of the best, each matching at least one query term of weight 1 or more (a word, not only a
     * fragment of one), and each holding at least {@code minCoverage} of what the query asks, every term weighted by
     * how rare it is. A word the vault never uses counts as the rarest: "What are stem cells?" is not answered by every
     * passage that says "cell".
     *
     * @param query each query term with its weight
     * @param asked the query terms that coverage counts (the others only add to the score)
     */
    Ranked<P> search(
            Map<String, Double> query,
            Set<String> asked,
            Predicate<P> accept,
            int max,
            double minShare,
            double minCoverage) {
        if (live == 0 || query.isEmpty()) {
            return new Ranked<>(List.of(), Map.of());
        }
        double averageLength = Math.max(1.0, totalLength / live);
        double[] scores = new double[passages.size()];
        double[] covered = new double[passages.size()];
        boolean[] strong = new boolean[passages.size()];
        Map<String, Double> termWeights = new HashMap<>();
        double askedWeight = 0;
        for (Map.Entry<String, Double> term : query.entrySet()) {
            boolean counts = asked.contains(term.getKey());
            Postings list = postings.get(term.getKey());
            int frequency = 0;
            for (int i = 0; list != null && i < list.size; i++) {
                if (passages.get(list.ids[i]) != null) {
                    frequency++;
                }
            }
            double idf = Math.log(1 + (live - Math.max(1, frequency) + 0.5) / (Math.max(1, frequency) + 0.5));
            double weight = term.getValue() * idf;
            askedWeight += counts ? weight : 0;
            if (frequency == 0) {
                continue;
            }
            termWeights.put(term.getKey(), weight);
            for (int i = 0; i < list.size; i++) {
                int id = list.ids[i];
                if (passages.get(id) == null) {
                    continue;
                }
                double tf = list.frequencies[i];
                double norm = K1 * (1 - B + B * lengths[id] / averageLength);
                scores[id] += weight * tf * (K1 + 1) / (tf + norm);
                // a term only in the heading above the passage covers half of itself
                covered[id] += counts ? weight * Math.min(1.0, tf) : 0;
                strong[id] |= term.getValue() >= 1.0;
            }
        }
        double enough = askedWeight * minCoverage;
        // the best max hits, in a heap whose head is the worst of them: a common word matches thousands of passages
        Comparator<Hit<P>> bestFirst = (a, b) ->
                a.score() != b.score() ? Double.compare(b.score(), a.score()) : Integer.compare(a.id(), b.id());
        PriorityQueue<Hit<P>> best = new PriorityQueue<>(bestFirst.reversed());
        for (int id = 0; id < scores.length && max > 0; id++) {
            if (scores[id] <= 0 || !strong[id] || covered[id] < enough) {
                continue;
            }
            Hit<P> hit = new Hit<>(id, passages.get(id), scores[id]);
            boolean enters = best.size() < max || bestFirst.compare(hit, best.peek()) < 0;
            if (enters && accept.test(hit.passage())) {
                best.add(hit);
                if (best.size() > max) {
                    best.poll();
                }
            }
        }
        List<Hit<P>> hits = new ArrayList<>(best);
        hits.sort(bestFirst);
        if (!hits.isEmpty()) {
            double floor = hits.getFirst().score() * minShare;
            hits.removeIf(hit -> hit.score() < floor);
        }
        return new Ranked<>(List.copyOf(hits), termWeights);
    }

    private static final class Postings {
        int[] ids = new int[2];
        float[] frequencies = new float[2];
        int size;

        void add(int id, float frequency) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size + (size >> 1) + 1);
                frequencies = Arrays.copyOf(frequencies, ids.length);
            }
            ids[size] = id;
            frequencies[size] = frequency;
            size++;
        }

        /** Keeps the postings {@code keep} accepts; returns how many are left. */
        int retain(IntPredicate keep) {
            int kept = 0;
            for (int i = 0; i < size; i++) {
                if (keep.test(ids[i])) {
                    ids[kept] = ids[i];
                    frequencies[kept] = frequencies[i];
                    kept++;
                }
            }
            size = kept;
            return kept;
        }
    }
}
