package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.bootstrap.PluginWindowsFile;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server restarts while the plugin's progress window is open. The window reconnects to the new process without
 * {@code last_seq} and counts every task message it gets, so the new process must know how far the window got: sent
 * the whole history again, it would tell the learner that more nodes were done than the canvas has.
 */
class PluginRestartTest {

    private static final String CANVAS = "Restart/six questions.canvas";

    @TempDir
    Path temp;

    private final CountDownLatch neverAnswered = new CountDownLatch(1);
    private PluginHarness first;
    private PluginHarness second;
    private ObsidianPlugin plugin;

    @AfterEach
    void stop() {
        neverAnswered.countDown();
        if (plugin != null) {
            plugin.close();
        }
        for (PluginHarness server : new PluginHarness[] {first, second}) {
            if (server != null) {
                server.close();
            }
        }
    }

    private record ThreeDone(InMemoryEventLog journal, List<String> nodes, ProgressMonitorModal progress) {}

    /** A window at the plugin's own pace on {@code first}: of six nodes three are done and three hang. */
    private ThreeDone threeDoneThreeHanging(Path vault, Path data) {
        InMemoryEventLog journal = new InMemoryEventLog();
        first = new PluginHarness(vault, 0, journal, new PluginWindowsFile(data));
        plugin = first.plugin(settings -> settings.withTimeScale(1));

        GroupPreviewModal preview = plugin.runIntelligentParallel(vault, CANVAS);
        List<String> nodes = preview.groups().stream()
                .flatMap(g -> g.nodes().stream())
                .map(GroupPreviewModal.Node::id)
                .toList();
        nodes.subList(3, 6).forEach(id -> first.agent.always(id, new ScriptedAgent.WaitFor(neverAnswered)));
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitTaskMessages(3);
        return new ThreeDone(journal, nodes, progress);
    }

    @Test
    void aWindowOpenAcrossARestartCountsEachNodeOnce() throws IOException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 6);
        Path data = Files.createDirectories(temp.resolve("data"));
        // the plugin's own pace: the new server is listening before the window's first reconnect, a second later
        ThreeDone started = threeDoneThreeHanging(vault, data);
        InMemoryEventLog journal = started.journal();
        ProgressMonitorModal progress = started.progress();
        // kept while the server runs, not only at its stop: a killed server leaves this behind
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (new PluginWindowsFile(data)
                .recall().windows().stream()
                        .noneMatch(w -> w.sessionId().equals(progress.sessionId()) && w.seq() > 0)) {
            assertThat(System.nanoTime()).as("the window's position kept").isLessThan(deadline);
            Thread.onSpinWait();
        }

        int port = first.port();
        first.close();
        second = new PluginHarness(vault, port, journal, new PluginWindowsFile(data));
        second.core.recover();

        progress.awaitSummary();
        assertThat(plugin.noticeTexts())
                .as("what the learner is told when the batch ends")
                .anyMatch(text -> text.startsWith("✅ 全部处理完成: 6个节点"));
        assertThat(progress.countedNodes())
                .as("each node counted once")
                .hasSize(6)
                .doesNotHaveDuplicates();
        assertThat(second.notes(CANVAS)).hasSize(6);
    }

    /**
     * A server that remembers the plugin's windows of 4 096 sessions (the most it keeps) keeps those and the window open
     * now, in that order: the file held only the first 4 096 given, the oldest, so the one window that will reconnect
     * after a crash of the server (kept every half second; only a clean stop keeps it too) was never in it: the next
     * process treats it as new and sends it the whole history again, "✅ 全部处理完成: 9个节点" for 6.
     */
    @Test
    void anOpenWindowIsKeptWhileTheServerRunsWhenItRemembersAsManyWindowsAsItCan() throws IOException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 6);
        Path data = Files.createDirectories(temp.resolve("data"));
        new PluginWindowsFile(data)
                .keep(new org.canvasbatch.adapters.http.ws.PluginWindowMemory.Kept(
                        java.util.stream.IntStream.range(0, 4_096)
                                .mapToObj(i -> new org.canvasbatch.adapters.http.ws.PluginWindowMemory.WindowPosition(
                                        "old-" + i, "127.0.0.1", "app://obsidian.md", 7))
                                .toList(),
                        List.of()));
        ThreeDone started = threeDoneThreeHanging(vault, data);
        ProgressMonitorModal progress = started.progress();

        // kept while the server runs, not only at its stop: a killed server leaves only this behind
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (new PluginWindowsFile(data)
                .recall().windows().stream()
                        .noneMatch(w -> w.sessionId().equals(progress.sessionId()) && w.seq() > 0)) {
            assertThat(System.nanoTime())
                    .as("the open window's position kept beside the 4 096 remembered")
                    .isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    /**
     * The data folder's {@code plugin-windows.json} says the window got further than the session's history goes (the
     * file is read as hostile: edited, or left beside a journal that lost its tail). The next process sent that
     * window's reconnect a snapshot, without the task messages of the nodes done while it was away, and the learner read
     * "✅ 全部处理完成: 3个节点" for 6. A position the history cannot resume from is a window to treat as new: nodes
     * counted twice, never missed (what {@code PluginWindowsFile} promises of its worst case).
     */
    @Test
    void aKeptPositionBeyondTheHistoryMakesTheWindowCountNodesTwiceNeverMissThem() throws IOException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 6);
        Path data = Files.createDirectories(temp.resolve("data"));
        ThreeDone started = threeDoneThreeHanging(vault, data);
        InMemoryEventLog journal = started.journal();
        List<String> nodes = started.nodes();
        ProgressMonitorModal progress = started.progress();
        int port = first.port();
        first.close();
        // the kept position, pushed past the history
        PluginWindowsFile file = new PluginWindowsFile(data);
        var kept = file.recall();
        assertThat(kept.windows()).anyMatch(w -> w.sessionId().equals(progress.sessionId()));
        file.keep(new org.canvasbatch.adapters.http.ws.PluginWindowMemory.Kept(
                kept.windows().stream()
                        .map(w -> new org.canvasbatch.adapters.http.ws.PluginWindowMemory.WindowPosition(
                                w.sessionId(), w.address(), w.origin(), w.seq() + 1_000))
                        .toList(),
                kept.cancelledByPlugin()));
        second = new PluginHarness(vault, port, journal, new PluginWindowsFile(data));
        second.core.recover();

        progress.awaitSummary();
        assertThat(progress.countedNodes())
                .as("every node counted, some perhaps twice")
                .containsAll(nodes);
    }

    @Test
    void aWindowThatCancelledItsBatchStaysCancelledWhenItsReconnectReachesTheNextProcess() throws IOException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 4);
        Path data = Files.createDirectories(temp.resolve("data"));
        InMemoryEventLog journal = new InMemoryEventLog();
        first = new PluginHarness(vault, 0, journal, new PluginWindowsFile(data));
        // the plugin's own timing: its reconnect comes 1 s after the drop, after the cancel's answer. Scaled down to
        // 50 ms, a loaded machine answered the cancel later, and the modal's close() then failed the reconnecting
        // socket before its handshake (a window that never reconnects, which is not this test's case)
        plugin = first.plugin(settings -> settings.withTimeScale(1));

        GroupPreviewModal preview = plugin.runIntelligentParallel(vault, CANVAS);
        java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(0);
        preview.groups().stream()
                .flatMap(g -> g.nodes().stream())
                .map(GroupPreviewModal.Node::id)
                .forEach(id -> first.agent.always(id, new ScriptedAgent.WaitForPermit(permits)));
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitSocketOpen();
        permits.release(1);
        progress.awaitTaskMessages(1);
        // the Wi-Fi blinks: the window's reconnect is due (and the network will hold it) when the learner clicks ❌ 取消
        CountDownLatch network = new CountDownLatch(1);
        plugin.holdSocketsUntil(network);
        progress.dropConnection();
        progress.cancel();
        progress.awaitCancelAnswered();
        assertThat(progress.socketsCreated())
                .as("the reconnect is still to come when the cancel is answered")
                .isEqualTo(1);
        int noticesAfterCancel = plugin.notices().size();

        // the server restarts before the reconnect gets through
        int port = first.port();
        first.close();
        second = new PluginHarness(vault, port, journal, new PluginWindowsFile(data));
        second.core.recover();
        network.countDown();
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20))).isTrue();

        assertThat(progress.socketsCreated())
                .as("the reconnect reached the new process")
                .isEqualTo(2);
        assertThat(progress.receivedMessages())
                .as("the new process took the reconnect")
                .filteredOn(m -> m.contains("\"type\":\"connected\""))
                .hasSize(2);
        assertThat(plugin.noticeTexts()
                        .subList(noticesAfterCancel, plugin.notices().size()))
                .as("shown after 处理已取消")
                .isEmpty();
        assertThat(progress.summaries()).as("result summaries opened").isEmpty();
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void aWindowWhoseRefusedHandshakesOpenTwoSocketsOnTheNextProcessCountsEachNodeOnce() throws IOException {
        ServerDown down = twoOfSixDoneThenTheServerStops();
        CountDownLatch onceUp = new CountDownLatch(1);
        plugin.holdSocketsUntil(onceUp);
        down.whileDown().countDown();
        EventRecorder.awaitCondition(() -> down.progress().socketsCreated() == 4, "the two attempts its failure cost");
        // both get through to the next process: two sockets of one window, both with the window's handlers
        theNextProcess(down);
        onceUp.countDown();
        EventRecorder.awaitCondition(() -> second.openSockets() == 2, "two sockets of the window open");
        down.permits().release(down.nodes().size());

        down.progress().awaitSummary();
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20)))
                .as("the window's other socket closed too")
                .isTrue();
        assertThat(down.progress().countedNodes())
                .as("each node counted once")
                .hasSize(6)
                .doesNotHaveDuplicates();
        assertOneEndOfSixNodes(down.progress());
    }

    /**
     * The same two sockets of one window, and the learner minimizes just as an outcome reaches the browser: the socket
     * the modal closes (its newest) is the one the server sends the window's events on, and the browser drops the
     * outcome behind the click. The window's other socket keeps its handlers but had passed that outcome: it is closed
     * (4409), the window reconnects from where it surely got, and the dropped outcome comes again ("5个节点" for 6
     * before: it never came).
     */
    @Test
    void aWindowWithTwoSocketsMinimizedAsAnOutcomeArrivesOnTheOneSpeakingForItCountsEveryNode() throws IOException {
        ServerDown down = twoOfSixDoneThenTheServerStops();
        ProgressMonitorModal progress = down.progress();
        Semaphore permits = down.permits();
        // the two attempts the failed reconnect costs, each held by a gate of its own
        CountDownLatch olderSocket = new CountDownLatch(1);
        plugin.holdSocketsUntil(olderSocket);
        down.whileDown().countDown();
        EventRecorder.awaitCondition(() -> progress.socketsCreated() == 3, "the first attempt its failure cost");
        CountDownLatch newestSocket = new CountDownLatch(1);
        plugin.holdSocketsUntil(newestSocket);
        EventRecorder.awaitCondition(() -> progress.socketsCreated() == 4, "the second attempt, the modal's socket");
        theNextProcess(down);

        // the modal's own socket opens first and is sent the window's next outcome: it speaks for the window
        newestSocket.countDown();
        EventRecorder.awaitCondition(() -> second.openSockets() == 1, "the modal's socket open");
        permits.release(1);
        progress.awaitTaskMessages(3);
        olderSocket.countDown();
        EventRecorder.awaitCondition(() -> second.openSockets() == 2, "two sockets of the window open");

        // shown a while before the click: settled
        second.socketClock.advance(Duration.ofSeconds(2));
        CountDownLatch reconnects = new CountDownLatch(1);
        plugin.holdSocketsUntil(reconnects);
        CountDownLatch click = new CountDownLatch(1);
        progress.minimizeOnceTheRendererIsFree(click);
        // written and closed within the margin by the channel's clock, however slow this machine: the case under test
        second.socketClock.freeze();
        permits.release(1);
        EventRecorder.awaitCondition(
                () -> progress.taskMessagesArrived() == 4, "the fourth outcome to reach the browser behind the click");
        click.countDown();
        EventRecorder.awaitCondition(() -> second.openSockets() == 0, "both sockets of the window closed");
        second.socketClock.thaw();
        assertThat(progress.taskMessages()).as("the fourth was dropped").isEqualTo(3);
        // the minimized socket's close and the other's (4409) each make the window reconnect once: two sockets again.
        // Both open before the batch ends: a reconnect scheduled before the end that opens after it is sent the end
        // again (docs/obsidian-plugin-client.md §2.8), which is not what this test is about
        reconnects.countDown();
        EventRecorder.awaitCondition(
                () -> progress.socketsCreated() == 6 && second.openSockets() == 2,
                "the window's two reconnects open after the minimize");
        permits.release(down.nodes().size());

        progress.awaitSummary();
        assertThat(progress.countedNodes())
                .as("every node counted, the dropped one too; the window handled %s", handled(progress))
                .containsExactlyInAnyOrderElementsOf(down.nodes());
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20))).isTrue();
        assertOneEndOfSixNodes(progress);
    }

    private record ServerDown(
            Path vault,
            Path data,
            InMemoryEventLog journal,
            List<String> nodes,
            Semaphore permits,
            ProgressMonitorModal progress,
            int port,
            CountDownLatch whileDown) {}

    /**
     * A window on {@code first} with two of six nodes done and four waiting for permits; then the server stops (1001):
     * the window's first reconnect is held until {@code whileDown} opens, and then finds nobody listening, so that its
     * error and its close each schedule one more attempt (1 s and 2 s later).
     */
    private ServerDown twoOfSixDoneThenTheServerStops() throws IOException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 6);
        Path data = Files.createDirectories(temp.resolve("data"));
        InMemoryEventLog journal = new InMemoryEventLog();
        first = new PluginHarness(vault, 0, journal, new PluginWindowsFile(data));
        plugin = first.plugin();
        GroupPreviewModal preview = plugin.runIntelligentParallel(vault, CANVAS);
        List<String> nodes = preview.groups().stream()
                .flatMap(g -> g.nodes().stream())
                .map(GroupPreviewModal.Node::id)
                .toList();
        Semaphore permits = new Semaphore(0);
        nodes.forEach(id -> first.agent.always(id, new ScriptedAgent.WaitForPermit(permits)));
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitSocketOpen();
        permits.release(2);
        progress.awaitTaskMessages(2);

        CountDownLatch whileDown = new CountDownLatch(1);
        plugin.holdSocketsUntil(whileDown);
        int port = first.port();
        first.close();
        EventRecorder.awaitCondition(() -> progress.socketsCreated() == 2, "the first reconnect");
        return new ServerDown(vault, data, journal, nodes, permits, progress, port, whileDown);
    }

    /** The next process on the same port, journal and window file, its nodes waiting for the same permits. */
    private void theNextProcess(ServerDown down) {
        second = new PluginHarness(down.vault(), down.port(), down.journal(), new PluginWindowsFile(down.data()));
        down.nodes().forEach(id -> second.agent.always(id, new ScriptedAgent.WaitForPermit(down.permits())));
        second.core.recover();
    }

    /** What the learner is told when the batch of six ends: once, all six. */
    private void assertOneEndOfSixNodes(ProgressMonitorModal progress) {
        assertThat(plugin.noticeTexts())
                .filteredOn(text -> text.startsWith("✅"))
                .as("what the learner is told when the batch ends")
                .singleElement()
                .satisfies(text -> assertThat(text).startsWith("✅ 全部处理完成: 6个节点"));
        assertThat(progress.summaries()).as("result summaries opened").hasSize(1);
        assertThat(plugin.oddities()).isEmpty();
    }

    /** What the window handled, in order, in a few words a message: for a failure's report. */
    private static List<String> handled(ProgressMonitorModal progress) {
        return progress.receivedMessages().stream()
                .map(text -> {
                    try (var reader = jakarta.json.Json.createReader(new java.io.StringReader(text))) {
                        jakarta.json.JsonObject message = reader.readObject();
                        jakarta.json.JsonObject data = message.getJsonObject("data");
                        return message.getString("type") + " " + message.get("seq") + " "
                                + (data == null ? "" : data.getString("node_id", ""));
                    }
                })
                .toList();
    }
}
