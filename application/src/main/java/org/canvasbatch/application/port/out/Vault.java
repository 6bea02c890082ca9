package org.canvasbatch.application.port.out;

import java.time.Instant;
import java.util.Objects;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.note.QuestionDigest;

/**
 * The learner's vault: canvases to read, notes to write, each linked into its canvas by the vault. Every path is
 * relative to the vault root and never leaves it; an attempt to do so is a {@link VaultException} of reason
 * {@code OUTSIDE_VAULT}.
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
     * {@code {canvas dir}/{canvas name}-notes/{node text, sanitised, ≤ 60 chars} ({agent id}).md} with front matter,
     * and links it into its canvas: a file node for the note and an edge from the source node (unless write-back is
     * switched off or the canvas does not exist).
     *
     * <p>The vault alone decides when the canvas is written. Once this returns, the link is as durable as the note and
     * the vault writes it into the canvas by itself (the file vault within a second, and whatever still waits when it
     * closes or, should the process die first, at its next start). Nobody links or flushes again; a note linked before
     * is not linked twice.
     */
    WrittenNote writeNote(NoteDraft draft) throws VaultException;

    /**
     * Refuses a canvas whose notes this vault would refuse to write for what it holds now — its notes folder, or a
     * folder on the way to it, is a symbolic link — before any model is asked for them: after, every answer would be
     * paid for and then refused. A folder not there yet, or one that cannot be looked at now, is no refusal: the
     * writes say what they meet.
     */
    default void checkNotesFolder(String canvasPath) throws VaultException {}

    /**
     * The nodes of this canvas that have a note in its notes folder now, by the note's own front matter: edited by the
     * learner or not, linked into the canvas or not (write-back off), with the question each note was written for.
     * What a later {@code run} need not ask again, unless the question was reworded since. None when the vault cannot
     * tell.
     */
    default NotedQuestions nodesWithNotes(String canvasPath) {
        return NotedQuestions.NONE;
    }

    /**
     * The notes of a canvas's notes folder by the node each answers: the {@link QuestionDigest} of the question it was
     * written for, or {@link #UNRECORDED} for a note from a version that did not record it.
     */
    record NotedQuestions(java.util.Map<String, java.util.Set<String>> questionsByNode) {
        /** What a note that does not record its question stands for: the question as it reads now. */
        public static final String UNRECORDED = "";

        public static final NotedQuestions NONE = new NotedQuestions(java.util.Map.of());

        public NotedQuestions {
            java.util.Map<String, java.util.Set<String>> copy = new java.util.HashMap<>();
            questionsByNode.forEach((node, questions) -> copy.put(node, java.util.Set.copyOf(questions)));
            questionsByNode = java.util.Map.copyOf(copy);
        }

        /** Whether the node has a note in the folder. */
        public boolean hasNote(String nodeId) {
            return questionsByNode.containsKey(nodeId);
        }

        /** Whether the node has notes, none of them written for {@code question} as it reads now: reworded since. */
        public boolean reworded(String nodeId, String question) {
            java.util.Set<String> questions = questionsByNode.get(nodeId);
            return questions != null
                    && !questions.contains(UNRECORDED)
                    && !questions.contains(QuestionDigest.of(question));
        }
    }

    /**
     * The file name, without {@code .md}, that {@link #writeNote} gives (or gave) this node's note by this agent, so
     * that another note can link to it before it is written: usually the node's text and agent, but another name when
     * a file of someone else's already holds that one. Empty when the vault cannot tell.
     */
    default String noteNameFor(String canvasPath, String nodeId, String nodeText, AgentId agent) {
        return "";
    }

    /**
     * Links again a note written before — by another server sharing this vault, which died before it had written the
     * link into the canvas — if the note is still that node's by that agent; like {@link #writeNote}'s link, it is
     * written by the vault by itself, and a link already in the canvas is not added twice. Never fails: a note that is
     * gone or no longer theirs is simply not linked.
     */
    default void relink(String canvasPath, String nodeId, AgentId agent, String notePath) {}

    /**
     * Links the notes whose links {@code writer} — another server sharing this vault, which the cluster knows has
     * stopped — left waiting to be written into their canvases: each note still that node's by that agent is linked
     * like any, once. Never for a live server. True when nothing of what it left remains to adopt; false when some
     * could not be taken over now (the disk), so it should be asked again later.
     */
    default boolean adoptLinksLeftBy(String writer) {
        return true;
    }

    /**
     * After the vault was closed: per canvas, the note links that could not be written into it (the canvas was
     * unreadable, or held by another program, to the end), which the next process on this vault writes; none while
     * open. What a finished {@code run} must say, or the learner takes "13 succeeded" for 13 notes on the canvas.
     */
    default java.util.List<LinksLeftWaiting> linksLeftWaiting() {
        return java.util.List.of();
    }

    /**
     * @param canvasPath vault-relative, with forward slashes
     * @param reason     why the last attempt could not write them, in words for a person; null when none was made
     * @param kept       whether they are recorded in the vault, so that the next process on it writes them; false when
     *                   they could not be (the vault's ledger folder unusable too): they are gone with this process
     */
    record LinksLeftWaiting(String canvasPath, int count, String reason, boolean kept) {}

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

    /**
     * The note this node and agent got at or after {@code since}, as this program wrote it (unedited), if it is in the
     * canvas's notes folder: a run interrupted by a stop may have written it before its outcome could be recorded (the
     * journal's disk was full, or the process died in between). Empty when there is none, or it cannot be read now.
     */
    default java.util.Optional<FoundNote> noteWrittenSince(
            String canvasPath, String nodeId, AgentId agent, java.time.Instant since) {
        return java.util.Optional.empty();
    }

    /**
     * A note found in the vault: its path, its file's size, what it says below its front matter, and who wrote it.
     *
     * @param linkProblem null, or why the note is not linked into its canvas (its canvas is gone), as for a note written
     */
    record FoundNote(
            String path,
            long sizeBytes,
            String markdown,
            String model,
            java.time.Instant generatedAt,
            String linkProblem) {

        public FoundNote(String path, long sizeBytes, String markdown, String model, java.time.Instant generatedAt) {
            this(path, sizeBytes, markdown, model, generatedAt, null);
        }
    }

    /**
     * @param path        vault-relative path with forward slashes
     * @param linkProblem null when the note is linked into its canvas (or there is nothing to link it into); else why
     *                    it is not and never will be by this write (the canvas would grow beyond what a batch may
     *                    read), in words for a person
     */
    record WrittenNote(String path, long sizeBytes, String linkProblem) {

        public WrittenNote(String path, long sizeBytes) {
            this(path, sizeBytes, null);
        }
    }
}
