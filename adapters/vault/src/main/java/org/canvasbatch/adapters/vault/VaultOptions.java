package org.canvasbatch.adapters.vault;

import java.time.Duration;
import java.util.Objects;

/**
 * How the vault behaves.
 *
 * @param writeBack        whether succeeded notes are linked back into their canvas (on by default)
 * @param coalesceInterval the least time between two write-backs of one canvas; {@link Duration#ZERO} writes as soon as
 *                         the background writer gets to it
 * @param maxCanvasBytes   a canvas file larger than this is refused, read or written
 * @param labelNodes       whether each linked note also gets a small label node saying which agent wrote it and when
 *                         (on by default; what the Obsidian plugin's summary announces)
 */
public record VaultOptions(boolean writeBack, Duration coalesceInterval, long maxCanvasBytes, boolean labelNodes) {

    public static final Duration DEFAULT_COALESCE_INTERVAL = Duration.ofSeconds(1);
    public static final long DEFAULT_MAX_CANVAS_BYTES = 20L * 1024 * 1024;

    public VaultOptions {
        Objects.requireNonNull(coalesceInterval, "coalesceInterval");
        if (coalesceInterval.isNegative()) {
            throw new IllegalArgumentException("coalesce interval must not be negative, was " + coalesceInterval);
        }
        if (maxCanvasBytes <= 0) {
            throw new IllegalArgumentException("max canvas size must be positive, was " + maxCanvasBytes);
        }
    }

    public static VaultOptions defaults() {
        return new VaultOptions(true, DEFAULT_COALESCE_INTERVAL, DEFAULT_MAX_CANVAS_BYTES, true);
    }

    public VaultOptions withWriteBack(boolean on) {
        return new VaultOptions(on, coalesceInterval, maxCanvasBytes, labelNodes);
    }

    public VaultOptions withCoalesceInterval(Duration interval) {
        return new VaultOptions(writeBack, interval, maxCanvasBytes, labelNodes);
    }

    public VaultOptions withMaxCanvasBytes(long bytes) {
        return new VaultOptions(writeBack, coalesceInterval, bytes, labelNodes);
    }

    public VaultOptions withLabelNodes(boolean on) {
        return new VaultOptions(writeBack, coalesceInterval, maxCanvasBytes, on);
    }
}
