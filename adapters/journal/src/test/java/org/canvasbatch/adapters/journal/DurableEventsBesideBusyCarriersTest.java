package org.canvasbatch.adapters.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.BusyCarriers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, the reconnect storm: the batch's tasks append from virtual threads, and while a thousand reconnecting
 * sockets hold every carrier of the JDK's scheduler, an appender released after its sync waited for a carrier before
 * anyone heard its events. The journal hands durable events on from the thread that synced them.
 */
class DurableEventsBesideBusyCarriersTest {

    @TempDir
    Path temp;

    @Test
    void aSubscriberHearsAVirtualThreadsDurableEventsWhileEveryCarrierIsBusy() throws Exception {
        try (FileJournal journal = FileJournal.open(temp.resolve("data"))) {
            SessionId id = new SessionId("live");
            List<SessionEvent> heard = new CopyOnWriteArrayList<>();
            CountDownLatch heardAll = new CountDownLatch(3);
            journal.subscribe(id, event -> {
                heard.add(event);
                heardAll.countDown();
            });
            CountDownLatch synced = new CountDownLatch(1);
            CountDownLatch carriersTaken = new CountDownLatch(1);
            journal.onSync(nanos -> {
                synced.countDown();
                awaitQuietly(carriersTaken);
            });
            List<SessionEvent> events = SampleEvents.history(id, 3);

            // the appender is past its submit and parks for the sync, giving its carrier to the spinning threads
            Thread appender = Thread.ofVirtual().name("appending-task").start(() -> journal.append(events));
            assertThat(synced.await(10, TimeUnit.SECONDS))
                    .as("the append reached its sync")
                    .isTrue();
            try (BusyCarriers busy = BusyCarriers.takeAll()) {
                carriersTaken.countDown();

                assertThat(heardAll.await(10, TimeUnit.SECONDS))
                        .as("the events were heard while no carrier could run their appender")
                        .isTrue();
                assertThat(heard).containsExactlyElementsOf(events);
                assertThat(busy.stillHeld()).as("every carrier still taken").isTrue();
                assertThat(appender.isAlive())
                        .as("the appender had not yet run again")
                        .isTrue();
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
