package org.canvasbatch.adapters.vault;

import java.nio.file.Path;

/**
 * A path checked to lie inside the vault.
 *
 * @param relative vault-relative, normalised, with forward slashes: what messages, notes and canvases show
 * @param absolute where it is on disk
 */
record VaultFile(String relative, Path absolute) {

    String extension() {
        String name = absolute.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
    }
}
