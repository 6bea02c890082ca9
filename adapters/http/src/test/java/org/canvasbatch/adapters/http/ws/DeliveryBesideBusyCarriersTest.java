package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.time.Duration;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.BusyCarriers;
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

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aLiveEventReachesItsSocketWhileEveryCarrierOfTheJdkSchedulerIsBusy() throws InterruptedException {
        SessionId id = server.analyze(3);
        TestSocket socket = TestSocket.connect(server.socket(id));
        socket.await("snapshot");

        try (BusyCarriers busy = BusyCarriers.takeAll()) {
            // a platform thread appends and publishes the start; the batch's own tasks wait for a carrier
            Thread.ofPlatform().name("confirm").start(() -> server.start(id));

            JsonObject started = socket.await(
                    message -> message.getString("type").equals("session_started"), Duration.ofSeconds(10));
            assertThat(started.getString("session_id")).isEqualTo(id.value());
            assertThat(busy.stillHeld())
                    .as("every carrier of the JDK's scheduler was still taken, more waiting for one")
                    .isTrue();
        }
    }
}
