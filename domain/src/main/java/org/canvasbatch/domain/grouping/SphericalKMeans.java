package org.canvasbatch.domain.grouping;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * K-Means on the unit sphere: a point belongs to the centroid it has the highest cosine similarity with, and a
 * centroid is the normalised mean of its points. Seeding is k-means++ (with 1 - cosine as the distance) from a
 * {@link Random} with a fixed seed, so the same texts always give the same groups; the best of a few restarts by
 * total similarity is kept, and iterations are capped because the last few moves of a slow convergence do not
 * change any group a person would notice.
 */
final class SphericalKMeans {

    static final int MAX_ITERATIONS = 30;

    /** One clustering: a cluster index per point, and the sum of each point's similarity to its centroid. */
    record Fit(int[] labels, double totalSimilarity) {}

    private final List<SparseVector> points;
    private final int dimensions;

    /** @param points non-empty, L2-normalised vectors */
    SphericalKMeans(List<SparseVector> points, int dimensions) {
        this.points = points;
        this.dimensions = dimensions;
    }

    /** Best of {@code restarts} runs, or null when the points hold fewer than k distinct directions. */
    Fit fit(int k, int restarts, long seed) {
        return fit(k, restarts, seed, MAX_ITERATIONS);
    }

    /** As {@link #fit(int, int, long)}, stopping each run after {@code maxIterations} rounds at the latest. */
    Fit fit(int k, int restarts, long seed, int maxIterations) {
        Fit best = null;
        for (int restart = 0; restart < restarts; restart++) {
            Fit fit = fitOnce(k, new Random(seed * 1_000_003L + 97L * k + restart), maxIterations);
            if (fit != null && (best == null || fit.totalSimilarity() > best.totalSimilarity())) {
                best = fit;
            }
        }
        return best;
    }

    private Fit fitOnce(int k, Random random, int maxIterations) {
        int n = points.size();
        // Centroids are stored term-major (term id * k + cluster) so that scoring one sparse point against all k
        // centroids walks one short contiguous stretch of memory per term.
        double[] centroids = seed(k, random);
        if (centroids == null) {
            return null;
        }
        int[] labels = new int[n];
        Arrays.fill(labels, -1);
        double[] similarity = new double[n];
        double[] scores = new double[k];
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            boolean moved = false;
            for (int i = 0; i < n; i++) {
                score(points.get(i), centroids, k, scores);
                int best = 0;
                for (int c = 1; c < k; c++) {
                    if (scores[c] > scores[best]) {
                        best = c;
                    }
                }
                similarity[i] = scores[best];
                if (labels[i] != best) {
                    labels[i] = best;
                    moved = true;
                }
            }
            if (!moved) {
                break;
            }
            refillEmptyClusters(labels, similarity, k);
            centroids = centroids(labels, k);
        }
        double total = 0;
        for (double s : similarity) {
            total += s;
        }
        return new Fit(labels, total);
    }

    private static void score(SparseVector point, double[] centroids, int k, double[] scores) {
        Arrays.fill(scores, 0.0);
        for (int p = 0; p < point.ids.length; p++) {
            int base = point.ids[p] * k;
            double weight = point.weights[p];
            for (int c = 0; c < k; c++) {
                scores[c] += weight * centroids[base + c];
            }
        }
    }

    /** k-means++: each next seed is drawn with probability proportional to its squared distance to the nearest seed. */
    private double[] seed(int k, Random random) {
        int n = points.size();
        double[] centroids = new double[dimensions * k];
        double[] nearest = new double[n];
        Arrays.fill(nearest, Double.MAX_VALUE);
        int chosen = random.nextInt(n);
        double[] dense = new double[dimensions];
        for (int c = 0; c < k; c++) {
            SparseVector seed = points.get(chosen);
            for (int p = 0; p < seed.ids.length; p++) {
                centroids[seed.ids[p] * k + c] = seed.weights[p];
            }
            if (c == k - 1) {
                break;
            }
            seed.addTo(dense);
            double total = 0;
            for (int i = 0; i < n; i++) {
                double distance = Math.max(0.0, 1.0 - points.get(i).dot(dense));
                nearest[i] = Math.min(nearest[i], distance * distance);
                total += nearest[i];
            }
            clear(dense, seed);
            if (total <= 1e-12) {
                return null;
            }
            double target = random.nextDouble() * total;
            chosen = n - 1;
            for (int i = 0; i < n; i++) {
                target -= nearest[i];
                if (target < 0 && nearest[i] > 0) {
                    chosen = i;
                    break;
                }
            }
            while (nearest[chosen] <= 0) {
                chosen--;
            }
        }
        return centroids;
    }

    private static void clear(double[] dense, SparseVector vector) {
        for (int id : vector.ids) {
            dense[id] = 0.0;
        }
    }

    /**
     * A cluster left empty takes the point that fits its own cluster worst, from a cluster that can spare one;
     * K stays what the silhouette search asked for.
     */
    private static void refillEmptyClusters(int[] labels, double[] similarity, int k) {
        int[] sizes = new int[k];
        for (int label : labels) {
            sizes[label]++;
        }
        for (int c = 0; c < k; c++) {
            if (sizes[c] > 0) {
                continue;
            }
            int worst = -1;
            for (int i = 0; i < labels.length; i++) {
                if (sizes[labels[i]] > 1 && (worst < 0 || similarity[i] < similarity[worst])) {
                    worst = i;
                }
            }
            if (worst < 0) {
                return;
            }
            sizes[labels[worst]]--;
            labels[worst] = c;
            sizes[c]++;
            similarity[worst] = 1.0;
        }
    }

    private double[] centroids(int[] labels, int k) {
        double[] centroids = new double[dimensions * k];
        for (int i = 0; i < labels.length; i++) {
            SparseVector point = points.get(i);
            int c = labels[i];
            for (int p = 0; p < point.ids.length; p++) {
                centroids[point.ids[p] * k + c] += point.weights[p];
            }
        }
        double[] norms = new double[k];
        for (int index = 0; index < centroids.length; index++) {
            norms[index % k] += centroids[index] * centroids[index];
        }
        for (int c = 0; c < k; c++) {
            norms[c] = norms[c] > 0 ? 1.0 / Math.sqrt(norms[c]) : 0.0;
        }
        for (int index = 0; index < centroids.length; index++) {
            centroids[index] *= norms[index % k];
        }
        return centroids;
    }
}
