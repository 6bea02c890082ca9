package org.canvasbatch.domain.grouping;

import java.util.Arrays;

/**
 * A document's TF-IDF weights: term ids ascending with their weights, L2-normalised (or empty). Ten thousand short
 * questions have a vocabulary of thousands of terms but a dozen or two per question, so dense rows would spend
 * almost all their time multiplying zeros.
 */
final class SparseVector {

    static final SparseVector EMPTY = new SparseVector(new int[0], new double[0]);

    final int[] ids;
    final double[] weights;

    SparseVector(int[] ids, double[] weights) {
        this.ids = ids;
        this.weights = weights;
    }

    boolean isEmpty() {
        return ids.length == 0;
    }

    int size() {
        return ids.length;
    }

    /** Dot product by merging the two sorted id lists. */
    double dot(SparseVector other) {
        double sum = 0;
        int i = 0;
        int j = 0;
        while (i < ids.length && j < other.ids.length) {
            int a = ids[i];
            int b = other.ids[j];
            if (a == b) {
                sum += weights[i++] * other.weights[j++];
            } else if (a < b) {
                i++;
            } else {
                j++;
            }
        }
        return sum;
    }

    /** Dot product with a dense vector indexed by term id. */
    double dot(double[] dense) {
        double sum = 0;
        for (int p = 0; p < ids.length; p++) {
            sum += weights[p] * dense[ids[p]];
        }
        return sum;
    }

    void addTo(double[] dense) {
        for (int p = 0; p < ids.length; p++) {
            dense[ids[p]] += weights[p];
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseVector other
                && Arrays.equals(ids, other.ids)
                && Arrays.equals(weights, other.weights);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(weights);
    }
}
