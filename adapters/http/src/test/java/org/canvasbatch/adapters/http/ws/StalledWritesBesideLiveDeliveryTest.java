package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery carriers are few (one per core) and nothing makes up for one that blocks. A drain whose client stopped
 * reading must park in its write, not hold its carrier: more stalled sockets than there are carriers, and another
 * session's live event still reaches its reader.
 */
class StalledWritesBesideLiveDeliveryTest {

    private static final int NODES = 300;

    // a queue that never overflows and small socket buffers: the stalled drains stay in their writes
    private final TestServer server = new TestServer(
            WsSettings.DEFAULT.withQueueCapacity(100_000), options -> options.socketSendBufferSize(4096));
    private final List<RawSocket> stalled = new ArrayList<>();

    @AfterEach
    void stop() {
        stalled.forEach(RawSocket::close);
        server.close();
    }

    @Test
    void aLiveEventReachesItsReaderWhileMoreSocketsThanCarriersHaveStoppedReading() {
        SessionId busy = server.analyze(NODES);
        SessionId watched = server.analyze(3);
        for (int i = 0; i < Runtime.getRuntime().availableProcessors() + 2; i++) {
            stalled.add(RawSocket.connect(server.port(), "/ws/intelligent-parallel/" + busy.value(), 1024));
        }
        TestSocket reader = TestSocket.connect(server.socket(watched));
        reader.await("snapshot");

        // far more than the stalled sockets' buffers hold: every one of their drains ends up waiting in a write
        server.runToEnd(busy);

        server.start(watched);
        assertThat(reader.await("session_started").getString("session_id")).isEqualTo(watched.value());
    }
}
