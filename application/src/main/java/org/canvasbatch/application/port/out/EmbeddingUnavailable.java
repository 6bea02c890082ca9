package org.canvasbatch.application.port.out;

/** The embedding model could not give vectors now; the message says why in words a person can act on. */
public final class EmbeddingUnavailable extends Exception {

    public EmbeddingUnavailable(String message) {
        super(message);
    }
}
