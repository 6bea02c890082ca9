package org.canvasbatch.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Every carrier of the JDK's virtual thread scheduler held by a virtual thread that never parks, as a thousand
 * reconnecting sockets' connection threads hold them: what is woken on that scheduler meanwhile waits until they are
 * released. A few more than there are carriers wait in the scheduler's queue, ahead of anything woken later, so that a
 * spare carrier the JDK adds meanwhile (for a carrier blocked elsewhere in the JVM) takes one of them.
 */
public final class BusyCarriers implements AutoCloseable {

    private final List<Thread> spinning = new ArrayList<>();
    private volatile boolean released;

    private BusyCarriers() {}

    /**
     * Takes every carrier; returns once each is held.
     *
     * @throws IllegalStateException when the carriers could not all be taken within 10 s
     */
    public static BusyCarriers takeAll() throws InterruptedException {
        int carriers = Integer.getInteger(
                "jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
        BusyCarriers busy = new BusyCarriers();
        CountDownLatch mounted = new CountDownLatch(carriers);
        for (int i = 0; i < carriers + 4; i++) {
            busy.spinning.add(Thread.ofVirtual().name("busy-carrier-" + i).start(() -> {
                mounted.countDown();
                while (!busy.released) {
                    Thread.onSpinWait();
                }
            }));
        }
        if (!mounted.await(10, TimeUnit.SECONDS)) {
            busy.close();
            throw new IllegalStateException("the carriers of the JDK's scheduler could not all be taken");
        }
        return busy;
    }

    /** Whether every spinning thread still runs (none was let go early). */
    public boolean stillHeld() {
        return spinning.stream().allMatch(Thread::isAlive);
    }

    /** Releases the carriers and waits for the spinning threads to end. */
    @Override
    public void close() throws InterruptedException {
        released = true;
        for (Thread thread : spinning) {
            thread.join();
        }
    }
}
