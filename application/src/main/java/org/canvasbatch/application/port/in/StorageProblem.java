package org.canvasbatch.application.port.in;

import java.time.Instant;

/**
 * The event journal refuses to store events (a full disk, a read-only or failing file system), so progress cannot be
 * saved: running agent calls finish and their outcomes are held, nothing new starts, and the core checks the journal
 * again and again; once it takes events, what was held is recorded and the batch goes on by itself.
 *
 * @param message     for a person: what cannot be done, why and where, e.g. {@code Cannot save progress: no space left
 *                    on device in /home/me/.canvas-batch/data/sessions}
 * @param since       when the journal first refused
 * @param heldWrites  outcomes (and other changes) waiting to be recorded
 * @param nextCheckAt when the journal is tried again
 */
public record StorageProblem(String message, Instant since, int heldWrites, Instant nextCheckAt) {}
