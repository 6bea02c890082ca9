package org.canvasbatch.adapters.vault;

import java.util.Map;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.testsupport.InMemoryVault;

/** The in-memory vault the core's tests use keeps the file vault's promises. */
class InMemoryVaultContractTest extends VaultContract {

    @Override
    protected Vault vaultWith(Canvas canvas, Map<String, String> files) {
        InMemoryVault vault = new InMemoryVault().withCanvas(canvas);
        files.forEach(vault::withFile);
        return vault;
    }

    /** Links are in the canvas as soon as the note is written. */
    @Override
    protected void settle() {}
}
