package org.canvasbatch.adapters.http.text;

import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.SkippedNode;

/**
 * Every sentence the HTTP adapter writes for a person, in English and in Chinese, in one place. The plugin shows an
 * error's {@code message} as it is (the analyze error view, "Failed to confirm session: …", "处理错误: …", the
 * summary's failed list), inside a Chinese interface, so each is written to be read by a learner, says what happened
 * and what to do.
 *
 * <p>{@code {0}}, {@code {1}} … are replaced by the arguments in order. Where the English sentence comes from the core
 * (a conflict, an agent's own words, a disk error) the English template is just that sentence ({@code {0}}) and the
 * Chinese one says the same in Chinese, quoting the core's detail where there is one. The core's field-by-field
 * validation sentences (a too-long id, a bad number) stay English in both: they are for callers that build requests by
 * hand; what the plugin can meet has an entry here.
 */
public enum Message {
    // ------------------------------------------------------------------------------------------------ sessions
    SESSION_NOT_FOUND("Session ''{0}'' not found", "找不到批处理会话“{0}”"),
    /** A socket path fetched as a plain page (a browser's address bar, curl): the socket needs a WebSocket client. */
    NOT_A_WEBSOCKET(
            "This is the WebSocket of session ''{0}'': connect with a WebSocket client",
            "这是批处理会话“{0}”的 WebSocket 地址：请用 WebSocket 客户端连接"),
    EVENTS_NO_LONGER_KEPT(
            "The events of session ''{0}'' after seq {1} are no longer kept; read the session''s status instead",
            "批处理会话“{0}”序号 {1} 之后的事件已不再保留：请改为读取会话状态"),
    SESSION_NOT_LOADED("Session ''{0}'' could not be loaded: {1}", "批处理会话“{0}”无法读取：{1}"),
    /** The plugin polls a session this server does not have (it ends the plugin's progress window; §2.3). */
    SESSION_LOST(
            "This server has no batch session ''{0}'': it may have been restarted without keeping its sessions, or the"
                    + " batch ended long ago and was cleared. Notes already written are in your vault; run Intelligent"
                    + " Batch Processing again for the nodes that are left.",
            "服务器上没有批处理会话“{0}”：服务器可能重启过而没有保留会话，或者这批处理结束已久、已被清理。已经写好的笔记仍在库中；" + "请重新运行“智能批量处理”来处理剩下的节点。"),
    SESSION_LOST_BECAUSE(
            "Session ''{0}'' could not be loaded: {1}. Notes already written are in your vault; run Intelligent Batch"
                    + " Processing again for the nodes that are left.",
            "批处理会话“{0}”无法读取：{1}。已经写好的笔记仍在库中；请重新运行“智能批量处理”来处理剩下的节点。"),

    // ------------------------------------------------------------------------------------------------- analyze
    /** The commonest mistake: the server serves another vault than the learner's. */
    CANVAS_NOT_IN_VAULT(
            "The canvas ''{0}'' is not in this server''s vault ({1}). The server was probably started with another"
                    + " --vault than the Obsidian vault you are working in: restart it with --vault <the folder that"
                    + " holds .obsidian>.",
            "画布“{0}”不在此服务器的库（{1}）中。服务器很可能是用另一个 --vault 启动的，而不是你正在使用的 Obsidian 库："
                    + "请用 --vault <包含 .obsidian 文件夹的那个目录> 重新启动服务器。"),
    NO_NODE_OF_COLOUR("No nodes to process: {0} has no node of colour {1}", "没有要处理的节点：{0}中没有颜色为 {1} 的节点"),
    ALL_NODES_EMPTY(
            "No nodes to process: every one of the {0} node(s) of {1} is empty ({2}). Write the question into the node"
                    + " and try again.",
            "没有要处理的节点：{1}中的 {0} 个节点都是空的（{2}）。请先在节点里写下问题，再试一次。"),
    THE_REQUEST_NODES("the request''s nodes", "请求里的节点"),
    SKIPPED_EMPTY_TEXT("a text node without text", "文本节点没有文字"),
    SKIPPED_NO_FILE("a file node that names no file", "文件节点没有指向任何文件"),
    SKIPPED_NO_URL("a link node without a URL", "链接节点没有网址"),
    SKIPPED_EMPTY_LABEL("a group node without a label", "分组节点没有标题"),
    TOO_MANY_PENDING("{0}", "等待确认的批处理太多了（上限 {1} 个）：请先开始或取消其中一个，或者 {2} 秒后再试。"),
    TOO_MANY_ANALYSING("{0}", "同时在分析的Canvas太多了（每个客户端上限 {1} 个）：请 {2} 秒后再试。"),

    // ---------------------------------------------------------------------------------------- requests in general
    INVALID_REQUEST("{0}", "请求有误：{0}"),
    CONFLICT_ALREADY_STARTED("{0}", "这个批处理已经开始了，不能再次开始。"),
    CONFLICT_CANCELLED_BEFORE_START("{0}", "这个批处理在开始之前已被取消（被同一客户端更新的分析替换，或被人取消），从未开始：请重新分析Canvas。"),
    CONFLICT_ALREADY_FINISHED("{0}", "这个批处理已经结束了。"),
    CONFLICT_NOT_RUNNING("{0}", "这个批处理没有在运行。"),
    CONFLICT_NOT_PAUSED("{0}", "这个批处理没有暂停。"),
    CONFLICT_UNKNOWN_NODE("{0}", "这个批处理里没有这个节点。"),
    CONFLICT_UNKNOWN_GROUP("{0}", "这个批处理里没有这个分组。"),
    CONFLICT_NODE_BUSY("{0}", "这个节点正在处理中：请等它完成后再试。"),
    CONFLICT_STALE_RESULT("{0}", "这个结果已经过时了。"),
    SERVER_BUSY("{0}", "服务器正忙，这个节点还没轮到：请 {1} 秒后再试。"),
    AGENT_FAILED("{0}", "重新处理失败：{0}"),
    VAULT_UNAVAILABLE("{0}", "无法读写库：{0}"),
    EVENT_STORE_UNAVAILABLE("The session journal could not be written or read: {0}", "无法保存或读取批处理的进度记录：{0}"),
    SERVER_STOPPING("The server is stopping; ask again once it runs again", "服务器正在停止；请在它重新运行后再试。"),
    NO_ENDPOINT("There is no endpoint at {0}; the API lives under {1} and {2}", "{0} 没有对应的接口；接口在 {1} 和 {2} 之下"),
    METHOD_NOT_ALLOWED("{0} is not supported; use {1}", "不支持 {0}；请使用 {1}"),
    /** The plugin sends no token: with one set, every call it makes gets this. */
    TOKEN_REQUIRED(
            "This server requires an access token: send the header ''Authorization: Bearer <token>'' (a WebSocket or"
                    + " a browser page may add ?token=<token> to the URL instead)",
            "此服务器要求访问令牌：请发送请求头“Authorization: Bearer <token>”（WebSocket 或浏览器页面也可以在网址后加上" + " ?token=<token>）"),
    TOKEN_WRONG(
            "The access token is wrong: send the header ''Authorization: Bearer <token>'' (a WebSocket or a browser"
                    + " page may add ?token=<token> to the URL instead)",
            "访问令牌不对：请发送请求头“Authorization: Bearer <token>”（WebSocket 或浏览器页面也可以在网址后加上" + " ?token=<token>）"),
    INTERNAL_ERROR("The server failed unexpectedly ({0}); this is a bug, please report it", "服务器意外出错（{0}）；这是一个缺陷，请报告它");

    private final String english;
    private final String chinese;

    /** Why an analysis left a node out, as the answer's {@code skipped_nodes[].reason} and the error say it. */
    public static String skipped(SkippedNode.Reason reason, Language language) {
        return (switch (reason) {
                    case EMPTY_TEXT -> SKIPPED_EMPTY_TEXT;
                    case NO_FILE -> SKIPPED_NO_FILE;
                    case NO_URL -> SKIPPED_NO_URL;
                    case EMPTY_LABEL -> SKIPPED_EMPTY_LABEL;
                })
                .in(language);
    }

    Message(String english, String chinese) {
        this.english = english;
        this.chinese = chinese;
    }

    /** The sentence in {@code language}, with {@code {n}} replaced by {@code arguments[n]}. */
    public String in(Language language, Object... arguments) {
        String template = language == Language.ZH ? chinese : english;
        StringBuilder out = new StringBuilder(template.length() + 32);
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '\'' && i + 1 < template.length() && template.charAt(i + 1) == '\'') {
                out.append('\'');
                i++;
            } else if (c == '{'
                    && i + 2 < template.length()
                    && template.charAt(i + 2) == '}'
                    && Character.isDigit(template.charAt(i + 1))) {
                int index = template.charAt(i + 1) - '0';
                out.append(index < arguments.length ? String.valueOf(arguments[index]) : "");
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
