package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.canvasbatch.testsupport.plugin.ResultSummaryModal;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (plugin) It ignores {@code session_paused}. A batch paused on the dashboard left the plugin's window with its spinner
 * turning and its percentage standing still, and the learner told nothing: it looked hung. The window is now told, as
 * the notice "处理错误: …" it shows for an {@code error}, that the batch is paused and how it goes on — in the language of
 * its handshake, once per pause (also when it opens, or comes back, after the pause), never on resume, and never to
 * the dashboard or any other client, which read {@code session_paused}.
 */
class PluginPausedNoticeTest {

    private static final String CANVAS = "Paused/questions.canvas";
    private static final int NODES = 6;

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newHttpClient();
    private PluginHarness server;
    private ObsidianPlugin plugin;

    @AfterEach
    void stop() {
        if (plugin != null) {
            plugin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aBatchPausedOnTheDashboardIsSaidInChineseOncePerPauseAndEndsWithEveryNode() throws Exception {
        start("zh-CN,zh;q=0.9");
        Batch batch = analysed();
        ProgressMonitorModal progress = batch.preview().confirm().orElseThrow();
        progress.awaitSocketOpen();
        batch.permits().release(2);
        progress.awaitTaskMessages(2);
        // the dashboard's card: a page of the server's own origin, in a browser that prefers Chinese too
        TestSocket dashboard = TestSocket.connectAsPage(socketOf(progress), server.base(), "zh-CN,zh;q=0.9");
        dashboard.await("snapshot");

        dashboard.send("{\"type\":\"pause\",\"request_id\":\"p1\"}");
        awaitPauseNotices(1);
        assertThat(pauseNotices()).containsExactly(pausedZh());

        dashboard.send("{\"type\":\"resume\",\"request_id\":\"r1\"}");
        dashboard.await("session_resumed");
        dashboard.send("{\"type\":\"pause\",\"request_id\":\"p2\"}");
        awaitPauseNotices(2);
        dashboard.send("{\"type\":\"resume\",\"request_id\":\"r2\"}");
        // resumed before the nodes may answer: a batch whose last running node ends while it is paused ends there
        EventRecorder.awaitCondition(
                () -> dashboard.messages().stream()
                                .filter(m -> type(m).equals("session_resumed"))
                                .count()
                        == 2,
                "the second resume");
        batch.permits().release(NODES);

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(summary.succeeded()).isEqualTo(NODES);
        assertThat(progress.countedNodes()).hasSize(NODES).doesNotHaveDuplicates();
        assertThat(plugin.noticeTexts())
                .as("one notice per pause, none on resume")
                .filteredOn(t -> t.startsWith("处理错误: "))
                .containsExactly(pausedZh(), pausedZh());
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + NODES + "个节点"));
        assertThat(plugin.oddities()).isEmpty();

        dashboard.await("session_completed");
        assertThat(dashboard.messages())
                .filteredOn(m -> type(m).equals("session_paused"))
                .hasSize(2);
        assertThat(dashboard.messages())
                .as("the dashboard reads session_paused, not the plugin's notice")
                .noneMatch(m -> type(m).equals("error"));
    }

    @Test
    void anEnglishSystemReadsItInEnglishAndAnotherClientGetsNoNotice() throws Exception {
        start("en-US,en;q=0.9");
        Batch batch = analysed();
        ProgressMonitorModal progress = batch.preview().confirm().orElseThrow();
        progress.awaitSocketOpen();
        batch.permits().release(1);
        progress.awaitTaskMessages(1);
        TestSocket script = TestSocket.connect(socketOf(progress));
        script.await("snapshot");

        post("/canvas/intelligent-parallel/pause/" + progress.sessionId());
        awaitPauseNotices(1);
        script.await("session_paused");
        post("/canvas/intelligent-parallel/resume/" + progress.sessionId());
        batch.permits().release(NODES);

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(summary.succeeded()).isEqualTo(NODES);
        assertThat(progress.countedNodes()).hasSize(NODES).doesNotHaveDuplicates();
        // where the dashboard is, as the plugin reached the server: a window in Obsidian has no other way to learn it
        assertThat(pauseNotices())
                .containsExactly("处理错误: The batch is paused (on the dashboard or by another program); press Resume on"
                        + " the dashboard, " + server.base() + "/, and it goes on.");
        script.await("session_completed");
        assertThat(script.messages()).noneMatch(m -> type(m).equals("error"));
    }

    /**
     * The plugin opens its socket after confirm answers, and reconnects on a drop: a window whose socket opens while
     * the batch stands paused is told, once however often the batch was paused before (a pause resumed since is not
     * said); a reconnect of a window already told does not say it again.
     */
    @Test
    void aWindowThatOpensAfterThePauseIsToldOnceAndNotAgainWhenItReconnects() throws Exception {
        start("zh-CN,zh;q=0.9");
        Batch batch = analysed();
        CountDownLatch network = new CountDownLatch(1);
        plugin.holdSocketsUntil(network);
        ProgressMonitorModal progress = batch.preview().confirm().orElseThrow();
        SessionId session = new SessionId(progress.sessionId());
        EventRecorder.awaitCondition(
                () -> server.core.useCases().status().status(session).state() == SessionState.RUNNING, "running");
        post("/canvas/intelligent-parallel/pause/" + session.value());
        post("/canvas/intelligent-parallel/resume/" + session.value());
        post("/canvas/intelligent-parallel/pause/" + session.value());

        network.countDown();
        progress.awaitSocketOpen();
        awaitPauseNotices(1);

        progress.dropConnection();
        EventRecorder.awaitCondition(
                () -> progress.socketsCreated() >= 2 && connectedMessages(progress) >= 2, "the window back");
        post("/canvas/intelligent-parallel/resume/" + session.value());
        batch.permits().release(NODES);

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(summary.succeeded()).isEqualTo(NODES);
        assertThat(progress.countedNodes()).hasSize(NODES).doesNotHaveDuplicates();
        assertThat(pauseNotices())
                .as("told once: not the pause resumed before, not again on the reconnect")
                .containsExactly(pausedZh());
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + NODES + "个节点"));
    }

    private record Batch(GroupPreviewModal preview, List<String> nodes, Semaphore permits) {}

    private void start(String acceptLanguage) throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), NODES);
        server = new PluginHarness(vault, 0);
        plugin = server.plugin(settings -> settings.withAcceptLanguage(acceptLanguage));
    }

    /** The canvas analysed by the plugin; no node's answer comes before the test permits it. */
    private Batch analysed() {
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, CANVAS);
        List<String> nodes = preview.groups().stream()
                .flatMap(g -> g.nodes().stream())
                .map(GroupPreviewModal.Node::id)
                .toList();
        Semaphore permits = new Semaphore(0);
        nodes.forEach(id -> server.agent.always(id, new ScriptedAgent.WaitForPermit(permits)));
        return new Batch(preview, nodes, permits);
    }

    private URI socketOf(ProgressMonitorModal progress) {
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws/intelligent-parallel/" + progress.sessionId());
    }

    /** The notice a Chinese window shows, naming the dashboard at the address the plugin reaches the server by. */
    private String pausedZh() {
        return "处理错误: 批处理已暂停（在仪表板上或由其他程序暂停）；在仪表板（" + server.base() + "/）上点 Resume 后会接着处理。";
    }

    /** What the dashboard sends when its socket is down (a page of the server's own origin). */
    private void post(String path) throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(server.base() + path))
                        .header("Origin", server.base())
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    private List<String> pauseNotices() {
        return plugin.noticeTexts().stream()
                .filter(text -> text.startsWith("处理错误: "))
                .toList();
    }

    private void awaitPauseNotices(int count) {
        EventRecorder.awaitCondition(
                () -> pauseNotices().size() >= count, count + " notice(s) that the batch is paused");
    }

    private static long connectedMessages(ProgressMonitorModal progress) {
        return progress.receivedMessages().stream()
                .filter(m -> m.contains("\"type\":\"connected\""))
                .count();
    }

    private static String type(JsonObject message) {
        return message.getString("type", "");
    }
}
