package org.canvasbatch.adapters.http.ws;

import java.util.concurrent.atomic.LongAdder;

/** What the channel counts for metrics; written from many threads, read rarely. */
final class Counters {
    final LongAdder eventsSent = new LongAdder();
    final LongAdder progressCoalesced = new LongAdder();
    final LongAdder slowConsumerCloses = new LongAdder();
    final LongAdder deadConnections = new LongAdder();
    final LongAdder badFrames = new LongAdder();
}
