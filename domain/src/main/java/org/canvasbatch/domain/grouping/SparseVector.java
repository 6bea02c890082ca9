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

    /** This vector scaled to unit length; the empty vector (or one of zero weights) stays empty. */
    SparseVector normalised() {
        double norm = 0;
        for (double weight : weights) {
            norm += weight * weight;
        }
        if (norm == 0) {
            return EMPTY;
        }
        double scale = 1.0 / Math.sqrt(norm);
        double[] scaled = new double[weights.length];
        for (int p = 0; p < weights.length; p++) {
            scaled[p] = weights[p] * scale;
        }
        return new SparseVector(ids, scaled);
    }

    /**
     * Several vectors side by side in one id space: block {@code b} moved up by {@code offsets[b]} and scaled by
     * {@code scales[b]}, the whole normalised. Blocks must be given in ascending order of their offsets.
     */
    static SparseVector concatenated(SparseVector[] blocks, int[] offsets, double[] scales) {
        int size = 0;
        for (SparseVector block : blocks) {
            size += block.size();
        }
        int[] ids = new int[size];
        double[] weights = new double[size];
        int at = 0;
        for (int b = 0; b < blocks.length; b++) {
            SparseVector block = blocks[b];
            for (int p = 0; p < block.ids.length; p++) {
                ids[at] = block.ids[p] + offsets[b];
                weights[at] = block.weights[p] * scales[b];
                at++;
            }
        }
        return new SparseVector(ids, weights).normalised();
    }

    /** A dense vector (an embedding) as a sparse one over ids 0..length-1, normalised. */
    static SparseVector dense(float[] values) {
        int[] ids = new int[values.length];
        double[] weights = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            ids[i] = i;
            weights[i] = values[i];
        }
        return new SparseVector(ids, weights).normalised();
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
