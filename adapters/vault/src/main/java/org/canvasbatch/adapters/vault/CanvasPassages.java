package org.canvasbatch.adapters.vault;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultPassage.Origin;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;

/**
 * What a canvas holds of the learner's own writing: the text of its note nodes, cut into passages like a note's
 * Markdown. Questions (red and purple nodes, what the learner does not understand yet) are not material to quote, and
 * neither are the labels the write-back adds beside each note ("[agent] generated …"); file nodes are their files,
 * found on their own, and group labels are names, not writing.
 *
 * @param passages   in canvas order
 * @param fileOfNode the vault-relative file each file node shows, by node id
 */
record CanvasPassages(List<NodePassage> passages, Map<String, String> fileOfNode) {

    /** The start of every label node's id ({@link CanvasMerge#labelNodeId}). */
    static final String LABEL_ID_PREFIX = "cb-label-";

    /**
     * @param heading a heading inside the node's text, which a link cannot point at but a search may match
     */
    record NodePassage(String nodeId, Origin origin, String heading, String text) {}

    /** @param questionColors the colours of question nodes, which are never the learner's material */
    static CanvasPassages of(Canvas canvas, Set<String> questionColors) {
        List<NodePassage> passages = new ArrayList<>();
        Map<String, String> files = new HashMap<>();
        for (CanvasNode node : canvas.nodes()) {
            if (node.isFile() && node.file() != null) {
                try {
                    files.put(node.id(), VaultPaths.normalise(node.file()));
                } catch (VaultException e) {
                    // a file node that names no file inside the vault shows nothing that could be quoted
                }
            }
            if (!isLearnersNote(node, questionColors)) {
                continue;
            }
            Origin origin = node.hasColor(Canvas.UNDERSTANDING_COLOR) ? Origin.UNDERSTANDING : Origin.CANVAS_NOTE;
            for (NotePassages.Passage passage : NotePassages.of(node.text())) {
                passages.add(new NodePassage(node.id(), origin, passage.heading(), passage.text()));
            }
        }
        return new CanvasPassages(List.copyOf(passages), Map.copyOf(files));
    }

    private static boolean isLearnersNote(CanvasNode node, Set<String> questionColors) {
        return node.isText()
                && node.text() != null
                && !node.text().isBlank()
                && !node.id().startsWith(LABEL_ID_PREFIX)
                && questionColors.stream().noneMatch(node::hasColor);
    }
}
