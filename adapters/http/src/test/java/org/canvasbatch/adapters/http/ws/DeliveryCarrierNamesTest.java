package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery carriers are named {@code ws-delivery-carrier-N}, one N each, so that a thread dump of a stalled server
 * tells them apart (a virtual thread names its carrier: {@code VirtualThread[#42,ws-send]/runnable@ws-delivery-carrier-1}).
 */
class DeliveryCarrierNamesTest {

    private final List<Thread> holding = new ArrayList<>();
    private volatile boolean released;

    @AfterEach
    void release() throws InterruptedException {
        released = true;
        for (Thread thread : holding) {
            thread.join();
        }
    }

    @Test
    void everyDeliveryCarrierHasANameOfItsOwn() throws InterruptedException {
        int carriers = Runtime.getRuntime().availableProcessors();
        AtomicInteger mounted = new AtomicInteger();
        Set<String> names = ConcurrentHashMap.newKeySet();
        CountDownLatch all = new CountDownLatch(carriers);
        for (int i = 0; i < carriers; i++) {
            // each holds its carrier until every one of them is mounted: one carrier each
            holding.add(DeliveryThreads.builder().name("holding-" + i).start(() -> {
                mounted.incrementAndGet();
                while (mounted.get() < carriers && !released) {
                    Thread.onSpinWait();
                }
                String self = Thread.currentThread().toString();
                names.add(self.substring(self.lastIndexOf('@') + 1));
                all.countDown();
            }));
        }
        assertThat(all.await(10, TimeUnit.SECONDS))
                .as("every carrier taken at once")
                .isTrue();

        assertThat(names).as("carrier names").hasSize(carriers);
    }
}
