package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.bootstrap.PluginWindowsFile;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.canvasbatch.testsupport.plugin.ResultSummaryModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the plugin's windows show while someone else pauses, resumes or reorders the batch, across a restart of the
 * server, with a socket that falls behind, and when the learner retries several failed nodes at once.
 */
class PluginWhileItWatchesTest {

    private static final String CANVAS = "Watch/questions.canvas";

    @TempDir
    Path temp;

    private PluginHarness first;
    private PluginHarness second;
    private ObsidianPlugin plugin;

    @AfterEach
    void stop() {
        if (plugin != null) {
            plugin.close();
        }
        for (PluginHarness server : new PluginHarness[] {first, second}) {
            if (server != null) {
                server.close();
            }
        }
    }

    /** A plugin's analysis of {@code questions} red questions; every answer waits for a permit. */
    private record Analysed(GroupPreviewModal preview, List<String> nodes, Semaphore permits) {}

    /** The canvas written into {@code server}'s vault and analysed by {@link #plugin}: no answer comes unpermitted. */
    private Analysed analysed(PluginHarness server, int questions) throws IOException {
        PluginCancelTest.writeCanvas(server.vault.resolve(CANVAS), questions);
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, CANVAS);
        List<String> nodes = nodesOf(preview);
        Semaphore permits = new Semaphore(0);
        nodes.forEach(id -> server.agent.always(id, new ScriptedAgent.WaitForPermit(permits)));
        return new Analysed(preview, nodes, permits);
    }

    private static List<String> nodesOf(GroupPreviewModal preview) {
        return preview.groups().stream()
                .flatMap(g -> g.nodes().stream())
                .map(GroupPreviewModal.Node::id)
                .toList();
    }

    @Test
    void pausedResumedAndReorderedWhileTheWindowWatchesEveryNodeCountsOnce() throws IOException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        first = new PluginHarness(vault, 0);
        plugin = first.plugin();
        Analysed batch = analysed(first, 12);
        GroupPreviewModal preview = batch.preview();
        List<String> nodes = batch.nodes();
        Semaphore permits = batch.permits();
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        SessionId session = new SessionId(progress.sessionId());
        progress.awaitSocketOpen();
        permits.release(3);
        progress.awaitTaskMessages(3);

        first.core.useCases().pause().pause(session, "paused by the dashboard");
        // Every node but one may answer while paused: those already running finish, and the one held back keeps the
        // batch unfinished when the dashboard resumes it (all twelve may have started before the pause).
        permits.release(nodes.size() - 3 - 1);
        for (GroupPreviewModal.Group group : preview.groups()) {
            first.core.useCases().changePriority().changePriority(session, group.id(), Priority.URGENT);
        }
        first.core.useCases().resume().resume(session, "resumed by the dashboard");
        permits.release(1);

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(progress.countedNodes()).hasSize(nodes.size()).doesNotHaveDuplicates();
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + nodes.size() + "个节点"));
        assertThat(progress.cards()).allMatch(c -> c.badge().equals("✅ 完成"));
        assertThat(summary.succeeded()).isEqualTo(nodes.size());
        assertThat(first.notes(CANVAS)).hasSize(nodes.size());
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void pausedThenCancelledByTheLearnerShowsNoSuccess() throws IOException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        first = new PluginHarness(vault, 0);
        plugin = first.plugin();
        Analysed batch = analysed(first, 6);
        GroupPreviewModal preview = batch.preview();
        List<String> nodes = batch.nodes();
        Semaphore permits = batch.permits();
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        SessionId session = new SessionId(progress.sessionId());
        progress.awaitSocketOpen();
        permits.release(2);
        progress.awaitTaskMessages(2);
        first.core.useCases().pause().pause(session, "paused by the dashboard");

        progress.cancel();
        progress.awaitCancelAnswered();
        permits.release(nodes.size());
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20))).isTrue();

        assertThat(plugin.noticeTexts()).noneMatch(t -> t.startsWith("✅"));
        assertThat(plugin.noticeTexts()).contains("处理已取消");
        assertThat(progress.summaries()).isEmpty();
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void pausedAcrossARestartAndResumedThereEveryNodeCountsOnce() throws IOException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        Path data = Files.createDirectories(temp.resolve("data"));
        InMemoryEventLog journal = new InMemoryEventLog();
        first = new PluginHarness(vault, 0, journal, new PluginWindowsFile(data));
        plugin = first.plugin(settings -> settings.withTimeScale(1));
        Analysed batch = analysed(first, 6);
        GroupPreviewModal preview = batch.preview();
        List<String> nodes = batch.nodes();
        Semaphore permits = batch.permits();
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        SessionId session = new SessionId(progress.sessionId());
        progress.awaitSocketOpen();
        permits.release(2);
        progress.awaitTaskMessages(2);
        first.core.useCases().pause().pause(session, "paused by the dashboard");

        int port = first.port();
        first.close();
        second = new PluginHarness(vault, port, journal, new PluginWindowsFile(data));
        second.core.recover();
        EventRecorder.awaitCondition(() -> second.openSockets() == 1, "the window back on the next process");
        second.core.useCases().resume().resume(session, "resumed by the dashboard");

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(progress.countedNodes()).hasSize(nodes.size()).doesNotHaveDuplicates();
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + nodes.size() + "个节点"));
        assertThat(progress.cards()).allMatch(c -> c.badge().equals("✅ 完成"));
        assertThat(summary.succeeded()).isEqualTo(nodes.size());
        assertThat(second.notes(CANVAS)).hasSize(nodes.size());
    }

    @Test
    void twoFailedNodesRetriedAtOnceFromTheSummaryAreBothInTheVaultAndOnTheCanvas() throws IOException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 6);
        first = new PluginHarness(vault, 0);
        plugin = first.plugin();
        GroupPreviewModal preview = plugin.runIntelligentParallel(vault, CANVAS);
        List<String> nodes = nodesOf(preview);
        String a = nodes.get(1);
        String b = nodes.get(4);
        first.agent.then(a, ScriptedAgent.permanent("The model refused this question"));
        first.agent.then(b, ScriptedAgent.permanent("The model refused this question"));
        ResultSummaryModal summary = preview.confirm().orElseThrow().awaitSummary();
        assertThat(summary.failed()).isEqualTo(2);

        Semaphore permits = new Semaphore(0);
        first.agent.then(a, new ScriptedAgent.WaitForPermit(permits));
        first.agent.then(b, new ScriptedAgent.WaitForPermit(permits));
        List<CompletableFuture<Boolean>> clicks = new ArrayList<>();
        java.util.concurrent.Executor clicking = Thread::startVirtualThread;
        clicks.add(CompletableFuture.supplyAsync(() -> summary.retry(a), clicking));
        clicks.add(CompletableFuture.supplyAsync(() -> summary.retry(b), clicking));
        // the row of b, re-rendered when a's answer came, has its button enabled again: clicked a second time
        EventRecorder.awaitCondition(() -> first.agent.callsOf(a) == 2 && first.agent.callsOf(b) == 2, "both running");
        int subscribed = first.subscriptions();
        clicks.add(CompletableFuture.supplyAsync(() -> summary.retry(b), clicking));
        // the second click's call reaches the server while b still runs: it has joined b's run (subscribed to its
        // outcome) before b may answer, however long a busy machine takes to deliver it (a fixed second was not enough)
        EventRecorder.awaitCondition(
                () -> first.subscriptions() > subscribed || first.agent.callsOf(b) > 2,
                "the second click's call waits for b's run (or, wrongly, runs b a third time)");
        permits.release(4);

        assertThat(clicks).allSatisfy(c -> assertThat(c.join()).isTrue());
        assertThat(summary.failed()).isZero();
        assertThat(first.notes(CANVAS)).hasSize(nodes.size());
        assertThat(first.agent.callsOf(b)).as("b run once more, not twice").isEqualTo(2);
        EventRecorder.awaitCondition(() -> blueFileNodes(first, CANVAS) == nodes.size(), "every note on the canvas");
    }

    @Test
    void aSocketThatFallsBehindInAHundredNodeBatchEndsWithTheVaultsCounts() throws IOException {
        first = PluginHarness.withSockets(temp, WsSettings.DEFAULT.withQueueCapacity(2));
        plugin = first.plugin();
        Analysed batch = analysed(first, 100);
        GroupPreviewModal preview = batch.preview();
        List<String> nodes = batch.nodes();
        Semaphore permits = batch.permits();
        List<String> failing = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i += 7) {
            failing.add(nodes.get(i));
            first.agent.then(nodes.get(i), ScriptedAgent.permanent("The model refused this question"));
        }
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitSocketOpen();
        permits.release(nodes.size());

        ResultSummaryModal summary = progress.awaitSummary();
        int ok = nodes.size() - failing.size();
        assertThat(progress.countedNodes()).hasSize(nodes.size()).doesNotHaveDuplicates();
        assertThat(plugin.noticeTexts())
                .anyMatch(t -> t.startsWith("✅ 处理完成: " + ok + "个成功, " + failing.size() + "个失败"));
        assertThat(summary.succeeded()).isEqualTo(ok);
        assertThat(summary.failed()).isEqualTo(failing.size());
        assertThat(first.notes(CANVAS)).hasSize(ok);
        assertThat(progress.progressText()).isEqualTo("100% 完成 (100/100 节点)");
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void aPollingWindowWatchingAPausedBatchShowsOnlyBadgesItKnows() throws IOException {
        first = PluginHarness.withoutSockets(temp);
        plugin = first.plugin();
        Analysed batch = analysed(first, 6);
        GroupPreviewModal preview = batch.preview();
        List<String> nodes = batch.nodes();
        Semaphore permits = batch.permits();
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        SessionId session = new SessionId(progress.sessionId());
        progress.awaitPolling();
        permits.release(1);
        EventRecorder.awaitCondition(
                () -> first.core.useCases().status().status(session).succeeded() == 1, "one node done");
        first.core.useCases().pause().pause(session, "paused by the dashboard");
        int polls = plugin.requests().size();
        EventRecorder.awaitCondition(() -> plugin.requests().size() >= polls + 2, "two polls of the paused batch");
        List<String> known = List.of("⏳ 等待中", "🔄 处理中", "✅ 完成", "❌ 失败");
        assertThat(progress.cards()).allSatisfy(c -> assertThat(known).contains(c.badge()));

        first.core.useCases().resume().resume(session, "resumed by the dashboard");
        permits.release(nodes.size());
        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + nodes.size() + "个节点"));
        assertThat(summary.succeeded()).isEqualTo(nodes.size());
    }

    @Test
    void aRestartAfterTheLastNodeBeforeTheWindowHeardTheEndCountsEachNodeOnce() throws IOException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        Path data = Files.createDirectories(temp.resolve("data"));
        InMemoryEventLog journal = new InMemoryEventLog();
        first = new PluginHarness(vault, 0, journal, new PluginWindowsFile(data));
        plugin = first.plugin();
        Analysed batch = analysed(first, 6);
        GroupPreviewModal preview = batch.preview();
        List<String> nodes = batch.nodes();
        Semaphore permits = batch.permits();
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        SessionId session = new SessionId(progress.sessionId());
        progress.awaitSocketOpen();
        permits.release(5);
        progress.awaitTaskMessages(5);
        first.socketClock.advance(Duration.ofSeconds(2));

        // the Wi-Fi blinks; while the window waits to reconnect the last node is done and the server restarts
        java.util.concurrent.CountDownLatch network = new java.util.concurrent.CountDownLatch(1);
        plugin.holdSocketsUntil(network);
        progress.dropConnection();
        permits.release(1);
        EventRecorder.awaitCondition(
                () -> first.core.useCases().status().status(session).state().isTerminal(), "the batch ended");
        int port = first.port();
        first.close();
        second = new PluginHarness(vault, port, journal, new PluginWindowsFile(data));
        second.core.recover();
        network.countDown();

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(progress.countedNodes()).hasSize(nodes.size()).doesNotHaveDuplicates();
        assertThat(plugin.noticeTexts())
                .filteredOn(t -> t.startsWith("✅"))
                .singleElement()
                .satisfies(t -> assertThat(t).startsWith("✅ 全部处理完成: " + nodes.size() + "个节点"));
        assertThat(summary.succeeded()).isEqualTo(nodes.size());
        assertThat(second.notes(CANVAS)).hasSize(nodes.size());
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20))).isTrue();
        assertThat(progress.summaries()).hasSize(1);
    }

    private static long blueFileNodes(PluginHarness server, String canvas) {
        String text = server.read(canvas);
        JsonObject json;
        try (var reader = Json.createReader(new StringReader(text))) {
            json = reader.readObject();
        } catch (RuntimeException e) {
            return -1;
        }
        return json.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .filter(node -> "file".equals(node.getString("type", "")))
                .filter(node -> "5".equals(node.getString("color", "")))
                .count();
    }
}
