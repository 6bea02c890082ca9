package org.canvasbatch.benchmarks.load;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback address of its own for each client socket the tool opens. The server takes every socket from one address
 * with the plugin's {@code Origin} for one session as one plugin window and hands each event to only one socket of a
 * window; a thousand sockets from 127.0.0.1 would be a single window and all but one would receive almost nothing.
 * Learners' machines each have their own address, so each measured socket gets one here (Linux routes all of
 * 127.0.0.0/8 to the loopback interface).
 */
final class Loopback {

    private static final AtomicInteger NEXT = new AtomicInteger();

    private Loopback() {}

    /** The next address of 127.2.0.1 – 127.2.255.254 (then from the start again), never 127.0.0.1. */
    static InetAddress next() {
        int n = Math.floorMod(NEXT.getAndIncrement(), 256 * 254);
        byte[] address = {127, 2, (byte) (n / 254), (byte) (1 + n % 254)};
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
