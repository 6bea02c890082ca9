package org.canvasbatch.application.port.out;

import java.util.Locale;

/** A vault operation that could not be done; the message names the file and is written for a person. */
public final class VaultException extends RuntimeException {

    public enum Reason {
        NOT_FOUND,
        /**
         * Something other than a file is where the file should be (a folder named like a canvas): the path leads
         * somewhere, so the answer names what is there rather than saying nothing is.
         */
        NOT_A_FILE,
        INVALID_CANVAS,
        OUTSIDE_VAULT,
        TOO_LARGE,
        /** The disk (or the user's quota) is full: nothing was written; it works again once space is freed. */
        FULL,
        IO
    }

    private final Reason reason;
    private final String path;

    public VaultException(Reason reason, String path, String message) {
        super(message);
        this.reason = reason;
        this.path = path;
    }

    public VaultException(Reason reason, String path, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.path = path;
    }

    public Reason reason() {
        return reason;
    }

    public String path() {
        return path;
    }

    /**
     * The {@code error_type} of a node whose note the vault refused, {@code vault_<reason>} ({@code vault_full},
     * {@code vault_io}, {@code vault_outside_vault} …): one rule for a batch's node and a single-node run alike.
     */
    public String errorType() {
        return "vault_" + reason.name().toLowerCase(Locale.ROOT);
    }
}
