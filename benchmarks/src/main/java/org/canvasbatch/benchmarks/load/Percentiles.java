package org.canvasbatch.benchmarks.load;

import java.util.Arrays;

/** Nearest-rank percentiles of latencies in microseconds. */
record Percentiles(int count, long p50, long p99, long max) {

    static Percentiles of(long[] micros) {
        if (micros.length == 0) {
            return new Percentiles(0, -1, -1, -1);
        }
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        return new Percentiles(sorted.length, rank(sorted, 50), rank(sorted, 99), sorted[sorted.length - 1]);
    }

    private static long rank(long[] sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
