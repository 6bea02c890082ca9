package org.canvasbatch.bootstrap.batch;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.testsupport.ForwardingEventLog;

/**
 * An in-memory journal whose append of one node's start waits until the test lets it go ({@link #release}), as an
 * fsync behind other writes does; it remembers which nodes each append started.
 */
final class HeldStartJournal extends ForwardingEventLog {

    /** Counted down when the held start's append arrives. */
    final CountDownLatch arrived = new CountDownLatch(1);
    /** Counted down by the test to let the held start's append go on. */
    final CountDownLatch release = new CountDownLatch(1);

    private final String heldNode;
    private final List<List<String>> startsByAppend = new CopyOnWriteArrayList<>();

    HeldStartJournal(String heldNode) {
        super(new InMemoryEventLog());
        this.heldNode = heldNode;
    }

    @Override
    public void append(List<SessionEvent> events) {
        List<String> starts = events.stream()
                .filter(TaskStarted.class::isInstance)
                .map(e -> ((TaskStarted) e).nodeId())
                .toList();
        if (starts.contains(heldNode)) {
            arrived.countDown();
            OneGroupCanvas.awaitRelease(release);
        }
        if (!starts.isEmpty()) {
            startsByAppend.add(starts);
        }
        super.append(events);
    }

    /** The nodes each append started, in order. */
    List<List<String>> startsByAppend() {
        return List.copyOf(startsByAppend);
    }
}
