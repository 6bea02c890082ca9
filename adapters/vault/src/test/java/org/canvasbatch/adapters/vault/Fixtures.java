package org.canvasbatch.adapters.vault;

import java.nio.file.Path;
import org.canvasbatch.fixtures.FixtureVault;

/** The fixture vault's canvases, by the names these tests use, and writable copies of it. */
final class Fixtures {

    static final String DISCRETE_MATH = FixtureVault.DISCRETE_MATH;
    static final String LINEAR_ALGEBRA = FixtureVault.LINEAR_ALGEBRA;
    static final String MIXED = FixtureVault.MIXED;
    static final String DATA_STRUCTURES = FixtureVault.DATA_STRUCTURES;
    static final String EXAM_170 = FixtureVault.EXAM_170;

    private Fixtures() {}

    /** Copies the whole fixture vault into {@code target}. */
    static Path copyVaultTo(Path target) {
        return FixtureVault.copyTo(target);
    }
}
