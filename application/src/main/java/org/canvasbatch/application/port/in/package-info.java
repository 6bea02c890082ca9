/**
 * In-ports: what the world may ask of the core, one use case per interface. Inputs are self-validating records whose
 * constructors reject bad values with {@link org.canvasbatch.application.port.in.InvalidCommandException}.
 */
package org.canvasbatch.application.port.in;
