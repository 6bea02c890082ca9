package org.canvasbatch.adapters.http.ws;

import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that carry a live event from the core to the wire (a session's feed, a socket's sender): virtual threads
 * on carrier threads of their own, where the JDK lets us.
 *
 * <p>Helidon runs every connection on a virtual thread of the JDK's one scheduler. A thousand plugin windows
 * reconnecting within half a second put a thousand connection threads (parse, route, upgrade) in that scheduler's queue,
 * and a live session's feed and senders, woken by the next event, waited behind all of them: 60–490 ms on two cores, the
 * reconnect storm's stall (docs/benchmarks.md). On a scheduler of their own they are scheduled by the operating system
 * beside the connections' carriers instead of queued behind their work.
 *
 * <p>The JDK has no public way to give virtual threads another scheduler; its own builder takes one through a
 * constructor it keeps for its tests. The jar's manifest opens {@code java.lang} to us ({@code Add-Opens}); where it is
 * not open (an embedding application) or the constructor is gone in a later JDK, these are ordinary virtual threads, as
 * they were before, and one line says so.
 */
final class DeliveryThreads {

    private static final System.Logger LOG = System.getLogger(DeliveryThreads.class.getName());

    /** The JDK builder's constructor that takes a scheduler; null where it cannot be had. */
    private static final Constructor<?> WITH_SCHEDULER = withScheduler();

    private static final Executor CARRIERS = WITH_SCHEDULER == null ? null : carriers();

    private DeliveryThreads() {}

    /** A builder of virtual threads on the delivery carriers (the JDK's scheduler where there are none). */
    static Thread.Builder.OfVirtual builder() {
        if (WITH_SCHEDULER != null) {
            try {
                return (Thread.Builder.OfVirtual) WITH_SCHEDULER.newInstance(CARRIERS);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(
                        "the JDK's virtual thread builder refused a scheduler it took before", e);
            }
        }
        return Thread.ofVirtual();
    }

    private static Constructor<?> withScheduler() {
        try {
            Constructor<?> constructor = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder")
                    .getDeclaredConstructor(Executor.class);
            constructor.setAccessible(true);
            // a JVM without continuations has virtual threads (each on a thread of its own) but refuses any scheduler
            constructor.newInstance(ForkJoinPool.commonPool());
            return constructor;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable why = e instanceof java.lang.reflect.InvocationTargetException refused ? refused.getCause() : e;
            LOG.log(
                    System.Logger.Level.INFO,
                    "socket delivery shares the JDK's virtual thread carriers with every connection (" + why + ")");
            return null;
        }
    }

    private static ForkJoinPool carriers() {
        // as many as the JDK's scheduler has, tuned by the same property
        int parallelism = Math.max(
                1,
                Integer.getInteger(
                        "jdk.virtualThreadScheduler.parallelism",
                        Runtime.getRuntime().availableProcessors()));
        AtomicInteger carriers = new AtomicInteger();
        ForkJoinPool.ForkJoinWorkerThreadFactory named = pool -> {
            ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            // numbered here: a worker has no pool index until it runs, so getPoolIndex() named every one of them 0
            thread.setName("ws-delivery-carrier-" + carriers.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
        // FIFO, as the JDK's own scheduler. Unlike its carriers, these are never made up for: the JDK adds a carrier
        // only for a CarrierThread (jdk.internal.misc.Blocker), so a delivery thread blocked where a virtual thread
        // cannot unmount (console writes, DNS, FileChannel.force, a class being initialised) holds one of these few
        // carriers for as long as it blocks, and the maximum of 256 is never reached
        return new ForkJoinPool(parallelism, named, null, true, 0, 256, 1, pool -> true, 30, TimeUnit.SECONDS);
    }
}
