package org.canvasbatch.adapters.http.text;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's failure reason as its reader reads it. The core states a reason once, in English (often quoting the model
 * server's own words), and stores it in the journal; a Chinese reader gets a Chinese sentence chosen by the reason's
 * {@code error_type}: the whole reason where the core's sentence is fixed, otherwise a Chinese lead that says what went
 * wrong, followed by the English detail (a file name, an HTTP status, the model server's words), which stays as it came.
 */
public final class FailureReasons {

    /**
     * What a plugin window is told when the server's write-back is off (EventMessages.canvasNotUpdated): its summary
     * says the canvas got every note.
     */
    public static final String WRITE_BACK_OFF = "The notes are written into the vault, but the canvas was not changed:"
            + " write-back is off on this server (the setting write-back.enabled, or serve --no-write-back), so no"
            + " document nodes or labels were added to it. The notes are in the notes folder beside the canvas.";

    /** What a plugin window is told when the notes' labels are off: its summary says it got blue label nodes. */
    public static final String LABEL_NODES_OFF = "The notes' document nodes in the canvas get no blue labels beside"
            + " them: the setting write-back.label-nodes is off on this server.";

    /** How a plugin window is told its batch can go on: the dashboard's button (its page is in English). */
    private static final String RESUME_ON_THE_DASHBOARD = "press Resume on the dashboard and it goes on.";

    private static final String RESUME_ON_THE_DASHBOARD_ZH = "在仪表板上点 Resume 后会接着处理。";

    /** The same with the dashboard's address: a window in Obsidian has no other way to learn where it is. */
    private static final String RESUME_ON_THE_DASHBOARD_AT = "press Resume on the dashboard, %s, and it goes on.";

    private static final String RESUME_ON_THE_DASHBOARD_AT_ZH = "在仪表板（$1）上点 Resume 后会接着处理。";

    private static final String PAUSED_ELSEWHERE_LEAD =
            "The batch is paused (on the dashboard or by another program); ";

    private static final String PAUSED_LEAD = "The batch is paused; ";

    /**
     * What a plugin window is told when its batch is paused over the dashboard's routes (EventMessages.batchPaused):
     * the dashboard pauses with its socket's command, or over HTTP while its socket is down, and another program may use
     * either, so the server knows the route, not who took it.
     */
    public static final String PAUSED_ELSEWHERE = PAUSED_ELSEWHERE_LEAD + RESUME_ON_THE_DASHBOARD;

    /** What a plugin window is told when it learns of a pause without its reason (from a snapshot). */
    public static final String PAUSED = PAUSED_LEAD + RESUME_ON_THE_DASHBOARD;

    /** {@link #PAUSED_ELSEWHERE}, naming where the dashboard is; {@code dashboard} null names none. */
    public static String pausedElsewhere(String dashboard) {
        return dashboard == null
                ? PAUSED_ELSEWHERE
                : PAUSED_ELSEWHERE_LEAD + RESUME_ON_THE_DASHBOARD_AT.formatted(dashboard);
    }

    /** {@link #PAUSED}, naming where the dashboard is; {@code dashboard} null names none. */
    public static String paused(String dashboard) {
        return dashboard == null ? PAUSED : PAUSED_LEAD + RESUME_ON_THE_DASHBOARD_AT.formatted(dashboard);
    }

    /** The dashboard's address in a notice: no spaces, no commas (the sentence around it is parsed back). */
    private static final String ADDRESS = "(http://[^\\s,]+)";

    private static final String PAUSED_BECAUSE = "The batch is paused: ";

    private static final String PAUSED_BECAUSE_END = ".";

    /**
     * What a plugin window is told when its batch is paused for {@code reason} (a pause of the server's own): the
     * reason, which says how the batch goes on, and nothing of the dashboard's Resume, which such a pause may exist to
     * prevent (a batch of another vault would write its notes into this one; a reviewer).
     */
    public static String pausedBecause(String reason) {
        String why = reason.strip();
        while (why.endsWith(".")) {
            why = why.substring(0, why.length() - 1);
        }
        if (why.isBlank()) {
            return PAUSED;
        }
        return PAUSED_BECAUSE + why + PAUSED_BECAUSE_END;
    }

    private record Fixed(Pattern english, String chinese) {}

    /** How the notice that notes are not linked into their canvas begins, before the vault's reason. */
    private static final String NOT_LINKED = Pattern.quote("Notes are written but not linked into the canvas: ");

    private static final String NOT_LINKED_LEAD = "笔记已写入库中，但没有链接进Canvas";

    /** The core's fixed sentences, whole; {@code $1}, {@code $2} carry its numbers over. */
    private static final Fixed[] FIXED = {
        new Fixed(
                Pattern.compile("Not processed: the batch was cancelled before this node was done"),
                "未处理：这个节点完成之前，批处理已被取消"),
        new Fixed(Pattern.compile("Interrupted by a server restart"), "服务器重启，打断了这个节点的处理"),
        new Fixed(
                Pattern.compile("Interrupted by a server restart during its last attempt \\((\\d+) of (\\d+)\\);.*"),
                "服务器重启，打断了这个节点的最后一次尝试（第 $1 次，共 $2 次）；它不会自动再运行，请点重试再运行一次"),
        new Fixed(Pattern.compile("Stopped: the batch exceeded its timeout"), "已停止：批处理超过了时限"),
        new Fixed(
                Pattern.compile(
                        "The batch exceeded its timeout of (\\d+) s; (\\d+) unfinished node\\(s\\) were stopped"),
                "批处理超过了 $1 秒的时限；$2 个未完成的节点已停止"),
        new Fixed(Pattern.compile("The agent did not answer within (\\d+) s"), "模型在 $1 秒内没有回答"),
        // the notice that notes are not linked (EventMessages.noteNotLinked): the vault's own reasons, whole
        new Fixed(
                Pattern.compile(NOT_LINKED + "the canvas '(.+)' is no longer in the vault \\(renamed, moved or deleted"
                        + " since the batch began\\); the note is written but not linked: link it by hand in the canvas"
                        + " as it is now\\."),
                NOT_LINKED_LEAD + "：Canvas '$1' 已不在库中（批处理开始后被重命名、移动或删除）；请在现在的Canvas中手动链接这些笔记。"),
        new Fixed(
                Pattern.compile(
                        NOT_LINKED + "the question's card is no longer in the canvas '(.+)' \\(deleted since the"
                                + " batch began\\); the note is written but not linked\\."),
                NOT_LINKED_LEAD + "：问题的卡片已不在Canvas '$1' 中（批处理开始后被删除）。"),
        new Fixed(
                Pattern.compile(NOT_LINKED + "the canvas '(.+)' has (\\d+) nodes, and linking the note would take it"
                        + " beyond (\\d+), the most a canvas may have for a batch to read it; the note is written but"
                        + " not linked: link it by hand, or make room in the canvas and run the node again\\."),
                NOT_LINKED_LEAD + "：Canvas '$1' 已有 $2 个节点，再链接笔记就会超过 $3 个，批处理读取Canvas的上限；"
                        + "请手动链接，或在Canvas中腾出位置后重新运行这个节点。"),
        new Fixed(
                Pattern.compile(NOT_LINKED + "the canvas '(.+)' has (\\d+) nodes and (\\d+) other note link\\(s\\)"
                        + " waiting to go into it; with them, linking the note would take it beyond (\\d+), the most a"
                        + " canvas may have for a batch to read it; the note is written but not linked: link it by"
                        + " hand, or make room in the canvas and run the node again\\."),
                NOT_LINKED_LEAD + "：Canvas '$1' 已有 $2 个节点，另有 $3 条笔记链接等待写入，再链接笔记就会超过 $4 个，"
                        + "批处理读取Canvas的上限；请手动链接，或在Canvas中腾出位置后重新运行这个节点。"),
        // the notices that the learner's settings leave the canvas as it was (EventMessages.canvasNotUpdated)
        new Fixed(
                Pattern.compile(Pattern.quote(WRITE_BACK_OFF)),
                "笔记已写入库中，但Canvas没有改动：这个服务器关闭了写回（设置 write-back.enabled，或 serve --no-write-back），"
                        + "所以Canvas中没有添加文档节点和蓝色说明节点。笔记在Canvas旁边的笔记文件夹里。"),
        new Fixed(
                Pattern.compile(Pattern.quote(LABEL_NODES_OFF)),
                "Canvas中笔记的文档节点旁没有蓝色说明节点：这个服务器关闭了设置 write-back.label-nodes。"),
        // the notices that the batch is paused (EventMessages.batchPaused)
        new Fixed(
                Pattern.compile(Pattern.quote(PAUSED_ELSEWHERE)),
                "批处理已暂停（在仪表板上或由其他程序暂停）；" + RESUME_ON_THE_DASHBOARD_ZH),
        new Fixed(Pattern.compile(Pattern.quote(PAUSED)), "批处理已暂停；" + RESUME_ON_THE_DASHBOARD_ZH),
        new Fixed(
                Pattern.compile(Pattern.quote(PAUSED_ELSEWHERE_LEAD + "press Resume on the dashboard, ")
                        + ADDRESS
                        + Pattern.quote(", and it goes on.")),
                "批处理已暂停（在仪表板上或由其他程序暂停）；" + RESUME_ON_THE_DASHBOARD_AT_ZH),
        new Fixed(
                Pattern.compile(Pattern.quote(PAUSED_LEAD + "press Resume on the dashboard, ")
                        + ADDRESS
                        + Pattern.quote(", and it goes on.")),
                "批处理已暂停；" + RESUME_ON_THE_DASHBOARD_AT_ZH),
        new Fixed(
                Pattern.compile(Pattern.quote(PAUSED_BECAUSE) + "this vault has no canvas at its path holding its"
                        + " questions.*"),
                "批处理已暂停：这个库里没有它的画布（也许是共用数据文件夹的另一个库的批处理）；用它的画布运行 canvas-batch run，" + "或在确认后继续它，才会接着处理。"),
        new Fixed(
                Pattern.compile(Pattern.quote(PAUSED_BECAUSE) + "stopped in the terminal \\(Ctrl-C\\).*"),
                "批处理已暂停：它在终端里被停止（Ctrl-C）；再运行同一个 canvas-batch run 命令会接着处理。"),
        new Fixed(
                Pattern.compile(
                        Pattern.quote(PAUSED_BECAUSE) + "(.+)" + Pattern.quote(PAUSED_BECAUSE_END), Pattern.DOTALL),
                "批处理已暂停：$1。"),
        new Fixed(
                Pattern.compile(NOT_LINKED + "the canvas '(.+)' is read-only \\(no one may write it\\): the note is"
                        + " written, and linked into it once it can be written again"),
                NOT_LINKED_LEAD + "：Canvas '$1' 是只读的（谁都不能写入）：笔记已写入，等Canvas可以写入后再链接进去。"),
        // any other reason (a canvas too large to read): the lead, then the vault's words as they came
        new Fixed(Pattern.compile(NOT_LINKED + "(.+)", Pattern.DOTALL), NOT_LINKED_LEAD + "：$1"),
    };

    private FailureReasons() {}

    /** {@code english}, the reason of {@code errorType}, in {@code language}; as it is where no rendering is known. */
    public static String in(Language language, String errorType, String english) {
        if (language != Language.ZH || english == null || english.isEmpty()) {
            return english;
        }
        String chinese = chinese(errorType, english);
        return chinese == null ? english : chinese;
    }

    /** Whether a reason of {@code errorType} reads differently in Chinese. */
    public static boolean isKnown(String errorType) {
        return lead(errorType) != null;
    }

    private static String chinese(String errorType, String english) {
        String lead = lead(errorType);
        if (lead == null) {
            return null;
        }
        for (Fixed fixed : FIXED) {
            Matcher matcher = fixed.english().matcher(english);
            if (matcher.matches()) {
                return matcher.replaceFirst(fixed.chinese());
            }
        }
        return lead + "：" + english;
    }

    private static String lead(String errorType) {
        if (errorType == null) {
            return null;
        }
        return switch (errorType) {
            case "cancelled" -> "批处理已取消";
            case "interrupted" -> "服务器重启，打断了这个节点的处理";
            case "timeout" -> "等待超时";
            case "connection" -> "无法连接到模型服务器";
            case "rate_limited" -> "模型服务器限制了请求频率";
            case "http_401", "http_403" -> "模型服务器拒绝了 API 密钥";
            case "http_404" -> "模型服务器上找不到这个地址或模型";
            case "bad_response" -> "模型服务器的回答无法使用";
            case "agent_error" -> "调用模型失败";
            case "internal" -> "服务器内部出错";
            case "note_not_linked" -> NOT_LINKED_LEAD;
            case "write_back_off" -> "Canvas没有改动：写回已关闭";
            case "label_nodes_off" -> "没有添加蓝色说明节点";
            case "session_paused" -> "批处理已暂停";
            case "vault_full" -> "笔记无法写入：磁盘已满";
            case "vault_outside_vault" -> "笔记的位置在库之外";
            case "vault_not_found", "vault_invalid_canvas", "vault_too_large" -> "库中的文件无法使用";
            default -> {
                if (errorType.startsWith("http_5")) {
                    yield "模型服务器出错";
                }
                if (errorType.startsWith("http_")) {
                    yield "模型服务器拒绝了请求";
                }
                yield errorType.startsWith("vault_") ? "笔记无法写入" : null;
            }
        };
    }
}
