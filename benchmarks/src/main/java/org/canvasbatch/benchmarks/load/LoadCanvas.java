package org.canvasbatch.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;

/**
 * A generated canvas of red question nodes, written into the vault the server serves, and the {@code nodes} array the
 * plugin would send for it.
 *
 * @param path  vault-relative, as the analyze request names it
 * @param nodes the JSON array of the plugin's node objects
 */
record LoadCanvas(String path, String nodes, int size) {

    private static final int COLUMNS = 10;

    static LoadCanvas write(Path vault, String name, int size) throws IOException {
        StringJoiner nodes = new StringJoiner(",", "[", "]");
        for (int i = 0; i < size; i++) {
            nodes.add("{\"id\":\"q" + (i + 1) + "\",\"type\":\"text\",\"text\":" + JsonText.quote(Notes.question(i))
                    + ",\"color\":\"1\",\"x\":" + (i % COLUMNS) * 420 + ",\"y\":" + (i / COLUMNS) * 300
                    + ",\"width\":360,\"height\":80}");
        }
        String path = "Load/" + name + ".canvas";
        Path file = vault.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"nodes\":" + nodes + ",\"edges\":[]}\n", StandardCharsets.UTF_8);
        return new LoadCanvas(path, nodes.toString(), size);
    }

    /** The plugin's analyze request: every eligible node, the intelligent grouping options, nothing started yet. */
    String analyzeRequest() {
        return "{\"canvas_path\":" + JsonText.quote(path) + ",\"nodes\":" + nodes
                + ",\"options\":{\"grouping_mode\":\"intelligent\",\"max_groups\":6,\"auto_execute\":false}}";
    }
}
