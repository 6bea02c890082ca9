package org.canvasbatch.bootstrap;

import io.helidon.logging.common.spi.LoggingProvider;

/**
 * Tells Helidon that logging is taken care of ({@link LogSetup}, by each command before anything logs): without a
 * provider of its own on the class path, Helidon prints a line about skipping its log configuration at every serve.
 * Found through {@code META-INF/services}, so it needs a public constructor.
 */
public final class OwnLogging implements LoggingProvider {

    @Override
    public void initialization() {}

    @Override
    public void runTime() {}
}
