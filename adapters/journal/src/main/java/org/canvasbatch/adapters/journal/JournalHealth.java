package org.canvasbatch.adapters.journal;

import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * What a journal tells an operator beyond the {@code EventLog} port: whether it could take an event now, cheaply enough
 * for a readiness check, and how long its syncs take. Both journals of this module have it, so whoever wires them
 * needs no type test to measure them.
 */
public interface JournalHealth {

    /** Why an event could not be stored now (a sentence for the operator), or empty when it could. Writes no data. */
    Optional<String> writeProblem();

    /** Where the events go, for the operator: a folder, or memory. */
    String location();

    /**
     * Tells {@code listener} how long each sync that makes appends durable took, in nanoseconds. It runs while an
     * appender waits, so it must only record the number. One listener; a later call replaces the earlier one. A journal
     * that never syncs never calls it.
     */
    void onSync(LongConsumer listener);
}
