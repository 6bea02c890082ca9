package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that come and go while a session streams — closing in the middle of a drain's write, with or without a close
 * handshake — leave nothing behind: no connection, no drain thread, no platform thread.
 */
class ConnectionChurnTest {

    private static final int CYCLES = 500;
    private static final int NODES = 300;

    private final TestServer server = new TestServer(WsSettings.DEFAULT);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void fiveHundredClientsLeavingMidStreamLeaveNoConnectionAndNoThread(@TempDir Path dumps) throws Exception {
        SessionId id = server.analyze(NODES);
        // the session streams throughout the churn: one outcome per permit, released as the clients come and go
        Semaphore permits = new Semaphore(0);
        for (int i = 1; i <= NODES; i++) {
            server.agent.always("n" + i, new ScriptedAgent.WaitForPermit(permits));
        }
        server.start(id);
        int platformBefore = Thread.activeCount();

        for (int i = 0; i < CYCLES; i++) {
            permits.release(1);
            try (RawSocket raw = RawSocket.connect(server.port(), "/ws/intelligent-parallel/" + id.value(), 4096)) {
                assertThat(raw.read()).as("the greeting arrives").isNotNull();
                if (i % 2 == 0) {
                    raw.sendFrame(8, new byte[] {0x03, (byte) 0xe8});
                }
                // then gone without reading the rest: the server is usually mid-write
            }
        }
        permits.release(NODES);

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while ((server.channel.connectionCount() > 0 || drains(dumps) > 0) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(server.channel.connectionCount())
                .as("every connection removed")
                .isZero();
        assertThat(drains(dumps)).as("no drain thread left").isZero();
        assertThat(Thread.activeCount()).as("platform threads").isLessThanOrEqualTo(platformBefore + 4);
    }

    /** The drain ("ws-send") virtual threads alive now, from a JSON thread dump (which lists virtual threads). */
    private static int drains(Path dumps) throws IOException {
        Path file = Files.createTempFile(dumps, "threads", ".json");
        Files.delete(file);
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        Matcher drain = Pattern.compile("\"name\": \"ws-send\"").matcher(Files.readString(file));
        int count = 0;
        while (drain.find()) {
            count++;
        }
        Files.delete(file);
        return count;
    }
}
