package org.canvasbatch.testsupport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;

/** A vault in memory, for batch tests that are about the core rather than about files. */
public final class InMemoryVault implements Vault {

    private final Map<String, Canvas> canvases = new ConcurrentHashMap<>();
    private final Map<String, String> notes = new ConcurrentHashMap<>();

    public InMemoryVault withCanvas(Canvas canvas) {
        canvases.put(canvas.path(), canvas);
        return this;
    }

    @Override
    public Canvas readCanvas(String canvasPath) {
        Canvas canvas = canvases.get(canvasPath);
        if (canvas == null) {
            throw new VaultException(VaultException.Reason.NOT_FOUND, canvasPath, "No canvas at '" + canvasPath + "'");
        }
        return canvas;
    }

    @Override
    public boolean canvasExists(String canvasPath) {
        return canvases.containsKey(canvasPath);
    }

    @Override
    public String contentOf(String canvasPath, CanvasNode node) {
        return node.displayText();
    }

    @Override
    public WrittenNote writeNote(NoteDraft draft) {
        String path = Canvas.baseName(draft.canvasPath()) + "-notes/" + draft.nodeId() + " ("
                + draft.agent().wireName() + ").md";
        notes.put(path, draft.markdown());
        return new WrittenNote(path, draft.markdown().length());
    }

    public Map<String, String> notes() {
        return Map.copyOf(notes);
    }
}
