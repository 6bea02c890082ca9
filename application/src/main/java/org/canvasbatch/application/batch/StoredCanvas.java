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
}
