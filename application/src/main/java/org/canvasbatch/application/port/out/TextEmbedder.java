package org.canvasbatch.application.port.out;

import java.util.List;

/**
 * Turns texts into semantic vectors (embeddings), so that questions can be grouped by meaning rather than by the words
 * they share. Implementations: an OpenAI-compatible {@code /embeddings} endpoint (OpenAI, Ollama, vLLM, LM Studio …),
 * or {@link #none()} when no embedding model is configured, in which case grouping works from the words alone.
 */
public interface TextEmbedder {

    /**
     * @return one vector per text, in the order given, all of one length
     * @throws EmbeddingUnavailable when the model cannot give them now (down, too slow, refused, a broken answer): the
     *                              caller groups by words instead
     * @throws InterruptedException when the calling thread is interrupted; the call is abandoned first
     */
    List<float[]> embed(List<String> texts) throws EmbeddingUnavailable, InterruptedException;

    /** Which model embeds, for logs, e.g. {@code openai:text-embedding-3-small}; {@code none} without a model. */
    String model();

    /** Whether a model is configured at all; without one, {@link #embed} is never worth calling. */
    default boolean configured() {
        return true;
    }

    /** No embedding model: grouping works from the words and the canvas alone. */
    static TextEmbedder none() {
        return new TextEmbedder() {
            @Override
            public List<float[]> embed(List<String> texts) throws EmbeddingUnavailable {
                throw new EmbeddingUnavailable("no embedding model is configured");
            }

            @Override
            public String model() {
                return "none";
            }

            @Override
            public boolean configured() {
                return false;
            }
        };
    }
}
