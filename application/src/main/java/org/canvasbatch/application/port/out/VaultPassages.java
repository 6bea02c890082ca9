package org.canvasbatch.application.port.out;

import java.util.List;
import java.util.Objects;

/**
 * What the learner already wrote about a question: the passages of their own notes and canvases that share its key
 * terms, best first. Notes this program wrote are never among them. A note about a question can then start from the
 * learner's own material, with or without a language model.
 *
 * <p>The answer is a bonus, never a reason for a note to fail: an implementation that cannot look (an unreadable vault,
 * an index still being built and broken) answers with fewer passages or none.
 */
public interface VaultPassages {

    /** The passages about the question, best first, at most {@code query.limit()}. */
    List<VaultPassage> about(PassageQuery query);

    /** No vault to look in: no passages. */
    static VaultPassages none() {
        return query -> List.of();
    }

    /**
     * One question to look up.
     *
     * @param question     the question as the node shows it: what a passage must be about
     * @param details      what else the node holds (a file node's note), which helps rank the passages but is not
     *                     itself asked about; empty for a text node
     * @param canvasPath   the vault-relative canvas the question sits on; of this canvas only the learner's own note
     *                     nodes may be quoted, never its questions; may be empty
     * @param nodeId       the question's node: never quoted itself, nor the note a file node shows
     * @param alreadyShown texts the note shows anyway (the yellow nodes joined to the question): not quoted again
     * @param limit        the most passages wanted
     */
    record PassageQuery(
            String question, String details, String canvasPath, String nodeId, List<String> alreadyShown, int limit) {
        public PassageQuery {
            question = question == null ? "" : question;
            details = details == null ? "" : details;
            canvasPath = canvasPath == null ? "" : canvasPath;
            nodeId = nodeId == null ? "" : nodeId;
            alreadyShown = List.copyOf(Objects.requireNonNullElse(alreadyShown, List.of()));
            if (limit < 0) {
                throw new IllegalArgumentException("limit must not be negative, was " + limit);
            }
        }
    }
}
