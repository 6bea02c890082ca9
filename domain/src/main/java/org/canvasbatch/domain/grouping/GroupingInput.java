package org.canvasbatch.domain.grouping;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;

/**
 * What grouping may look at: the questions' texts and, when known, where they sit on the canvas and what the learner
 * built around them.
 *
 * @param texts      the questions' texts in canvas order, each cut to its first {@value #MAX_TEXT_CHARS} characters;
 *                   a null text counts as empty
 * @param questions  empty, or the question nodes in the same order as {@code texts}: their ids link them to the
 *                   canvas's groups and edges, and their rectangles place them
 * @param canvas     the canvas as stored, when it can be read: its group nodes, edges and yellow notes are the
 *                   learner's own structure (the plugin sends only the question nodes)
 * @param embeddings empty, or one semantic vector per text (all of one length) from an embedding model
 */
public record GroupingInput(
        List<String> texts, List<CanvasNode> questions, Optional<Canvas> canvas, List<float[]> embeddings) {

    /**
     * How much of each question grouping reads: a question's topic is in its first lines, and the cost of grouping
     * grows with the words it reads (117 texts at the 64 KiB limit took 10 s of CPU whole; docs/benchmarks.md).
     */
    public static final int MAX_TEXT_CHARS = 2_000;

    public GroupingInput {
        // a list with null texts is allowed (they count as empty), so it cannot go through List.copyOf
        List<String> bounded =
                new ArrayList<>(Objects.requireNonNull(texts, "texts").size());
        for (String text : texts) {
            bounded.add(prefix(text));
        }
        texts = Collections.unmodifiableList(bounded);
        questions = List.copyOf(Objects.requireNonNull(questions, "questions"));
        canvas = Objects.requireNonNull(canvas, "canvas");
        embeddings = List.copyOf(Objects.requireNonNull(embeddings, "embeddings"));
        if (!questions.isEmpty() && questions.size() != texts.size()) {
            throw new IllegalArgumentException(
                    "questions must match texts one to one: " + questions.size() + " for " + texts.size());
        }
        if (!embeddings.isEmpty() && embeddings.size() != texts.size()) {
            throw new IllegalArgumentException(
                    "embeddings must match texts one to one: " + embeddings.size() + " for " + texts.size());
        }
    }

    /** The first {@link #MAX_TEXT_CHARS} characters, not cutting a character in two. */
    static String prefix(String text) {
        if (text == null || text.length() <= MAX_TEXT_CHARS) {
            return text;
        }
        int end = MAX_TEXT_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    /** Texts alone: no canvas, no model. */
    public static GroupingInput ofTexts(List<String> texts) {
        return new GroupingInput(texts, List.of(), Optional.empty(), List.of());
    }

    /** The question nodes as sent or read, with the stored canvas when there is one. */
    public static GroupingInput ofNodes(List<CanvasNode> questions, Optional<Canvas> canvas) {
        return new GroupingInput(
                questions.stream().map(CanvasNode::displayText).toList(), questions, canvas, List.of());
    }

    /** The same input with one semantic vector per text. */
    public GroupingInput withEmbeddings(List<float[]> vectors) {
        return new GroupingInput(texts, questions, canvas, vectors);
    }

    /** Whether usable embeddings came with the texts: one per text, of one length, finite and not all zero. */
    boolean hasUsableEmbeddings() {
        if (embeddings.isEmpty()) {
            return false;
        }
        int length = embeddings.get(0) == null ? 0 : embeddings.get(0).length;
        if (length == 0) {
            return false;
        }
        for (float[] vector : embeddings) {
            if (vector == null || vector.length != length) {
                return false;
            }
            boolean nonZero = false;
            for (float value : vector) {
                if (!Float.isFinite(value)) {
                    return false;
                }
                nonZero |= value != 0f;
            }
            if (!nonZero) {
                return false;
            }
        }
        return true;
    }
}
