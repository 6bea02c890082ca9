package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, the reconnect storm's stall: a thousand plugin windows reconnecting at once keep every carrier of the
 * JDK's virtual thread scheduler busy with Helidon's connection threads, and a live session's messages waited behind
 * them. A session's feed and its sockets' senders run on carriers of their own, so a live event reaches its socket
 * while every one of the JDK's carriers is taken.
 */
class DeliveryBesideBusyCarriersTest {

    private final TestServer server = new TestServer(WsSettings.DEFAULT);
    private final List<Thread> busy = new ArrayList<>();
    private volatile boolean released;

    @AfterEach
    void stop() throws InterruptedException {
        released = true;
        for (Thread thread : busy) {
            thread.join();
        }
        server.close();
    }

    @Test
    void aLiveEventReachesItsSocketWhileEveryCarrierOfTheJdkSchedulerIsBusy() throws InterruptedException {
        SessionId id = server.analyze(3);
        TestSocket socket = TestSocket.connect(server.socket(id));
        socket.await("snapshot");

        takeEveryCarrierOfTheJdkScheduler();
        // a platform thread appends and publishes the start; the batch's own tasks wait for a carrier
        Thread.ofPlatform().name("confirm").start(() -> server.start(id));

        JsonObject started =
                socket.await(message -> message.getString("type").equals("session_started"), Duration.ofSeconds(10));
        assertThat(started.getString("session_id")).isEqualTo(id.value());
        assertThat(busy)
                .as("every carrier of the JDK's scheduler was still taken, more waiting for one")
                .allMatch(Thread::isAlive);
    }

    /**
     * Virtual threads that never park: each holds one carrier until the test ends. A few more than there are carriers
     * wait in the scheduler's queue, ahead of anything woken later, so that a spare carrier the JDK adds meanwhile (for
     * a carrier blocked elsewhere in this JVM) takes one of them, not the socket's sender.
     */
    private void takeEveryCarrierOfTheJdkScheduler() throws InterruptedException {
        int carriers = Integer.getInteger(
                "jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
        CountDownLatch mounted = new CountDownLatch(carriers);
        for (int i = 0; i < carriers + 4; i++) {
            busy.add(Thread.ofVirtual().name("busy-carrier-" + i).start(() -> {
                mounted.countDown();
                while (!released) {
                    Thread.onSpinWait();
                }
            }));
        }
        assertThat(mounted.await(10, TimeUnit.SECONDS))
                .as("every carrier taken")
                .isTrue();
    }
}
