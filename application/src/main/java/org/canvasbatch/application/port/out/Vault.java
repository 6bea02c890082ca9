package org.canvasbatch.application.port.out;

import java.time.Instant;
import java.util.Objects;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;

/**
 * The learner's vault: canvases to read, notes to write, canvases to link the notes into. Every path is relative to the
 * vault root and never leaves it; an attempt to do so is a {@link VaultException} of reason {@code OUTSIDE_VAULT}.
 */
public interface Vault {

    /** Reads and validates a canvas. */
    Canvas readCanvas(String canvasPath) throws VaultException;

    boolean canvasExists(String canvasPath);

    /**
     * Where this vault is, for a person reading a message: a folder's absolute path for a vault on disk. Said when a
     * canvas is not found, because the usual cause is a server serving another vault than the learner's.
     */
    default String location() {
        return "the server's vault";
    }

    /**
     * The content an agent should see for a node: a text node's text, a file node's file text (Markdown and other text
     * files), an embed reference such as {@code ![[diagram.png]]} for images, a link node's URL.
     */
    String contentOf(String canvasPath, CanvasNode node) throws VaultException;

    /**
     * Writes (or overwrites) the note of one node and agent at
     * {@code {canvas dir}/{canvas name}-notes/{node text, sanitised, ≤ 60 chars} ({agent id}).md} with front matter.
     */
    WrittenNote writeNote(NoteDraft draft) throws VaultException;

    /**
     * Asks for a file node linking the note and an edge from the source node to be merged into the canvas. Writes are
     * coalesced (at most one per second per canvas); a link already present is not added again.
     */
    void linkIntoCanvas(CanvasLink link);

    /** Writes the pending links of this canvas now (end of a batch). */
    void flush(String canvasPath);

    record NoteDraft(
            String canvasPath,
            String nodeId,
            String nodeText,
            AgentId agent,
            String markdown,
            String model,
            Instant generatedAt) {
        public NoteDraft {
            Objects.requireNonNull(canvasPath, "canvasPath");
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(markdown, "markdown");
            Objects.requireNonNull(generatedAt, "generatedAt");
        }
    }

    /** @param path vault-relative path with forward slashes */
    record WrittenNote(String path, long sizeBytes) {}

    record CanvasLink(String canvasPath, String sourceNodeId, String notePath, AgentId agent) {}
}
