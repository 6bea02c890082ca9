package org.canvasbatch.domain.grouping;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Silhouette with cosine distance (1 - similarity), measured on at most {@link #MAX_SAMPLE} points. The exact
 * score needs every pairwise distance, which at 10 000 questions is 50 million dot products per candidate K; a
 * fixed-seed sample of a thousand estimates it closely enough to choose K, and its pairwise similarities are
 * computed once and reused for every K tried.
 */
final class SilhouetteSample {

    static final int MAX_SAMPLE = 1_000;

    private final int[] sample;
    private final double[] similarity;

    SilhouetteSample(List<SparseVector> points, int dimensions, long seed) {
        this.sample = chooseSample(points.size(), seed);
        int m = sample.length;
        this.similarity = new double[m * m];
        double[] dense = new double[dimensions];
        for (int a = 0; a < m; a++) {
            SparseVector row = points.get(sample[a]);
            row.addTo(dense);
            similarity[a * m + a] = 1.0;
            for (int b = a + 1; b < m; b++) {
                double s = points.get(sample[b]).dot(dense);
                similarity[a * m + b] = s;
                similarity[b * m + a] = s;
            }
            for (int id : row.ids) {
                dense[id] = 0.0;
            }
        }
    }

    private static int[] chooseSample(int n, long seed) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        if (n <= MAX_SAMPLE) {
            return all;
        }
        Random random = new Random(seed);
        for (int i = 0; i < MAX_SAMPLE; i++) {
            int j = i + random.nextInt(n - i);
            int swap = all[i];
            all[i] = all[j];
            all[j] = swap;
        }
        int[] chosen = Arrays.copyOf(all, MAX_SAMPLE);
        Arrays.sort(chosen);
        return chosen;
    }

    /**
     * Mean silhouette of the sampled points under {@code labels} (labels of all points, 0..k-1), in [-1, 1].
     * A point alone in its cluster scores 0, the usual convention: it is neither well nor badly placed.
     */
    double score(int[] labels, int k) {
        int m = sample.length;
        int[] sizes = new int[k];
        for (int index : sample) {
            sizes[labels[index]]++;
        }
        double[] sums = new double[k];
        double total = 0;
        for (int a = 0; a < m; a++) {
            int own = labels[sample[a]];
            if (sizes[own] < 2) {
                continue;
            }
            Arrays.fill(sums, 0.0);
            int row = a * m;
            for (int b = 0; b < m; b++) {
                sums[labels[sample[b]]] += similarity[row + b];
            }
            double within = 1.0 - (sums[own] - similarity[row + a]) / (sizes[own] - 1);
            double nearestOther = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                if (c != own && sizes[c] > 0) {
                    nearestOther = Math.min(nearestOther, 1.0 - sums[c] / sizes[c]);
                }
            }
            if (nearestOther == Double.MAX_VALUE) {
                continue;
            }
            double larger = Math.max(within, nearestOther);
            if (larger > 0) {
                total += (nearestOther - within) / larger;
            }
        }
        return Math.max(-1.0, Math.min(1.0, total / m));
    }
}
