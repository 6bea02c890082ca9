package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.canvasbatch.adapters.vault.NotePlacement.Box;
import org.junit.jupiter.api.Test;

/**
 * The grid a write-back builds for every merge stays small on a hostile canvas: a canvas of 10 000 nodes (the most a
 * batch reads, under a megabyte of JSON), each 8 191 px square and laid apart from the others, meets 256 cells per node.
 */
class NodeGridSizeTest {

    @Test
    void tenThousandLargeNodesApartDoNotFillMillionsOfCells() throws Exception {
        NodeGrid grid = new NodeGrid();
        for (int i = 0; i < 10_000; i++) {
            // 17 cells apart, 16 × 16 cells each: just under the 256 cells past which a node is kept aside
            grid.add(new Box((i % 100) * 17 * NodeGrid.CELL, (i / 100) * 17 * NodeGrid.CELL, 8191, 8191));
        }

        java.lang.reflect.Field cells = NodeGrid.class.getDeclaredField("cells");
        cells.setAccessible(true);
        // each cell is a map entry, a boxed key, a Cell and its array, about 100 bytes: 2.56 million of them are
        // some 300 MB for one merge (an OutOfMemoryError under -Xmx256m), where a walk through every node needs none
        assertThat(((Map<?, ?>) cells.get(grid)).size())
                .as("cells held for 10 000 nodes")
                .isLessThanOrEqualTo(1 << 18);
    }
}
