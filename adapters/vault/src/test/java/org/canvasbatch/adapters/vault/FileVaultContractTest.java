package org.canvasbatch.adapters.vault;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasEdge;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class FileVaultContractTest extends VaultContract {

    @TempDir
    Path root;

    private FileVault fileVault;

    @Override
    protected Vault vaultWith(Canvas canvas, Map<String, String> files) {
        try {
            write(canvas.path(), json(canvas));
            for (var file : files.entrySet()) {
                write(file.getKey(), file.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fileVault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
        return fileVault;
    }

    /** Closing writes what waits; a note written after it is linked at once. */
    @Override
    protected void settle() {
        fileVault.close();
    }

    @AfterEach
    void closeVault() {
        fileVault.close();
    }

    private void write(String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** The canvas as Obsidian writes it. */
    private static String json(Canvas canvas) {
        JsonArrayBuilder nodes = Json.createArrayBuilder();
        for (CanvasNode node : canvas.nodes()) {
            JsonObjectBuilder json =
                    Json.createObjectBuilder().add("id", node.id()).add("type", node.type());
            addIfSet(json, "text", node.text());
            addIfSet(json, "file", node.file());
            addIfSet(json, "url", node.url());
            addIfSet(json, "label", node.label());
            addIfSet(json, "color", node.color());
            nodes.add(json.add("x", node.x())
                    .add("y", node.y())
                    .add("width", node.width())
                    .add("height", node.height()));
        }
        JsonArrayBuilder edges = Json.createArrayBuilder();
        for (CanvasEdge edge : canvas.edges()) {
            JsonObjectBuilder json = Json.createObjectBuilder()
                    .add("id", edge.id())
                    .add("fromNode", edge.fromNode())
                    .add("toNode", edge.toNode());
            addIfSet(json, "label", edge.label());
            edges.add(json);
        }
        return Json.createObjectBuilder()
                .add("nodes", nodes)
                .add("edges", edges)
                .build()
                .toString();
    }

    private static void addIfSet(JsonObjectBuilder json, String name, String value) {
        if (value != null) {
            json.add(name, value);
        }
    }
}
