package org.canvasbatch.testsupport.plugin;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The plugin's {@code src/modals/ProgressMonitorModal.ts}, line by line where it matters:
 * <ul>
 *   <li>constructor (154-164): one state per analyze group, keyed by its {@code group_id} value, {@code pending}, 0 of
 *       {@code nodes.length}.
 *   <li>{@code onOpen} (170-179): the cards are drawn once ("Group {id}: {name}" and a badge), a 1 s ticker starts, the
 *       socket connects at once; {@code onClose}/{@code cleanup} (184-211) stops the ticker, closes the current socket
 *       and stops polling.
 *   <li>{@code connectWebSocket} (339-382): {@code {wsBase}/ws/intelligent-parallel/{session_id}}, never a
 *       {@code last_seq}; {@code onopen} resets the attempt counter to 0, leaves polling mode and stops the poll interval;
 *       {@code onerror} and {@code onclose} (the latter only while neither completed nor cancelled) both reconnect.
 *       Nothing is ever sent on the socket. Old sockets keep their handlers.
 *   <li>{@code progress_update} (410-423): the group becomes {@code running}; {@code nodes_completed} is set to the
 *       message's value ({@code || 0}). A {@code group_id} the modal does not know is ignored.
 *   <li>{@code task_completed} / {@code task_failed} (428-480): {@code nodes_completed + 1}, a result pushed; at
 *       {@code nodes_total} the group becomes {@code completed} (a failure: {@code completed} if any result of the group
 *       succeeded, else {@code failed}).
 *   <li>{@code session_completed} (485-506): completed; every pending or running group becomes {@code completed}; the
 *       notice "✅ 全部处理完成: N个节点 (耗时…)" or "✅ 处理完成: X个成功, Y个失败 (耗时…)" where the counts are the
 *       results this modal accumulated (683-707); after 1 s the modal closes and the summary opens with the message's
 *       {@code data} — whatever the user did meanwhile (the timer is never cleared).
 *   <li>{@code error} (511-514): the notice "处理错误: {message || '未知错误'}" for 5 s; nothing else.
 *   <li>{@code attemptReconnect} (537-549): attempt + 1; up to 3 a new socket after {@code 1000 × attempt} ms, beyond
 *       that polling. With a server that accepts and then closes, every open resets the counter: it never polls.
 *   <li>{@code startPolling}/{@code pollStatus} (556-614): the notice "⚠️ WebSocket连接失败，已切换到轮询模式", a
 *       poll at once and every 5 s, no in-flight guard; a non-2xx is ignored; {@code groups} must be an array (else the
 *       TypeError is swallowed before the terminal check); each known group takes the poll's status, counts and
 *       results (619-635); only {@code status} {@code completed} or {@code failed} ends it: the notice, 1 s, the
 *       summary with the whole poll answer.
 *   <li>{@code updateUI} (640-678): overall % = Σ nodes_completed / Σ nodes_total; a card finds its state through
 *       {@code Number(card.dataset.groupId)}: a group id that is not a number never updates its badge.
 *   <li>{@code handleCancel} (712-731): the cancelled flag is set first (so sockets closing later do not reconnect),
 *       then {@code await fetch(cancel)} whatever it answers, then "处理已取消" (3 s), the modal closes — from then on no
 *       socket message is handled — and "Batch processing was cancelled.". A {@code session_completed} that arrives
 *       before the cancel POST has answered is handled like any other: the success notice and, 1 s later, the summary.
 *       That is issue 9's "the cancelled flag is set only after the cancel POST has answered": the only thing that
 *       stops a {@code session_completed} is the socket having been closed.
 *   <li>{@code handleMinimize} (736-749): the sticky notice "⚡ 智能并行处理在后台运行中 (P% 完成)", the modal closes;
 *       the closed socket's {@code onclose} reconnects after 1 s in the background; a polling modal polls on.
 * </ul>
 */
public final class ProgressMonitorModal {

    /** One status card as the learner reads it. */
    public record Card(String name, String badge) {}

    /** The state the plugin keeps per group ({@code GroupState}). */
    private static final class GroupState {
        final Object key;
        final String name;
        String status = "pending";
        double progress;
        double nodesCompleted;
        double nodesTotal;
        List<String> results = new ArrayList<>();
        String badge = "⏳ 等待中";

        GroupState(Object key, String name, int nodesTotal) {
            this.key = key;
            this.name = name;
            this.nodesTotal = nodesTotal;
        }
    }

    private final ObsidianPlugin plugin;
    private final String canvasPath;
    private final String sessionId;
    private final List<GroupPreviewModal.Group> groups;
    private final String apiBase;
    private final String wsBase;
    private final Map<Object, GroupState> states = new LinkedHashMap<>();
    private final List<ResultSummaryModal> summaries = new CopyOnWriteArrayList<>();
    private final long startTime;

    // loop state, as in the plugin
    private boolean open;
    private double overallProgress;
    private boolean isCompleted;
    private boolean isCancelled;
    private BrowserWebSocket ws;
    private int wsReconnectAttempts;
    private final int maxReconnectAttempts = 3;
    private EventLoop.Timer pollingInterval;
    private final long pollingIntervalMs = 5000;
    private boolean usePolling;
    private EventLoop.Timer elapsedTimer;
    private String progressText = "0% 完成";
    private int socketsCreated;
    private int cancelAnswers;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger taskMessagesArrived = new AtomicInteger();

    ProgressMonitorModal(
            ObsidianPlugin plugin,
            String canvasPath,
            String sessionId,
            List<GroupPreviewModal.Group> groups,
            String apiBase,
            String wsBase) {
        this.plugin = plugin;
        this.canvasPath = canvasPath;
        this.sessionId = sessionId;
        this.groups = List.copyOf(groups);
        this.apiBase = apiBase;
        this.wsBase = wsBase;
        this.startTime = plugin.loop.now();
        for (GroupPreviewModal.Group group : groups) {
            Object key = Js.key(group.groupId());
            states.put(key, new GroupState(key, group.groupName(), group.nodes().size()));
        }
    }

    void open() {
        open = true;
        elapsedTimer = plugin.loop.setInterval(1000, () -> {});
        connectWebSocket();
    }

    // ----------------------------------------------------------------------------------------------- for tests

    /** The status cards, in the analyze order, with the badge each shows now ("⏳ 等待中", "🔄 处理中", "✅ 完成", "❌ 失败"). */
    public List<Card> cards() {
        return plugin.loop.call(() -> states.values().stream()
                .map(s -> new Card("Group " + keyText(s.key) + ": " + s.name, s.badge))
                .toList());
    }

    /** The session this modal watches (the analyze answer's {@code session_id}). */
    public String sessionId() {
        return sessionId;
    }

    /** The badge of group {@code groupId}. */
    public String badge(int groupId) {
        return plugin.loop.call(() -> {
            GroupState state = states.get((double) groupId);
            if (state == null) {
                throw new AssertionError("no group " + groupId + " in the modal");
            }
            return state.badge;
        });
    }

    /** "P% 完成 (done/total 节点)". */
    public String progressText() {
        return plugin.loop.call(() -> progressText);
    }

    public boolean isOpen() {
        return plugin.loop.call(() -> open);
    }

    /** Whether the modal has taken the session as finished ({@code isCompleted}). */
    public boolean isCompleted() {
        return plugin.loop.call(() -> isCompleted);
    }

    /** Whether the modal is in polling mode ({@code usePolling}). */
    public boolean isPolling() {
        return plugin.loop.call(() -> usePolling);
    }

    /** How many sockets this modal has created. */
    public int socketsCreated() {
        return plugin.loop.call(() -> socketsCreated);
    }

    /** Every socket message this modal handled, as received (what its handlers saw, in order). */
    public List<String> receivedMessages() {
        return List.copyOf(received);
    }

    /** Waits until the modal's current socket is open (the server accepted the handshake). */
    public ProgressMonitorModal awaitSocketOpen() {
        plugin.expect(
                () -> ws != null && ws.readyState() == BrowserWebSocket.ReadyState.OPEN,
                plugin.patience(),
                "the progress modal's socket to open");
        return this;
    }

    /**
     * Waits until the modal has handled a socket message of {@code type} ({@code "connected"}: the server has taken the
     * socket; it replays the session's history to it, so nothing that happened before is lost to the modal).
     */
    public ProgressMonitorModal awaitMessage(String type) {
        String quoted = "\"type\":\"" + type + "\"";
        plugin.expect(
                () -> received.stream().anyMatch(m -> m.contains(quoted)), plugin.patience(), "a " + type + " message");
        return this;
    }

    /** How many {@code task_completed} and {@code task_failed} messages this modal has handled. */
    public int taskMessages() {
        return (int) received.stream()
                .filter(m -> m.contains("\"type\":\"task_completed\"") || m.contains("\"type\":\"task_failed\""))
                .count();
    }

    /** Waits until this modal has handled at least {@code count} task messages. */
    public ProgressMonitorModal awaitTaskMessages(int count) {
        plugin.expect(() -> taskMessages() >= count, plugin.patience(), count + " task messages");
        return this;
    }

    /** The node ids of the task messages this modal handled, in order (a node twice: counted twice). */
    public List<String> countedNodes() {
        List<String> nodes = new ArrayList<>();
        for (String text : received) {
            try (var reader = Json.createReader(new StringReader(text))) {
                JsonObject message = reader.readObject();
                String type = Js.stringOr(message, "type", "");
                if ((type.equals("task_completed") || type.equals("task_failed"))
                        && message.get("data") instanceof JsonObject data) {
                    nodes.add(Js.stringOr(data, "node_id", ""));
                }
            }
        }
        return nodes;
    }

    /** The connection drops without a close frame (the network, a sleeping laptop): the socket fires close 1006. */
    public ProgressMonitorModal dropConnection() {
        plugin.loop.call(() -> {
            if (ws != null) {
                ws.drop();
            }
            return null;
        });
        return this;
    }

    /** Waits until the modal has fallen back to polling (after its reconnects failed). */
    public ProgressMonitorModal awaitPolling() {
        plugin.expect(() -> usePolling, plugin.patience(), "the fallback to polling");
        return this;
    }

    /** ❌ 取消: the click handler runs at once; the rest follows when the cancel POST answers. */
    public ProgressMonitorModal cancel() {
        plugin.loop.call(() -> {
            handleCancel();
            return null;
        });
        return this;
    }

    /** Waits until the cancel POST has answered (and the modal closed). */
    public ProgressMonitorModal awaitCancelAnswered() {
        plugin.expect(() -> cancelAnswers > 0, plugin.patience(), "the answer to cancel");
        return this;
    }

    /**
     * How many {@code task_completed} and {@code task_failed} messages reached the browser on any of this modal's
     * sockets, handled or not: one that arrives after the socket's {@code close()} is dropped by the browser.
     */
    public int taskMessagesArrived() {
        return taskMessagesArrived.get();
    }

    /**
     * The renderer is busy (a long task) until {@code click} opens, and then 📤 最小化 is clicked: socket messages that
     * reach the browser meanwhile are queued behind that task, and the socket is closing by the time they would be
     * dispatched, so the browser drops them. Returns at once.
     */
    public ProgressMonitorModal minimizeOnceTheRendererIsFree(CountDownLatch click) {
        plugin.loop.post(() -> {
            try {
                if (!click.await(plugin.patience().toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("the click never came");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            handleMinimize();
        });
        return this;
    }

    /** 📤 最小化. */
    public ProgressMonitorModal minimize() {
        plugin.loop.call(() -> {
            handleMinimize();
            return null;
        });
        return this;
    }

    /** Waits for the result summary; empty if none opened within {@code patience}. */
    public Optional<ResultSummaryModal> awaitSummary(Duration patience) {
        if (!plugin.loop.await(() -> !summaries.isEmpty(), patience)) {
            return Optional.empty();
        }
        return Optional.of(summaries.get(0));
    }

    public ResultSummaryModal awaitSummary() {
        return awaitSummary(plugin.patience())
                .orElseThrow(() -> new AssertionError("no result summary opened within " + plugin.patience()));
    }

    /** Every summary this modal opened (the plugin can open two: overlapping polls, or a cancel that raced). */
    public List<ResultSummaryModal> summaries() {
        return List.copyOf(summaries);
    }

    /** Waits until {@code condition} holds for this modal's cards. */
    public ProgressMonitorModal awaitCards(java.util.function.Predicate<List<Card>> condition, String what) {
        plugin.expect(
                () -> condition.test(states.values().stream()
                        .map(s -> new Card("Group " + keyText(s.key) + ": " + s.name, s.badge))
                        .toList()),
                plugin.patience(),
                what);
        return this;
    }

    // ---------------------------------------------------------------------------------------------- the plugin

    private void close() {
        if (!open) {
            return;
        }
        open = false;
        plugin.loop.clear(elapsedTimer);
        elapsedTimer = null;
        if (ws != null) {
            ws.close();
            ws = null;
        }
        if (pollingInterval != null) {
            plugin.loop.clear(pollingInterval);
            pollingInterval = null;
        }
    }

    private void connectWebSocket() {
        String url = wsBase + "/ws/intelligent-parallel/" + sessionId;
        BrowserWebSocket socket;
        try {
            socket = plugin.newWebSocket(url);
        } catch (IllegalArgumentException e) {
            // new WebSocket throws a SyntaxError on a URL it cannot parse: straight to polling
            startPolling();
            return;
        }
        socketsCreated++;
        ws = socket;
        socket.arrived = text -> {
            if (text.contains("\"type\":\"task_completed\"") || text.contains("\"type\":\"task_failed\"")) {
                taskMessagesArrived.incrementAndGet();
            }
        };
        socket.onopen = () -> {
            wsReconnectAttempts = 0;
            usePolling = false;
            if (pollingInterval != null) {
                plugin.loop.clear(pollingInterval);
                pollingInterval = null;
            }
        };
        socket.onmessage = text -> {
            JsonObject message;
            try (var reader = Json.createReader(new StringReader(text))) {
                message = reader.readObject();
            } catch (JsonException | IllegalStateException e) {
                plugin.oddity("a socket message that is not a JSON object: " + text);
                return;
            }
            handleWSMessage(message);
        };
        socket.onerror = () -> {
            if (!isCompleted && !isCancelled) {
                attemptReconnect();
            }
        };
        socket.onclose = code -> {
            if (!isCompleted && !isCancelled) {
                attemptReconnect();
            }
        };
    }

    private void handleWSMessage(JsonObject message) {
        received.add(message.toString());
        JsonValue type = message.get("type");
        JsonObject data = message.get("data") instanceof JsonObject object ? object : null;
        if (!(type instanceof jakarta.json.JsonString name)) {
            return;
        }
        switch (name.getString()) {
            case "progress_update" -> handleProgressUpdate(data);
            case "task_completed" -> handleTask(data, true);
            case "task_failed" -> handleTask(data, false);
            case "session_completed" -> handleSessionCompleted(data);
            case "error" -> plugin.notice("处理错误: " + Js.stringOr(data, "message", "未知错误"), 5000);
            default -> {}
        }
    }

    private void handleProgressUpdate(JsonObject data) {
        GroupState state = states.get(Js.key(data == null ? null : data.get("group_id")));
        if (state == null) {
            plugin.oddity("progress_update for a group the modal does not know: " + data);
            return;
        }
        state.status = "running";
        state.progress = Js.numberOrZero(data, "progress");
        state.nodesCompleted = Js.numberOrZero(data, "nodes_completed");
        updateUI();
    }

    private void handleTask(JsonObject data, boolean succeeded) {
        GroupState state = states.get(Js.key(data == null ? null : data.get("group_id")));
        if (state == null) {
            plugin.oddity(
                    (succeeded ? "task_completed" : "task_failed") + " for a group the modal does not know: " + data);
            return;
        }
        state.nodesCompleted = state.nodesCompleted + 1;
        state.results.add(succeeded ? "success" : "failed");
        if (state.nodesCompleted >= state.nodesTotal) {
            state.status = succeeded || state.results.contains("success") ? "completed" : "failed";
            state.progress = 100;
        }
        updateUI();
    }

    private void handleSessionCompleted(JsonObject data) {
        isCompleted = true;
        overallProgress = 100;
        for (GroupState state : states.values()) {
            if (state.status.equals("pending") || state.status.equals("running")) {
                state.status = "completed";
                state.progress = 100;
            }
        }
        updateUI();
        showCompletionNotice();
        plugin.loop.setTimeout(1000, () -> {
            close();
            if (data == null) {
                // new ResultSummaryModal reads undefined.node_results and throws: no summary
                plugin.oddity("session_completed without data: the plugin cannot open its summary");
                return;
            }
            onComplete(data);
        });
    }

    private void attemptReconnect() {
        wsReconnectAttempts++;
        if (wsReconnectAttempts <= maxReconnectAttempts) {
            plugin.loop.setTimeout(1000L * wsReconnectAttempts, this::connectWebSocket);
        } else {
            startPolling();
        }
    }

    private void startPolling() {
        if (pollingInterval != null) {
            return;
        }
        usePolling = true;
        plugin.notice("⚠️ WebSocket连接失败，已切换到轮询模式", 5000);
        pollingInterval = plugin.loop.setInterval(pollingIntervalMs, this::pollStatus);
        pollStatus();
    }

    private void pollStatus() {
        plugin.fetch.fetch(
                "GET",
                apiBase + "/canvas/intelligent-parallel/" + sessionId,
                null,
                null,
                plugin.settings.timeScale(),
                response -> {
                    if (!response.ok()) {
                        return;
                    }
                    Optional<JsonObject> parsed = response.json();
                    if (parsed.isEmpty()) {
                        plugin.oddity("a status answer the plugin cannot parse: " + response.body());
                        return;
                    }
                    JsonObject data = parsed.get();
                    overallProgress = Js.number(data, "progress");
                    if (!(data.get("groups") instanceof JsonArray polled)) {
                        // for…of over undefined throws; the catch swallows it before the terminal check
                        plugin.oddity("a status answer without a groups array: the plugin would poll for ever");
                        return;
                    }
                    updateFromPollingData(polled);
                    String status = Js.stringOr(data, "status", "");
                    if (status.equals("completed") || status.equals("failed")) {
                        if (pollingInterval != null) {
                            plugin.loop.clear(pollingInterval);
                            pollingInterval = null;
                        }
                        isCompleted = true;
                        showCompletionNotice();
                        plugin.loop.setTimeout(1000, () -> {
                            close();
                            onComplete(data);
                        });
                    }
                },
                failure -> {});
    }

    private void updateFromPollingData(JsonArray polled) {
        for (JsonValue value : polled) {
            if (!(value instanceof JsonObject group)) {
                continue;
            }
            GroupState state = states.get(Js.key(group.get("group_id")));
            if (state != null) {
                state.status = Js.stringOr(group, "status", "undefined");
                state.progress = Js.number(group, "progress");
                state.nodesCompleted = Js.number(group, "nodes_completed");
                state.nodesTotal = Js.number(group, "nodes_total");
                List<String> results = new ArrayList<>();
                if (group.get("results") instanceof JsonArray items) {
                    for (JsonValue item : items) {
                        results.add(
                                item instanceof JsonObject result ? Js.stringOr(result, "status", "undefined") : "");
                    }
                }
                state.results = results;
            }
        }
        updateUI();
    }

    private void updateUI() {
        double total = 0;
        double completed = 0;
        for (GroupState state : states.values()) {
            total += state.nodesTotal;
            completed += state.nodesCompleted;
        }
        if (total > 0) {
            double percent = completed / total * 100;
            overallProgress = Double.isNaN(percent) ? Double.NaN : Math.floor(percent + 0.5);
        } else {
            overallProgress = 0;
        }
        progressText = Js.print(overallProgress) + "% 完成 (" + Js.print(completed) + "/" + Js.print(total) + " 节点)";
        for (GroupState state : states.values()) {
            GroupState found = states.get(Js.cardKey(state.key));
            if (found != null) {
                state.badge = statusText(found.status);
            }
        }
    }

    private static String statusText(String status) {
        return switch (status) {
            case "pending" -> "⏳ 等待中";
            case "running" -> "🔄 处理中";
            case "completed" -> "✅ 完成";
            case "failed" -> "❌ 失败";
            default -> status;
        };
    }

    private void showCompletionNotice() {
        int success = 0;
        int failed = 0;
        for (GroupState state : states.values()) {
            for (String result : state.results) {
                if (result.equals("success")) {
                    success++;
                } else {
                    failed++;
                }
            }
        }
        long elapsed = (plugin.loop.now() - startTime) / 1000;
        long minutes = elapsed / 60;
        long seconds = elapsed % 60;
        String time = minutes > 0 ? minutes + "分" + seconds + "秒" : seconds + "秒";
        if (failed > 0) {
            plugin.notice("✅ 处理完成: " + success + "个成功, " + failed + "个失败 (耗时" + time + ")", 5000);
        } else {
            plugin.notice("✅ 全部处理完成: " + success + "个节点 (耗时" + time + ")", 5000);
        }
    }

    private void handleCancel() {
        isCancelled = true;
        Runnable afterAnswer = () -> {
            cancelAnswers++;
            plugin.notice("处理已取消", 3000);
            close();
            plugin.notice("Batch processing was cancelled.", -1);
        };
        plugin.fetch.fetch(
                "POST",
                apiBase + "/canvas/intelligent-parallel/cancel/" + sessionId,
                null,
                null,
                plugin.settings.timeScale(),
                response -> afterAnswer.run(),
                failure -> afterAnswer.run());
    }

    private void handleMinimize() {
        plugin.notice("⚡ 智能并行处理在后台运行中 (" + Js.print(overallProgress) + "% 完成)", 0);
        close();
        if (usePolling && pollingInterval == null) {
            startPolling();
        }
    }

    /** main.ts:2771-2814: the result summary opens with the completion data and the analyze groups. */
    private void onComplete(JsonObject data) {
        summaries.add(new ResultSummaryModal(plugin, canvasPath, data, groups));
    }

    private static String keyText(Object key) {
        return key instanceof Double number ? Js.print(number) : String.valueOf(key);
    }
}
