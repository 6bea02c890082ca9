package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.LogRecord;
import java.util.stream.IntStream;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.canvasbatch.adapters.http.ops.AccessToken;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.Test;

/**
 * Anyone who can reach the port can be refused as fast as the network carries requests (a web page the learner opens,
 * anyone without the token on a {@code --host} server): the log keeps a bounded number of lines a minute, and says how
 * many it did not write, so it cannot be used to fill the disk.
 */
class RefusalLogTest {

    private static final System.Logger REFUSER = System.getLogger("org.canvasbatch.adapters.http.RefusalLogTest");

    @Test
    void aFloodOfRequestsWithoutTheTokenLogsTheServersBudgetAndThenTheirNumber() {
        List<LogRecord> lines;
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch");
                ApiHarness api = new ApiHarness(
                        ServerSettings.onPort(0).withAccessToken(AccessToken.of("f3b1c2d4e5a6978801234567")))) {
            for (int i = 0; i < 150; i++) {
                Answer answer = api.get("/canvas/intelligent-parallel?n=" + i);
                assertThat(answer.status())
                        .as("every refusal is still answered")
                        .isEqualTo(401);
                BadInputTest.assertEnvelope(answer, "UnauthorizedError");
            }
            // a request that is not HTTP spends the same budget: no kind of refusal floods past another's
            RawHttp.Response malformed = RawHttp.exchange(
                    api.server.port(),
                    "GET /canvas/a%zz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(malformed.status()).isEqualTo(400);

            assertThat(logs.visibleRecordsContaining("-> 401")).hasSize(RefusalLog.LINES_PER_MINUTE);
            assertThat(logs.visibleRecordsContaining("malformed request")).isEmpty();
            assertThat(logs.visibleRecordsContaining("lines of refused requests and ended connections within a minute"))
                    .as("one line says the rest are counted")
                    .hasSize(1);
            api.close();
            lines = logs.visibleRecords();
        }
        assertThat(lines)
                .as("the stopping server logs the number it did not write, and the last of them")
                .anySatisfy(line -> assertThat(line.getMessage())
                        .contains(
                                "91 more lines of refused requests and ended connections in that minute went unlogged")
                        .contains("malformed request"));
        assertThat(lines).allSatisfy(line -> assertThat(line.getThrown()).isNull());
        assertThat(lines.size()).isLessThanOrEqualTo(RefusalLog.LINES_PER_MINUTE + 5);
    }

    @Test
    void theCountIsLoggedWhenTheWindowEndsEvenIfNoRefusalFollows() {
        List<Runnable> windowEnds = new ArrayList<>();
        List<Duration> waits = new ArrayList<>();
        RefusalLog refusals = new RefusalLog(3, Duration.ofMinutes(1), "window", (wait, task) -> {
            waits.add(wait);
            windowEnds.add(task);
        });
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch.adapters.http")) {
            IntStream.range(0, 10).forEach(i -> refusals.refused(REFUSER, () -> "refusal " + i));

            assertThat(logs.visibleRecordsContaining("refusal ")).hasSize(3);
            assertThat(logs.visibleRecordsContaining("more lines"))
                    .as("not before the window ends")
                    .isEmpty();
            assertThat(windowEnds).as("one end is awaited for the window").hasSize(1);
            assertThat(waits.getFirst()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));

            windowEnds.getFirst().run();

            assertThat(logs.visibleRecordsContaining(
                            "7 more lines of refused requests and ended connections in that" + " window"))
                    .singleElement()
                    .satisfies(line -> assertThat(line.getMessage()).endsWith("the last: refusal 9"));

            refusals.refused(REFUSER, () -> "refusal after the window");
            assertThat(logs.visibleRecordsContaining("refusal after the window"))
                    .as("a new window logs again")
                    .hasSize(1);
        }
    }

    /** A window's end that comes after a refusal already opened the next window closes nothing of the new one. */
    @Test
    void aLateWindowEndLeavesTheNextWindowAlone() {
        List<Runnable> windowEnds = new ArrayList<>();
        RefusalLog refusals = new RefusalLog(1, Duration.ofMinutes(1), "window", (wait, task) -> windowEnds.add(task));
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch.adapters.http")) {
            refusals.refused(REFUSER, () -> "first");
            refusals.refused(REFUSER, () -> "second");
            refusals.flush();
            refusals.refused(REFUSER, () -> "third");
            refusals.refused(REFUSER, () -> "fourth");

            windowEnds.getFirst().run();

            assertThat(logs.visibleRecordsContaining("the last: ").stream()
                            .map(LogRecord::getMessage)
                            .toList())
                    .as("only the flushed window's count so far")
                    .singleElement()
                    .asString()
                    .endsWith("the last: second");
        }
    }

    @Test
    void aWindowWithinItsBudgetLogsEveryLineAndNoCount() {
        RefusalLog refusals = new RefusalLog(5, Duration.ofMinutes(1), "minute");
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch.adapters.http")) {
            IntStream.range(0, 5).forEach(i -> refusals.refused(REFUSER, () -> "refusal " + i));
            refusals.flush();

            assertThat(logs.visibleLines())
                    .hasSize(5)
                    .allSatisfy(line -> assertThat(line).contains("refusal "));
        }
    }
}
