package org.canvasbatch.application.batch;

import org.canvasbatch.application.port.in.InvalidCommandException;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;

/** A canvas a command names: one the vault cannot read is the command's mistake, in its {@code canvas_path}. */
final class StoredCanvas {

    private StoredCanvas() {}

    static Canvas read(Vault vault, String canvasPath) {
        try {
            return vault.readCanvas(canvasPath);
        } catch (VaultException e) {
            throw InvalidCommandException.of("canvas_path", e.getMessage());
        }
    }

    /** A canvas whose notes the vault would refuse to write is refused before its questions are asked. */
    static void refuseUnwritableNotes(Vault vault, String canvasPath) {
        try {
            vault.checkNotesFolder(canvasPath);
        } catch (VaultException e) {
            throw InvalidCommandException.of("canvas_path", e.getMessage());
        }
    }

    /**
     * No canvas file is at {@code canvasPath}, but something else may be (a folder named like a canvas, a named pipe, a
     * device, a link out of the vault): then the vault's own words for it are thrown, rather than the caller's answer
     * for a canvas that is not there. A path that leads nowhere (nothing there, a file where a folder should be)
     * returns.
     */
    static void refuseWhatIsThereInstead(Vault vault, String canvasPath) throws VaultException {
        try {
            vault.readCanvas(canvasPath);
        } catch (VaultException e) {
            if (e.reason() == VaultException.Reason.INVALID_CANVAS
                    || e.reason() == VaultException.Reason.NOT_A_FILE
                    || e.reason() == VaultException.Reason.OUTSIDE_VAULT) {
                throw e;
            }
        }
    }
}
