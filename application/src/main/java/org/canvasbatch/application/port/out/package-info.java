/** Out-ports: what the core asks of the world. Named for the capability, never for a technology. */
package org.canvasbatch.application.port.out;
