package org.canvasbatch.application.port.in;

/**
 * An analysis of a canvas this server's vault does not hold. Grouping could go on with the nodes the caller sent, but
 * nothing after it would be right: the notes would land in a folder of their own, no canvas would get its links, and
 * the plugin's summary would still say the canvas was updated. The usual cause is a server started with another
 * {@code --vault} than the learner's Obsidian vault.
 */
public final class CanvasNotInVaultException extends RuntimeException {

    private final String canvasPath;
    private final String vaultLocation;

    /** @param vaultLocation where this server's vault is, as {@code Vault.location()} says it */
    public CanvasNotInVaultException(String canvasPath, String vaultLocation) {
        super(
                "The canvas '" + canvasPath + "' is not in this server's vault (" + vaultLocation
                        + "): restart the server with --vault <the folder that holds .obsidian>",
                null,
                false,
                false);
        this.canvasPath = canvasPath;
        this.vaultLocation = vaultLocation;
    }

    public String canvasPath() {
        return canvasPath;
    }

    public String vaultLocation() {
        return vaultLocation;
    }
}
